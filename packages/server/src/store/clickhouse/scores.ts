import type { ScoreQuery, ScoreRecord, TimeRange } from '@spoor/model';
import type { ScoreStore, ScoreTallies, StoredScore } from '../ports/scores.js';
import type { TimeKey } from '../ports/traces.js';
import { tallySessionScores, tallyTraceScores } from '../sql/score-tallies.js';
import { getScore, latestScoreRow, listScores, scoresOfTraces } from '../sql/scores.js';
import type { ClickHouseSql } from './dialect.js';

/**
 * Scores in the `scores` table. Rows added here, outside a write batch, carry `batch_id` 0: no
 * commit owns them, so a commit abandoned after a crash never deletes them.
 */
export class ClickHouseScoreStore implements ScoreStore {
  constructor(private readonly sql: ClickHouseSql) {}

  addScores(scores: readonly ScoreRecord[], writtenUs: number): Promise<void> {
    return this.insert(scores, writtenUs, false);
  }

  private insert(scores: readonly ScoreRecord[], writtenUs: number, deleted: boolean): Promise<void> {
    const ch = this.sql.ch;
    return ch.insertRows(
      'store scores',
      ch.tables.scores,
      scores.map((s) => ({
        project_id: s.projectId,
        score_id: s.scoreId,
        time_us: s.timeUs,
        written_us: writtenUs,
        trace_id: s.traceId,
        span_id: s.spanId,
        session_id: s.sessionId,
        response_id: s.responseId,
        name: s.name,
        value: s.value,
        label: s.label,
        comment: s.comment,
        source: s.source,
        author: s.author,
        deleted,
        batch_id: 0,
      })),
    );
  }

  async deleteScore(projectId: string, scoreId: string, nowUs: number): Promise<boolean> {
    const latest = await latestScoreRow(this.sql, projectId, scoreId);
    if (latest === null || latest.deleted) return false;
    await this.insert([latest], Math.max(nowUs, latest.writtenUs + 1), true);
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
