import { useId, useState, type FormEvent } from 'react';
import type { AlertReceiver, AlertReceiverListResponse } from '@spoor/model';
import { apiSend } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { formatTime } from '../format';
import { useApi } from '../use-api';
import { useConfirmedDelete } from '../use-confirmed-delete';
import { type ReceiverForm, EMPTY_RECEIVER_FORM, receiverBodyFrom } from './receiver-form';

/**
 * Where notifications go: the rules file's receivers (read-only, changed in the file) and the
 * project's own, made here and in force at once. Secrets are never shown: a change sends them again.
 */
export function ReceiversSection({ onChange }: { onChange: () => void }) {
  const { data, error, reload } = useApi<AlertReceiverListResponse>('/api/alerts/receivers', { refreshMs: 15_000 });
  const [editing, setEditing] = useState<{ mode: 'create' } | { mode: 'edit'; receiver: AlertReceiver } | null>(null);

  const saved = () => {
    setEditing(null);
    reload();
    onChange();
  };
  const { confirming, setConfirming, error: actionError, remove } = useConfirmedDelete((name) => `/api/alerts/receivers/${encodeURIComponent(name)}`, saved);

  return (
    <section aria-label="Receivers">
      <h2>Receivers</h2>
      <p className="muted">
        Where alerts are sent. Rules name receivers in <code>notify</code>; <code>log</code> (Spoor&apos;s own log) is always there.
        {data?.file != null && (
          <>
            {' '}
            Receivers of the rules file <code>{data.file.path}</code> are read-only here: change them in the file.
          </>
        )}
      </p>
      {data?.file?.error != null && <div className="error-box">The rules file cannot be used: {data.file.error}</div>}
      <div className="toolbar">
        <button type="button" className="primary" onClick={() => setEditing({ mode: 'create' })} disabled={editing !== null}>
          New receiver
        </button>
      </div>
      {editing !== null && (
        <ReceiverEditor
          key={editing.mode === 'edit' ? editing.receiver.name : ''}
          mode={editing.mode}
          initial={editing.mode === 'edit' ? { ...EMPTY_RECEIVER_FORM, name: editing.receiver.name, kind: editing.receiver.kind } : EMPTY_RECEIVER_FORM}
          onSaved={saved}
          onCancel={() => setEditing(null)}
        />
      )}
      <ErrorBox error={actionError ?? error} />
      {data !== undefined && (
        <table className="settings-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Where</th>
              <th>Source</th>
              <th>Used by</th>
              <th>Changed</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.receivers.map((r) => (
              <tr key={`${r.source}-${r.name}`} data-receiver={r.name}>
                <td className="mono">{r.name}</td>
                <td>{r.kind}</td>
                <td className="mono">
                  {r.url ?? (r.level === null ? 'Spoor’s log' : `Spoor’s log (${r.level})`)}
                  {r.channel !== null && ` ${r.channel}`}
                  {r.signed && <span className="tag">signed</span>}
                  {r.headers.length > 0 && <span className="tag">headers: {r.headers.join(', ')}</span>}
                </td>
                <td>
                  {r.source}
                  {!r.inForce && <span className="muted"> (hidden by the file&apos;s)</span>}
                </td>
                <td>{r.usedBy.length === 0 ? <span className="muted">no rule</span> : r.usedBy.join(', ')}</td>
                <td>{r.updatedAt === null ? '–' : formatTime(r.updatedAt)}</td>
                <td>
                  {r.source === 'api' &&
                    (confirming === r.name ? (
                      <>
                        <button type="button" className="danger" onClick={() => remove(r.name)}>
                          Delete {r.name}
                        </button>{' '}
                        <button type="button" onClick={() => setConfirming(null)}>
                          Keep
                        </button>
                      </>
                    ) : (
                      <>
                        <button type="button" onClick={() => setEditing({ mode: 'edit', receiver: r })} disabled={editing !== null}>
                          Change
                        </button>{' '}
                        <button type="button" onClick={() => setConfirming(r.name)} aria-label={`Delete receiver ${r.name}`}>
                          Delete…
                        </button>
                      </>
                    ))}
                  {r.source !== 'api' && <span className="muted">read-only</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ReceiverEditor({ mode, initial, onSaved, onCancel }: { mode: 'create' | 'edit'; initial: ReceiverForm; onSaved: () => void; onCancel: () => void }) {
  const id = useId();
  const [form, setForm] = useState<ReceiverForm>(initial);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const set = (name: keyof ReceiverForm) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: event.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = receiverBodyFrom(form);
    if (!body.ok) {
      setError(new Error(body.error));
      return;
    }
    setSaving(true);
    setError(undefined);
    const sent =
      mode === 'create'
        ? apiSend('POST', '/api/alerts/receivers', body.body)
        : apiSend('PUT', `/api/alerts/receivers/${encodeURIComponent(initial.name)}`, body.body);
    sent.then(onSaved, (e: Error) => {
      setError(e);
      setSaving(false);
    });
  };
  const field = (name: string) => `${id}-${name}`;
  const http = form.kind !== 'log';
  return (
    <form className="panel settings-form" onSubmit={submit} aria-label={mode === 'create' ? 'New receiver' : `Change receiver ${initial.name}`}>
      <h3 className="settings-form-title">{mode === 'create' ? 'New receiver' : `Change receiver ${initial.name} (send its secret and headers again)`}</h3>
      <label htmlFor={field('name')}>Name</label>
      <input id={field('name')} value={form.name} onChange={set('name')} disabled={mode === 'edit'} placeholder="oncall" required />
      <label htmlFor={field('kind')}>Kind</label>
      <select id={field('kind')} value={form.kind} onChange={set('kind')}>
        <option value="webhook">webhook: a JSON POST, Alertmanager&apos;s shape</option>
        <option value="slack">slack: an incoming webhook</option>
        <option value="log">log: a line in Spoor&apos;s log</option>
      </select>
      {http && (
        <>
          <label htmlFor={field('url')}>URL</label>
          <input id={field('url')} value={form.url} onChange={set('url')} placeholder="https://example.com/hooks/spoor" required />
        </>
      )}
      {form.kind === 'webhook' && (
        <>
          <label htmlFor={field('secret')}>Signing secret</label>
          <input
            id={field('secret')}
            type="password"
            autoComplete="off"
            value={form.secret}
            onChange={set('secret')}
            placeholder="optional: signs each body (X-Spoor-Signature)"
          />
          <label htmlFor={field('headers')}>Headers</label>
          <textarea
            id={field('headers')}
            className="mono"
            rows={2}
            value={form.headers}
            onChange={set('headers')}
            placeholder="Authorization: Bearer …  (one per line, optional)"
          />
        </>
      )}
      {form.kind === 'slack' && (
        <>
          <label htmlFor={field('channel')}>Channel</label>
          <input id={field('channel')} value={form.channel} onChange={set('channel')} placeholder="#alerts (optional)" />
        </>
      )}
      {form.kind === 'log' && (
        <>
          <label htmlFor={field('level')}>Level</label>
          <select id={field('level')} value={form.level} onChange={set('level')}>
            <option value="">default (warn)</option>
            <option value="info">info</option>
            <option value="warn">warn</option>
            <option value="error">error</option>
          </select>
        </>
      )}
      {http && (
        <>
          <label htmlFor={field('timeout')}>Timeout</label>
          <input id={field('timeout')} value={form.timeout} onChange={set('timeout')} placeholder="10s" className="short" />
          <label htmlFor={field('attempts')}>Attempts</label>
          <input id={field('attempts')} value={form.maxAttempts} onChange={set('maxAttempts')} placeholder="5" className="short" inputMode="numeric" />
        </>
      )}
      <div />
      <div>
        <ErrorBox error={error} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={saving}>
            {saving ? 'Saving…' : mode === 'create' ? 'Create receiver' : 'Save receiver'}
          </button>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </form>
  );
}
