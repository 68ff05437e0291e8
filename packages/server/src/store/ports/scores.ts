import type { ScoreQuery, ScoreRecord } from '@spoor/model';
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
}
