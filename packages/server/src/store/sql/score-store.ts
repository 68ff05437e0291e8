import type { ScoreQuery, ScoreRecord, TimeRange } from '@spoor/model';
import type { ScoreStore, ScoreTallies, StoredScore, TargetFound } from '../ports/scores.js';
import type { TimeKey } from '../ports/traces.js';
import type { SqlEngine } from './dialect.js';
import { tallySessionScores, tallyTraceScores } from './score-tallies.js';
import { findTarget, getScore, latestScoreRow, listScores, scoresOfTraces } from './scores.js';

/**
 * The score port over the queries written once: an engine gives only how rows are appended. A
 * deletion appends a copy of the newest row marked deleted, written after it.
 */
export abstract class SqlScoreStore implements ScoreStore {
  constructor(protected readonly sql: SqlEngine) {}

  /** Appends score rows, durable when it resolves. */
  protected abstract append(scores: readonly ScoreRecord[], writtenUs: number, deleted: boolean): Promise<void>;

  addScores(scores: readonly ScoreRecord[], writtenUs: number): Promise<void> {
    return scores.length === 0 ? Promise.resolve() : this.append(scores, writtenUs, false);
  }

  async deleteScore(projectId: string, scoreId: string, nowUs: number): Promise<boolean> {
    const latest = await latestScoreRow(this.sql, projectId, scoreId);
    if (latest === null || latest.deleted) return false;
    await this.append([latest], Math.max(nowUs, latest.writtenUs + 1), true);
    return true;
  }

  getScore(projectId: string, scoreId: string): Promise<StoredScore | null> {
    return getScore(this.sql, projectId, scoreId);
  }

  listScores(query: ScoreQuery, after: TimeKey | null, limit: number): Promise<StoredScore[]> {
    return listScores(this.sql, query, after, limit);
  }

  scoresOfTraces(projectId: string, traceIds: readonly string[]): Promise<StoredScore[]> {
    return scoresOfTraces(this.sql, projectId, traceIds);
  }

  tallyTraceScores(projectId: string, traceIds: readonly string[]): Promise<ScoreTallies> {
    return tallyTraceScores(this.sql, projectId, traceIds);
  }

  tallySessionScores(
    projectId: string,
    sessions: ReadonlyArray<{ sessionId: string; traceIds: readonly string[] }>,
    range: TimeRange,
  ): Promise<{ own: ScoreTallies; traces: ScoreTallies }> {
    return tallySessionScores(this.sql, projectId, sessions, range);
  }

  findTarget(projectId: string, traceId: string, spanId: string | null): Promise<TargetFound> {
    return findTarget(this.sql, projectId, traceId, spanId);
  }
}
