import { type FormEvent, useEffect, useId, useState } from 'react';
import type { Evaluator, Experiment } from '@spoor/model';
import { apiSend, apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { mayScore, useSession } from '../session-context';
import { useApi } from '../use-api';
import { comparePath } from './compare-view';
import { NAME_RULE, type RunForm, experimentNameText, newExperimentOf, previousRun, progressText, runFormProblem } from './run-form';
import { RunProgress } from './RunProgress';

const EMPTY: RunForm = { name: '', provider: '', model: '', system: '', temperature: '', evaluators: [] };

/**
 * "Run experiment" on a dataset's page: each item's recorded LLM call made again on this server
 * with another model, system prompt or temperature (`POST /api/experiments`, an `llm-call` target),
 * scored by the evaluators picked; then its progress until done, and a link to its comparison with
 * the run before it. Offered to a key that may run experiments (ingest or admin).
 */
export function RunExperiment({ dataset, runs, onChanged }: { dataset: string; runs: readonly Experiment[]; onChanged: () => void }) {
  const session = useSession();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState<RunForm>(EMPTY);
  const [problem, setProblem] = useState<string | null>(null);
  const [failure, setFailure] = useState<Error | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [started, setStarted] = useState<Experiment | null>(null);
  const providers = useApi<{ providers: string[] }>(open ? apiUrl('/api/replay/providers') : null);
  const evaluators = useApi<{ evaluators: Evaluator[] }>(open ? '/api/evaluators' : null);
  const providerNames = providers.data?.providers ?? [];
  const provider = form.provider === '' ? (providerNames[0] ?? '') : form.provider;

  if (session === null || !mayScore(session)) return null;
  const set = (change: Partial<RunForm>) => setForm((f) => ({ ...f, ...change }));
  const nameProblem = form.name === '' ? null : experimentNameText(form.name);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const filled = { ...form, provider };
    const why = runFormProblem(filled, providerNames);
    // A name refused is said beside the name already.
    setProblem(why === nameProblem ? null : why);
    setFailure(undefined);
    if (why !== null) return;
    setBusy(true);
    apiSend<Experiment>('POST', '/api/experiments', newExperimentOf(filled, dataset)).then(
      (made) => {
        setBusy(false);
        setStarted(made);
        setOpen(false);
        onChanged();
      },
      (error: Error) => {
        setBusy(false);
        setFailure(error);
      },
    );
  };

  return (
    <div className="run-experiment">
      <button type="button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        Run experiment
      </button>
      {open && (
        <form className="run-experiment-form panel" aria-label="Run experiment" onSubmit={submit}>
          <p className="muted">Each item’s recorded LLM call (or its input, as the user’s message) is made again on this server with these changes.</p>
          <label className="name">
            Name
            <input
              value={form.name}
              onChange={(e) => set({ name: e.target.value })}
              placeholder="gpt-4o-mini shorter prompt"
              maxLength={200}
              aria-invalid={nameProblem !== null || undefined}
              aria-describedby={`${id}-rule`}
            />
            <small id={`${id}-rule`} className="muted">
              {NAME_RULE}; no commas
            </small>
            {nameProblem !== null && (
              <span className="field-error" role="alert">
                {nameProblem}
              </span>
            )}
          </label>
          <label>
            Provider
            <select value={provider} onChange={(e) => set({ provider: e.target.value })} disabled={providerNames.length === 0}>
              {providerNames.length === 0 && <option value="">{providers.data === undefined ? 'Loading…' : 'none configured'}</option>}
              {providerNames.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Model
            <input value={form.model} onChange={(e) => set({ model: e.target.value })} placeholder="gpt-4o-mini" maxLength={200} />
          </label>
          <label>
            Temperature
            <input value={form.temperature} onChange={(e) => set({ temperature: e.target.value })} placeholder="as recorded" size={8} inputMode="decimal" />
          </label>
          <label className="wide">
            System prompt
            <textarea value={form.system} onChange={(e) => set({ system: e.target.value })} placeholder="as recorded" rows={3} />
          </label>
          <fieldset className="wide">
            <legend>Evaluators</legend>
            {evaluators.data !== undefined && evaluators.data.evaluators.length === 0 && (
              <span className="muted">
                None yet: <Link to="/evaluators">make one</Link> to score the runs.
              </span>
            )}
            {evaluators.data?.evaluators.map((e) => (
              <label key={e.name} className="check">
                <input
                  type="checkbox"
                  checked={form.evaluators.includes(e.name)}
                  onChange={(event) => set({ evaluators: event.target.checked ? [...form.evaluators, e.name] : form.evaluators.filter((n) => n !== e.name) })}
                />
                {e.name}
              </label>
            ))}
          </fieldset>
          <div className="wide form-actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Starting…' : 'Start'}
            </button>
            {problem !== null && (
              <span className="field-error" role="alert">
                {problem}
              </span>
            )}
          </div>
          <ErrorBox error={providers.error ?? evaluators.error ?? failure} />
        </form>
      )}
      {started !== null && <StartedRun key={started.id} started={started} runs={runs} onEnded={onChanged} />}
    </div>
  );
}

/** The run just started: its progress while it runs, then its comparison with the run before it. */
function StartedRun({ started, runs, onEnded }: { started: Experiment; runs: readonly Experiment[]; onEnded: () => void }) {
  const [running, setRunning] = useState(true);
  const polled = useApi<Experiment>(apiUrl(`/api/experiments/${started.id}`), { refreshMs: running ? 1000 : null });
  const run = polled.data ?? started;
  useEffect(() => {
    if (run.state === 'running' || !running) return;
    setRunning(false);
    onEnded();
  }, [run.state, running, onEnded]);
  const previous = previousRun(runs, run);
  return (
    <div className="run-experiment-progress panel" role="status" aria-label={`Experiment ${run.name}`}>
      <RunProgress run={run} text={progressText(run)} named />
      {run.state !== 'running' &&
        (previous === null ? (
          <span className="muted">The first run on this dataset: run another to compare them.</span>
        ) : (
          <Link to={comparePath(previous.id, run.id)}>Compare with {previous.name}</Link>
        ))}
      <ErrorBox error={polled.error} />
    </div>
  );
}
