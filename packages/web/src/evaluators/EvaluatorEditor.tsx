import { type FormEvent, type ReactNode, useId, useState } from 'react';
import type { Evaluator, EvaluatorPreviewItem } from '@spoor/model';
import { ApiError, apiSend, apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { type EvaluatorForm, KINDS, KIND_FIELDS, type KindField, TARGETS, problemField, specFromForm } from './evaluator-form';
import { useApi } from '../use-api';
import { PreviewTable } from './PreviewTable';

interface EditorProps {
  initial: EvaluatorForm;
  /** `create` POSTs a new evaluator; `edit` PUTs over the one named in `initial`. */
  mode: 'create' | 'edit';
  onSaved: (evaluator: Evaluator) => void;
  onCancel: () => void;
}

type Problem = { field: string | null; message: string };

/**
 * Makes or changes an evaluator. Preview judges five recent matching targets with the spec as it
 * stands, without saving; Save is offered once the spec on screen has been previewed, so nobody
 * saves a judge they have not seen judge. The server's objection is shown beside its field.
 */
export function EvaluatorEditor({ initial, mode, onSaved, onCancel }: EditorProps) {
  const id = useId();
  const [form, setForm] = useState<EvaluatorForm>(initial);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [failure, setFailure] = useState<Error | undefined>(undefined);
  const [busy, setBusy] = useState<'preview' | 'save' | null>(null);
  const [preview, setPreview] = useState<{ spec: string; items: EvaluatorPreviewItem[] } | null>(null);
  // A judge calls one of the server's providers: offered as a choice, not typed.
  const providers = useApi<{ providers: string[] }>(form.kind === 'llm-judge' ? apiUrl('/api/replay/providers') : null).data?.providers ?? [];

  const built = specFromForm(form);
  const specText = built.ok ? JSON.stringify(built.spec) : null;
  const previewed = preview !== null && preview.spec === specText;
  const set = (change: Partial<EvaluatorForm>) => setForm((f) => ({ ...f, ...change }));
  const setField = (name: string, value: string) => setForm((f) => ({ ...f, fields: { ...f.fields, [name]: value } }));

  /** A failed request: beside its field when the message names one, else above the buttons. */
  const failed = (error: Error) => {
    setBusy(null);
    const field = error instanceof ApiError && error.status === 400 ? problemField(error.message, form.kind) : null;
    if (field !== null) setProblem({ field, message: error.message.replace(/^invalid evaluator: /, '') });
    else setFailure(error);
  };
  const start = (what: 'preview' | 'save'): Record<string, unknown> | null => {
    setProblem(null);
    setFailure(undefined);
    if (!built.ok) {
      setProblem({ field: built.field, message: `${built.field}: ${built.error}` });
      return null;
    }
    setBusy(what);
    return built.spec;
  };
  const runPreview = () => {
    const spec = start('preview');
    if (spec === null) return;
    const sent = JSON.stringify(spec);
    apiSend<{ items: EvaluatorPreviewItem[] }>('POST', '/api/evaluators/preview', { spec }).then((answer) => {
      setBusy(null);
      setPreview({ spec: sent, items: answer.items });
    }, failed);
  };
  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!previewed) return runPreview();
    const spec = start('save');
    if (spec === null) return;
    const saved =
      mode === 'create'
        ? apiSend<Evaluator>('POST', '/api/evaluators', spec)
        : apiSend<Evaluator>('PUT', `/api/evaluators/${encodeURIComponent(initial.name)}`, spec);
    saved.then(onSaved, failed);
  };

  const field = (name: string) => `${id}-${name}`;
  const row = (name: string, label: string, input: ReactNode, hint?: ReactNode) => (
    <FieldRow key={name} id={field(name)} label={label} error={problem?.field === name ? problem.message : null} hint={hint}>
      {input}
    </FieldRow>
  );
  const invalid = (name: string) => ({
    id: field(name),
    'aria-invalid': problem?.field === name || undefined,
    'aria-describedby': problem?.field === name ? `${field(name)}-error` : undefined,
  });
  const title = mode === 'create' ? 'New evaluator' : `Edit evaluator ${initial.name}`;
  return (
    <form className="panel evaluator-editor" onSubmit={save} aria-label={title}>
      <h3>{title}</h3>
      <div className="evaluator-fields">
        {row(
          'name',
          'Name',
          <input
            {...invalid('name')}
            value={form.name}
            onChange={(e) => set({ name: e.target.value })}
            disabled={mode === 'edit'}
            placeholder="no-apology"
            className="short"
          />,
        )}
        {row(
          'kind',
          'Kind',
          <select {...invalid('kind')} value={form.kind} onChange={(e) => set({ kind: e.target.value })} className="short">
            {(KINDS.includes(form.kind) ? KINDS : [form.kind, ...KINDS]).map((kind) => (
              <option key={kind}>{kind}</option>
            ))}
          </select>,
        )}
        {row(
          'target',
          'Judges',
          <select {...invalid('target')} value={form.target} onChange={(e) => set({ target: e.target.value })} className="short">
            {TARGETS.map((target) => (
              <option key={target} value={target}>
                {target === 'llm' ? 'each LLM call' : target === 'span' ? 'each span' : 'the whole trace'}
              </option>
            ))}
          </select>,
        )}
        {(KIND_FIELDS[form.kind] ?? []).map((f) =>
          row(
            f.name,
            f.label,
            <KindInput field={f} value={form.fields[f.name] ?? ''} onChange={(v) => setField(f.name, v)} attrs={invalid(f.name)} providers={providers} />,
          ),
        )}
        {row(
          'filter',
          'Traces',
          <input
            {...invalid('filter')}
            value={form.filter}
            onChange={(e) => set({ filter: e.target.value })}
            placeholder="service=api&model=gpt-4o (every trace when empty)"
          />,
          "the trace list's filters, as its query string",
        )}
        {row(
          'sampleRate',
          'Sample rate',
          <input
            {...invalid('sampleRate')}
            value={form.sampleRate}
            onChange={(e) => set({ sampleRate: e.target.value })}
            inputMode="decimal"
            className="short"
          />,
          'the share of complete traces judged, 0 to 1',
        )}
        {row(
          'dailyBudgetUsd',
          'Daily budget (USD)',
          <input
            {...invalid('dailyBudgetUsd')}
            value={form.dailyBudgetUsd}
            onChange={(e) => set({ dailyBudgetUsd: e.target.value })}
            inputMode="decimal"
            placeholder={form.kind === 'llm-judge' ? "10 (a judge's default)" : 'no limit'}
            className="short"
          />,
          'past it in a UTC day, the evaluator pauses',
        )}
        {row(
          'extra',
          'Other fields (JSON)',
          <textarea
            {...invalid('extra')}
            className="mono"
            rows={Math.min(10, Math.max(2, form.extra.split('\n').length))}
            value={form.extra}
            onChange={(e) => set({ extra: e.target.value })}
            placeholder="{}"
          />,
        )}
      </div>
      <ErrorBox error={failure} />
      <div className="form-actions">
        <button type="button" onClick={runPreview} disabled={busy !== null}>
          {busy === 'preview' ? 'Judging…' : 'Preview'}
        </button>
        <button type="submit" className="primary" disabled={busy !== null || !previewed} title={previewed ? undefined : 'Preview the evaluator first'}>
          {busy === 'save' ? 'Saving…' : mode === 'create' ? 'Create evaluator' : 'Save evaluator'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        {!previewed && <span className="muted">Preview it on recent traces, then save.</span>}
      </div>
      {preview !== null && (
        <section className="evaluator-preview" aria-label="Preview of the evaluator">
          <h4>Preview{previewed ? '' : ' (of an earlier version of the form)'}</h4>
          <PreviewTable items={preview.items} />
        </section>
      )}
    </form>
  );
}

