import type { EvaluatorState, SpanCategory, TraceQuery } from '@spoor/model';
import type { LiveCursor } from '../live-cursor.js';
import type { TimeKey } from './traces.js';

/** A definition as stored: its spec as JSON text (checked by `quality/`, not by the store). */
export interface EvaluatorRecord {
  name: string;
  spec: string;
  /** Rises by one on every change of the spec (never on a pause): scores are authored `name@version`. */
  version: number;
  state: EvaluatorState;
  pausedReason: string | null;
  createdUs: number;
  updatedUs: number;
}

/** One target's judging by one evaluator version: what makes each version judge each target once. */
export interface EvaluatorRunRecord {
  evaluator: string;
  version: number;
  traceId: string;
  /** `null` when the target is the trace. */
  spanId: string | null;
  /** Judged, or found with nothing to judge (then `error` says why: no output, no known cost, ...). */
  ok: boolean;
  /** Why it failed; with `ok`, why there was nothing to judge; `null` for a score made. */
  error: string | null;
  costUsd: number;
  timeUs: number;
}

/** Per evaluator version: its targets whose last run was ok or failed, and what its runs cost since a time. */
export interface EvaluatorRunTotals {
  evaluator: string;
  version: number;
  /** Targets last judged into a score. */
  ok: number;
  errors: number;
  /** Targets last found with nothing to judge. */
  notApplicable: number;
  costUsd: number;
}

/** The trace list's span and trace filters (no time range, limit or cursor). */
export type TraceFilter = Omit<TraceQuery, 'projectId' | 'range' | 'limit' | 'cursor'>;

/** A complete trace (see `completeTraces`), by when its last span ended. */
export interface CompleteTrace {
  traceId: string;
  endUs: number;
}

/**
 * A stretch of the store's commits (`live-cursor.ts`) in which the runners look for traces that
 * completed (`completeTracesCommitted`), a page at a time.
 */
export interface CommitRange {
  /** The commits after this cursor... */
  after: LiveCursor;
  /** ...up to this one: those the server made at least `--trace-quiet` ago. */
  upTo: LiveCursor;
  /** Everything committed now: a trace a commit after `upTo` touched is not quiet yet, and is found in the stretch that holds that commit. */
  head: LiveCursor;
  /** Traces after this id (the last of the page before; '' for the first page). */
  afterId: string;
}

/** What an evaluator reads of a span to make its targets (`quality/targets.ts`): no resource, scope, events or links. */
export interface EvaluationSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  category: SpanCategory;
  startTimeUs: number;
  endTimeUs: number;
  isLlm: boolean;
  costUsd: number | null;
  /** An LLM call's tokens (input with the cache), `null` when unknown: an experiment's item counts them. */
  inputTokens: number | null;
  outputTokens: number | null;
  attributesJson: string;
}

/**
 * Evaluators: their definitions (a change is a new row, a deletion one marked deleted, so a name
 * made again goes on from its last version), the runs of each version on each target, and the
 * lease that lets one runner of those sharing a store judge at a time.
 */
export interface EvaluatorStore {
  /** The project's evaluators, deleted ones left out, by name. */
  listEvaluators(projectId: string): Promise<EvaluatorRecord[]>;
  /** An evaluator's newest row, a deletion included (`deleted`), or `null` when the name was never used. */
  latestEvaluator(projectId: string, name: string): Promise<(EvaluatorRecord & { deleted: boolean }) | null>;
  /** Saves a new row of an evaluator (or, with `deleted`, its deletion), read back before any older one. */
  putEvaluator(projectId: string, record: EvaluatorRecord, deleted: boolean): Promise<void>;
  /** Appends runs; a target's newest run replaces its older ones. */
  addRuns(projectId: string, runs: readonly EvaluatorRunRecord[]): Promise<void>;
  /** The newest run of each target of these traces judged by this evaluator version. */
  runsOf(projectId: string, evaluator: string, version: number, traceIds: readonly string[]): Promise<EvaluatorRunRecord[]>;
  /** Targets whose newest run by this evaluator version failed, oldest first (or newest first), at most `limit`. */
  failedRuns(projectId: string, evaluator: string, version: number, limit: number, newestFirst?: boolean): Promise<EvaluatorRunRecord[]>;
  /** Per evaluator version: targets last judged ok, and failed; the cost of runs at or after `costSinceUs`. */
  runTotals(projectId: string, costSinceUs: number): Promise<EvaluatorRunTotals[]>;
  /**
   * Complete traces whose last span ended after `after` (a trace end and id) and at or before
   * `endedByUs`, matching the filter, in end order, at most `limit`. Complete: the root span has
   * ended (it is stored with an end time) and no span of the trace ended after `endedByUs`.
   */
  completeTraces(projectId: string, filter: TraceFilter, after: TimeKey, endedByUs: number, limit: number): Promise<CompleteTrace[]>;
  /**
   * THE rule of completeness, as the runners of evaluators and tail sampling read it: the traces
   * whose last part or running snapshot the commits of `range` wrote (after `range.after`, up to
   * `range.upTo`; none written later, up to `range.head`), whose root span has ended, matching the
   * filter, after `range.afterId` in id order, at most `limit`. Without `slimmedToo`, a trace
   * sampled out (its spans moved to `span_stats`) is left out, as what reads its spans finds none.
   * Measured by commits, never by the spans' own clocks: a trace whose spans say they ended long
   * ago, or in the future, is found once its parts are committed and quiet.
   */
  completeTracesCommitted(projectId: string, filter: TraceFilter, range: CommitRange, limit: number, slimmedToo?: boolean): Promise<CompleteTrace[]>;
  /** The cursor of the commits made at or before `timeUs` by the committing server's clock (the start for none): where a runner that starts looking from then starts. */
  commitsAt(timeUs: number): Promise<LiveCursor>;
  /** How many of the project's traces the commits after `after` up to `upTo` wrote parts or running snapshots of, counted up to `limit`. */
  tracesTouched(projectId: string, after: LiveCursor, upTo: LiveCursor, limit: number): Promise<number>;
  /** The spans of these traces, in one read, in no order (a span written twice may come twice). */
  evaluationSpans(projectId: string, traceIds: readonly string[]): Promise<EvaluationSpan[]>;
  /**
   * Takes (or keeps) the project's runner lease for `holder` until `nowUs + ttlUs`, unless another
   * holder's lease has not expired; whether `holder` holds it now. Of two servers asking at once,
   * both learn the same winner.
   */
  takeLease(projectId: string, holder: string, nowUs: number, ttlUs: number): Promise<boolean>;
}
