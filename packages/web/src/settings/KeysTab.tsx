import { useId, useState, type FormEvent } from 'react';
import { apiSend } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { formatTime } from '../format';
import { useApi } from '../use-api';
import { useSession } from '../session-context';

/** A key as `GET /api/keys` lists it: never its secret. Times in epoch microseconds. */
interface KeyInfo {
  id: string;
  projectId: string;
  role: 'ingest' | 'read' | 'admin';
  name: string;
  createdUs: number;
  createdBy: string;
  revokedUs: number | null;
}

const ROLES = [
  ['ingest', 'ingest: sends telemetry and scores'],
  ['read', 'read: the dashboard and the API, reading'],
  ['admin', 'admin: everything, keys too'],
] as const;

const isoOf = (us: number): string => new Date(us / 1000).toISOString();

/**
 * The keys of the projects this key covers: make one (its secret is shown this once, to copy),
 * and revoke one (asked once more; a revoked key is refused from the next request).
 */
export function KeysTab() {
  const id = useId();
  const session = useSession();
  const { data, error, reload } = useApi<{ keys: KeyInfo[] }>('/api/keys');
  const [form, setForm] = useState<{ role: KeyInfo['role']; name: string; project: string }>({ role: 'ingest', name: '', project: '' });
  const [made, setMade] = useState<(KeyInfo & { key: string }) | null>(null);
  const [copied, setCopied] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [actionError, setActionError] = useState<Error | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const create = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setActionError(undefined);
    const name = form.name.trim();
    const project = form.project.trim();
    const body = { role: form.role, ...(name === '' ? {} : { name }), ...(project === '' ? {} : { project }) };
    apiSend<KeyInfo & { key: string }>('POST', '/api/keys', body).then(
      (key) => {
        setMade(key);
        setCopied(false);
        setForm((f) => ({ ...f, name: '' }));
        setBusy(false);
        reload();
      },
      (e: Error) => {
        setActionError(e);
        setBusy(false);
      },
    );
  };
  const revoke = (keyId: string) => {
    setActionError(undefined);
    apiSend<void>('DELETE', `/api/keys/${encodeURIComponent(keyId)}`).then(
      () => {
        setConfirming(null);
        reload();
      },
      (e: Error) => {
        setConfirming(null);
        setActionError(e);
      },
    );
  };
  const copy = (text: string) => {
    void navigator.clipboard?.writeText(text).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };

  const field = (name: string) => `${id}-${name}`;
  return (
    <section aria-label="Keys">
      <p className="muted">
        Keys of {session?.projectId === undefined ? 'this project' : <code>{session.projectId}</code>} (an admin key of every project, <code>*</code>, sees
        every project's). A key is stored as a hash: its secret is shown once, when it is made.
      </p>
      <form className="panel settings-form" onSubmit={create} aria-label="New key">
        <label htmlFor={field('role')}>Role</label>
        <select id={field('role')} value={form.role} onChange={(e) => setForm((f) => ({ ...f, role: e.target.value as KeyInfo['role'] }))}>
          {ROLES.map(([role, label]) => (
            <option key={role} value={role}>
              {label}
            </option>
          ))}
        </select>
        <label htmlFor={field('name')}>Name</label>
        <input id={field('name')} value={form.name} onChange={(e) => setForm((f) => ({ ...f, name: e.target.value }))} placeholder="ci, checkout-service" />
        <label htmlFor={field('project')}>Project</label>
        <input
          id={field('project')}
          value={form.project}
          onChange={(e) => setForm((f) => ({ ...f, project: e.target.value }))}
          placeholder={session?.projectId ?? 'this one'}
        />
        <div />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Making…' : 'Make key'}
          </button>
        </div>
      </form>
      {made !== null && (
        <div className="panel new-key" role="status" aria-label="New key secret">
          <p>
            <strong>Copy this key now</strong>: it is not shown again. {made.role} key <code>{made.id}</code> of project <code>{made.projectId}</code>.
          </p>
          <div className="new-key-secret">
            <input readOnly value={made.key} aria-label="The new key" className="mono" onFocus={(e) => e.currentTarget.select()} />
            <button type="button" onClick={() => copy(made.key)}>
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button type="button" onClick={() => setMade(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      <ErrorBox error={actionError ?? error} />
      {data !== undefined && data.keys.length === 0 && <p className="muted">No key yet: make one above.</p>}
      {data !== undefined && data.keys.length > 0 && (
        <table className="settings-table">
          <thead>
            <tr>
              <th>Id</th>
              <th>Name</th>
              <th>Role</th>
              <th>Project</th>
              <th>Made</th>
              <th>By</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.keys.map((key) => (
              <tr key={key.id} data-key-id={key.id}>
                <td className="mono">{key.id}</td>
                <td>{key.name}</td>
                <td>{key.role}</td>
                <td className="mono">{key.projectId}</td>
                <td>{formatTime(isoOf(key.createdUs))}</td>
                <td className="mono">{key.createdBy}</td>
                <td>{key.revokedUs === null ? 'active' : `revoked ${formatTime(isoOf(key.revokedUs))}`}</td>
                <td>
                  {key.revokedUs === null &&
                    (confirming === key.id ? (
                      <>
                        <button type="button" className="danger" onClick={() => revoke(key.id)}>
                          Revoke {key.id}
                        </button>{' '}
                        <button type="button" onClick={() => setConfirming(null)}>
                          Keep
                        </button>
                      </>
                    ) : (
                      <button type="button" onClick={() => setConfirming(key.id)} aria-label={`Revoke key ${key.id}`}>
                        Revoke…
                      </button>
                    ))}
                  {key.id === session?.keyId && <span className="muted"> (yours)</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
