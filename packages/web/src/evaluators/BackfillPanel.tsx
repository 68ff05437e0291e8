import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { EvaluatorBackfill } from '@spoor/model';
import { apiGet, apiSend } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { backfillBody, backfillDefaults, backfillProgressText, isBackfillFinished } from './evaluator-jobs';

/** How often a running backfill's progress is read: a page of 200 traces takes about that long to judge. */
const POLL_MS = 1000;

/**
 * Judges the traces that completed in a past range (default the last 24 hours) with an
 * evaluator's current version, and shows the job's progress until it finishes; then the row's
 * counts are read again (`onFinished`).
 */
export function BackfillPanel({ name, onFinished, onClose }: { name: string; onFinished: () => void; onClose: () => void }) {
  const path = `/api/evaluators/${encodeURIComponent(name)}/backfill`;
  const [form, setForm] = useState(() => backfillDefaults(Date.now()));
  const [problem, setProblem] = useState<string | null>(null);
  const [job, setJob] = useState<EvaluatorBackfill | null>(null);
  const [starting, setStarting] = useState(false);
  const [failure, setFailure] = useState<Error | undefined>(undefined);
  const finished = useRef(onFinished);
  finished.current = onFinished;
  const running = starting || (job !== null && !isBackfillFinished(job));

  // Polls while the job runs: each answer schedules the next read; a finished job is read no more.
  useEffect(() => {
    if (job === null) return;
    if (isBackfillFinished(job)) {
      finished.current();
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      apiGet<EvaluatorBackfill>(path, controller.signal).then(setJob, (error: Error) => {
        if (!controller.signal.aborted) setFailure(error);
      });
    }, POLL_MS);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [job, path]);

  const start = (event: FormEvent) => {
    event.preventDefault();
    const request = backfillBody(form);
    setProblem(request.ok ? null : request.problem);
    if (!request.ok) return;
    setStarting(true);
    setFailure(undefined);
    setJob(null);
    apiSend<EvaluatorBackfill>('POST', path, request.body).then(
      (started) => {
        setStarting(false);
        setJob(started);
      },
      (error: Error) => {
        setStarting(false);
        setFailure(error);
      },
    );
  };

  return (
    <form className="evaluator-backfill" aria-label={`Backfill ${name}`} onSubmit={start}>
      <p className="muted">Judges, with the current version, the complete traces that ended in the range and were not judged yet.</p>
      <div className="form-actions">
        <label>
          From{' '}
          <input
            type="datetime-local"
            value={form.from}
            onChange={(e) => setForm({ ...form, from: e.target.value })}
            aria-invalid={problem?.startsWith('From') === true}
          />
        </label>
        <label>
          To{' '}
          <input
            type="datetime-local"
            value={form.to}
            onChange={(e) => setForm({ ...form, to: e.target.value })}
            aria-invalid={problem?.startsWith('To') === true}
          />
        </label>
        <span className="muted">(empty: now)</span>
        <button type="submit" className="primary" disabled={running}>
          {running ? 'Backfilling…' : 'Start backfill'}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {problem !== null && <div className="field-error">{problem}</div>}
      <ErrorBox error={failure} />
      {job !== null && (
        <p role="status" data-testid="backfill-progress" data-state={job.state}>
          {backfillProgressText(job)}
        </p>
      )}
    </form>
  );
}
