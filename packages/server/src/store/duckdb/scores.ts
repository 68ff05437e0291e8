import type { ScoreQuery, ScoreRecord, TimeRange } from '@spoor/model';
import type { ScoreStore, ScoreTallies, StoredScore } from '../ports/scores.js';
import type { TimeKey } from '../ports/traces.js';
import { tallySessionScores, tallyTraceScores } from '../sql/score-tallies.js';
import { getScore, latestScoreRow, listScores, scoresOfTraces } from '../sql/scores.js';
import { scoreColumns } from '../tables.js';
import { appendBatch } from './chunks.js';
import type { DuckDbSql } from './dialect.js';

/** Scores in the `scores` table, appended on a connection of their own (not a writer's open transaction). */
export class DuckDbScoreStore implements ScoreStore {
  constructor(private readonly sql: DuckDbSql) {}

  addScores(scores: readonly ScoreRecord[], writtenUs: number): Promise<void> {
    return this.append(scores, writtenUs, false);
  }

  private async append(scores: readonly ScoreRecord[], writtenUs: number, deleted: boolean): Promise<void> {
    if (scores.length === 0) return;
    await this.sql.on('store scores', async (connection) => {
      const appender = await connection.createAppender('scores');
      try {
        appendBatch(appender, scoreColumns(scores, writtenUs, deleted));
      } finally {
        appender.closeSync();
      }
    });
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

  tallySessionScores(projectId: string, sessionIds: readonly string[], range: TimeRange): Promise<{ own: ScoreTallies; traces: ScoreTallies }> {
    return tallySessionScores(this.sql, projectId, sessionIds, range);
  }
}
