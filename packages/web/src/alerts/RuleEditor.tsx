import { useId, useState, type FormEvent } from 'react';
import type { AlertRule } from '@spoor/model';
import { apiSend } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { ruleSpecFromForm, type RuleForm } from './rule-form';

interface RuleEditorProps {
  initial: RuleForm;
  /** `create` POSTs a new rule; `edit` PUTs over the rule named in `initial`. */
  mode: 'create' | 'edit';
  onSaved: (rule: AlertRule) => void;
  onCancel: () => void;
}

/** Creates or changes a rule made through the API; the server's objection is shown as it said it. */
export function RuleEditor({ initial, mode, onSaved, onCancel }: RuleEditorProps) {
  const id = useId();
  const [form, setForm] = useState<RuleForm>(initial);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const set = (field: keyof RuleForm) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [field]: event.target.value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = ruleSpecFromForm(form);
    if (!result.ok) {
      setError(new Error(result.error));
      return;
    }
    setSaving(true);
    setError(undefined);
    const saved =
      mode === 'create'
        ? apiSend<AlertRule>('POST', '/api/alerts/rules', result.spec)
        : apiSend<AlertRule>('PUT', `/api/alerts/rules/${encodeURIComponent(initial.name)}`, result.spec);
    saved.then(onSaved, (e: Error) => {
      setError(e);
      setSaving(false);
    });
  };

  const field = (name: string) => `${id}-${name}`;
  return (
    <form className="panel rule-editor" onSubmit={submit} aria-label={mode === 'create' ? 'New rule' : `Edit rule ${initial.name}`}>
      <h3>{mode === 'create' ? 'New rule' : `Edit rule ${initial.name}`}</h3>
      <div className="rule-fields">
        <label htmlFor={field('name')}>Name</label>
        <input id={field('name')} value={form.name} onChange={set('name')} disabled={mode === 'edit'} placeholder="rag-retrieval-slow" required />

        <label htmlFor={field('expr')}>Expression</label>
        <div>
          <textarea
            id={field('expr')}
            className="mono"
            rows={2}
            value={form.expr}
            onChange={set('expr')}
            placeholder='p95(duration_ms{service="rag"})[5m] > 3s'
            required
          />
          <div className="muted hint">
            For example <code>error_rate(spans)[5m] by (service) &gt; 5%</code> or{' '}
            <code>
              count(logs{'{'}severity=&quot;error&quot;{'}'})[5m] &gt;= 10
            </code>
            ; see{' '}
            <a href="/docs/alerting#rule-expressions" target="_blank" rel="noreferrer">
              the docs, “Rule expressions”
            </a>
            .
          </div>
        </div>

        <label htmlFor={field('for')}>For</label>
        <input id={field('for')} value={form.for} onChange={set('for')} placeholder="0s" className="short" />

        <label htmlFor={field('severity')}>Severity</label>
        <select id={field('severity')} value={form.severity} onChange={set('severity')} className="short">
          <option value="">default (warning, or from thresholds)</option>
          <option value="info">info</option>
          <option value="warning">warning</option>
          <option value="critical">critical</option>
        </select>

        <label htmlFor={field('summary')}>Summary</label>
        <input
          id={field('summary')}
          value={form.summary}
          onChange={set('summary')}
          placeholder="p95 of retrieval is {{ $value }} ms (limit {{ $threshold }} ms)"
        />

        <label htmlFor={field('description')}>Description</label>
        <input id={field('description')} value={form.description} onChange={set('description')} />

        <label htmlFor={field('extra')}>Other fields (JSON)</label>
        <div>
          <textarea
            id={field('extra')}
            className="mono"
            rows={Math.min(12, Math.max(3, form.extra.split('\n').length))}
            value={form.extra}
            onChange={set('extra')}
            placeholder='{ "thresholds": { "warning": 0.05, "critical": 0.2 }, "labels": { "team": "search" }, "notify": ["log"] }'
          />
          <div className="muted hint">
            keepFiringFor, thresholds, labels, other annotations, groupBy, noData, notify, groupWait, groupInterval, repeatInterval.
          </div>
        </div>
      </div>
      <ErrorBox error={error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : mode === 'create' ? 'Create rule' : 'Save rule'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