function FieldRow({ id, label, error, hint, children }: { id: string; label: string; error: string | null; hint?: ReactNode; children: ReactNode }) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <div>
        {children}
        {hint !== undefined && <div className="muted hint">{hint}</div>}
        {error !== null && (
          <div className="field-error" id={`${id}-error`} role="alert">
            {error}
          </div>
        )}
      </div>
    </>
  );
}

type InputAttrs = { id: string; 'aria-invalid': boolean | undefined; 'aria-describedby': string | undefined };

function KindInput({
  field,
  value,
  onChange,
  attrs,
  providers,
}: { field: KindField; value: string; onChange: (value: string) => void; attrs: InputAttrs; providers: readonly string[] }) {
  switch (field.type) {
    case 'choice':
    case 'provider': {
      const choices = field.type === 'provider' ? providers : (field.choices ?? []);
      // A saved value the list lacks (a provider since removed) stays shown, so saving keeps it.
      const shown = value === '' || choices.includes(value) ? choices : [value, ...choices];
      return (
        <select {...attrs} value={value} onChange={(e) => onChange(e.target.value)} className="short">
          <option value="">{field.placeholder ?? 'none'}</option>
          {shown.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      );
    }
    case 'boolean':
      return <input {...attrs} type="checkbox" checked={value === 'true'} onChange={(e) => onChange(e.target.checked ? 'true' : '')} />;
    case 'on':
      return (
        <select {...attrs} value={value} onChange={(e) => onChange(e.target.value)} className="short">
          <option value="">the output (default)</option>
          <option value="output">the output</option>
          <option value="input">the input</option>
        </select>
      );
    case 'longtext':
    case 'json':
      return (
        <textarea
          {...attrs}
          className={field.type === 'json' ? 'mono' : undefined}
          rows={field.type === 'json' ? 4 : 3}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder={field.placeholder}
        />
      );
    default:
      return (
        <input
          {...attrs}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder={field.placeholder}
          inputMode={field.type === 'number' ? 'decimal' : undefined}
          className={field.type === 'number' ? 'short' : undefined}
        />
      );
  }
}
