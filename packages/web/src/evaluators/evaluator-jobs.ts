import type { EvaluatorBackfill, EvaluatorError } from '@spoor/model';
import { pathWith } from '../router';

/**
 * What the Evaluators page shows of an evaluator's jobs: the backfill form's range and body, a
 * backfill's progress, a retry's outcome, and where a failed target opens. Pure; tested in
 * evaluator-jobs.test.ts.
 */

/** A backfill from the page reaches back this far unless told otherwise. */
export const BACKFILL_DEFAULT_HOURS = 24;

/** What the backfill form holds: `datetime-local` values in the browser's time zone; an empty `to` is now. */
export interface BackfillForm {
  from: string;
  to: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-11-22T09:05`: a time as a `datetime-local` input holds it, in the browser's time zone. */
export function localInputValue(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The form as it opens: the last 24 hours, up to now (left empty, so "now" is when it is sent). */
export function backfillDefaults(nowMs: number): BackfillForm {
  return { from: localInputValue(nowMs - BACKFILL_DEFAULT_HOURS * 3_600_000), to: '' };
}

/** The body of `POST /api/evaluators/:name/backfill` (ISO-8601 times), or what is wrong with the form. */
export function backfillBody(form: BackfillForm): { ok: true; body: { from: string; to?: string } } | { ok: false; problem: string } {
  const fromMs = form.from.trim() === '' ? Number.NaN : new Date(form.from).getTime();
  if (!Number.isFinite(fromMs)) return { ok: false, problem: 'From: pick when the range starts' };
  if (form.to.trim() === '') return { ok: true, body: { from: new Date(fromMs).toISOString() } };
  const toMs = new Date(form.to).getTime();
  if (!Number.isFinite(toMs)) return { ok: false, problem: 'To: pick when the range ends, or leave it empty for now' };
  if (fromMs > toMs) return { ok: false, problem: 'From must not be after To' };
  return { ok: true, body: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() } };
}

/** A backfill is polled until it says it finished (done, or stopped by an error). */
export const isBackfillFinished = (job: EvaluatorBackfill): boolean => job.finishedAt !== null;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `(1 failed, 2 with nothing to judge)` after a count of targets judged; empty when all made a score. */
function outcomesText(errors: number, notApplicable: number): string {
  const parts = [...(errors > 0 ? [`${errors} failed`] : []), ...(notApplicable > 0 ? [`${notApplicable} with nothing to judge`] : [])];
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** `Done: 12 traces, 10 sampled in, 8 judged (1 failed), 2 judged before.` */
export function backfillProgressText(job: EvaluatorBackfill): string {
  const counts = `${plural(job.traces, 'trace')}, ${job.sampled} sampled in, ${job.judged} judged${outcomesText(job.errors, job.notApplicable)}, ${job.skipped} judged before`;
  if (job.state === 'running') return `Running: ${counts} so far…`;
  if (job.state === 'failed') return `Stopped: ${job.error ?? 'unknown error'}. ${counts}.`;
  return `Done: ${counts}.`;
}

/** What `POST /api/evaluators/:name/retry` answers. */
export interface RetryOutcome {
  retried: number;
  ok: number;
  errors: number;
  notApplicable: number;
}

/** What a retry did, in words. */
export function retryOutcomeText(outcome: RetryOutcome): string {
  if (outcome.retried === 0) return 'Nothing to retry: no target’s last judging failed.';
  const nothing = outcome.notApplicable > 0 ? `, ${outcome.notApplicable} with nothing to judge` : '';
  return `Judged ${plural(outcome.retried, 'target')} again: ${outcome.ok} ok, ${outcome.errors} failed again${nothing}.`;
}

/** Where a failed target opens: its trace, at the span when the target is one. */
export function errorTargetPath(error: Pick<EvaluatorError, 'traceId' | 'spanId'>): string {
  return pathWith(`/traces/${error.traceId}`, { span: error.spanId });
}
