import type { ScoreQuery, ScoreRecord, TimeRange } from '@spoor/model';
import type { TimeKey } from './traces.js';

/**
 * A score as read: the newest version of its slot, with the trace and span of a score that named
 * only an LLM response id filled in once a span with that response id is stored.
 */
export interface StoredScore extends ScoreRecord {
  /** When the version read was written (the newest of its slot). */
  writtenUs: number;
}

/**
 * The scores of one name over a set of targets, as sums, so that the tallies of two sets add up
 * (a session's runs): how many, how many with a value and their sum, and how many per label.
 */
export interface ScoreTally {
  count: number;
  valueCount: number;
  valueSum: number;
  labels: Map<string, number>;
}

/** Whether a score's target is stored: the trace, and (when named) its span. */
export type TargetFound = 'found' | 'no trace' | 'no span';

/** Per owner (a trace id or a session id), per score name, the tally of the owner's scores. */
export type ScoreTallies = Map<string, Map<string, ScoreTally>>;

/**
 * Scores: appended by ingest (in write batches), by the API and by evaluators; read newest
 * version per slot (`scoreId`), a deleted slot left out.
 */
export interface ScoreStore {
  /** Stores scores at once (durable when it resolves); a score of a slot already stored is its new version. */
  addScores(scores: readonly ScoreRecord[], writtenUs: number): Promise<void>;
  /** Deletes a slot's score; `false` when the project has no such score. */
  deleteScore(projectId: string, scoreId: string, nowUs: number): Promise<boolean>;
  /** One score, or `null`. */
  getScore(projectId: string, scoreId: string): Promise<StoredScore | null>;
  /** Scores matching the query, newest first (by time, then score id), after `after`, at most `limit`. */
  listScores(query: ScoreQuery, after: TimeKey | null, limit: number): Promise<StoredScore[]>;
  /** Every score of these traces (of the trace, or of one of its spans), in time order. */
  scoresOfTraces(projectId: string, traceIds: readonly string[]): Promise<StoredScore[]>;
  /** Per trace of these, per score name: the tally of the trace's scores (its own and its spans'), read in one query. */
  tallyTraceScores(projectId: string, traceIds: readonly string[]): Promise<ScoreTallies>;
  /**
   * Per session of these, per score name: the tally of the session's own scores, and of the
   * scores of the traces given with it (its runs in `range`, as `SessionRecord.traceIds`), in one
   * query.
   */
  tallySessionScores(
    projectId: string,
    sessions: ReadonlyArray<{ sessionId: string; traceIds: readonly string[] }>,
    range: TimeRange,
  ): Promise<{ own: ScoreTallies; traces: ScoreTallies }>;
  /** Whether the project has the trace, and, with `spanId`, that span of it (read without reading the trace). */
  findTarget(projectId: string, traceId: string, spanId: string | null): Promise<TargetFound>;
}
