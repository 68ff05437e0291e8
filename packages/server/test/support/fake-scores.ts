import type { ScoreQuery, ScoreRecord } from '@spoor/model';
import type { ScoreStore, StoredScore, TimeKey } from '../../src/store/store.js';
import type { LlmResponseRow, ScoreRow } from '../../src/store/table-records.js';
import { inRange } from './fake-reads.js';

/** Scores in memory, read as the engines read them: the newest row of each slot, deletions left out. */
export class FakeScoreStore implements ScoreStore {
  readonly rows: ScoreRow[] = [];
  readonly responses: LlmResponseRow[] = [];

  addScores(scores: readonly ScoreRecord[], writtenUs: number): Promise<void> {
    for (const s of scores) this.rows.push({ ...s, writtenUs, deleted: false });
    return Promise.resolve();
  }

  deleteScore(projectId: string, scoreId: string, nowUs: number): Promise<boolean> {
    const latest = this.latest(projectId).get(scoreId);
    if (latest === undefined || latest.deleted) return Promise.resolve(false);
    this.rows.push({ ...latest, writtenUs: Math.max(nowUs, latest.writtenUs + 1), deleted: true });
    return Promise.resolve(true);
  }

  getScore(projectId: string, scoreId: string): Promise<StoredScore | null> {
    return Promise.resolve(this.live(projectId).find((s) => s.scoreId === scoreId) ?? null);
  }

  listScores(query: ScoreQuery, after: TimeKey | null, limit: number): Promise<StoredScore[]> {
    const matching = this.live(query.projectId).filter(
      (s) =>
        (query.traceId === null || s.traceId === query.traceId) &&
        (query.spanId === null || s.spanId === query.spanId) &&
        (query.sessionId === null || s.sessionId === query.sessionId) &&
        (query.name === null || s.name === query.name) &&
        (query.source === null || s.source === query.source) &&
        inRange(s.timeUs, query.range) &&
        (after === null || s.timeUs < after.timeUs || (s.timeUs === after.timeUs && s.scoreId < after.id)),
    );
    matching.sort((a, b) => b.timeUs - a.timeUs || (a.scoreId < b.scoreId ? 1 : a.scoreId > b.scoreId ? -1 : 0));
    return Promise.resolve(matching.slice(0, limit));
  }

  scoresOfTraces(projectId: string, traceIds: readonly string[]): Promise<StoredScore[]> {
    const ids = new Set(traceIds);
    const scores = this.live(projectId).filter((s) => s.traceId !== null && ids.has(s.traceId));
    scores.sort((a, b) => a.timeUs - b.timeUs || (a.scoreId < b.scoreId ? -1 : a.scoreId > b.scoreId ? 1 : 0));
    return Promise.resolve(scores);
  }

  /** Deletes rows older than the cutoff; how many. */
  deleteOlderThan(records: 'scores' | 'llmResponses', cutoffUs: number): number {
    const list: Array<{ timeUs: number }> = records === 'scores' ? this.rows : this.responses;
    const kept = list.filter((row) => row.timeUs >= cutoffUs);
    const removed = list.length - kept.length;
    list.length = 0;
    list.push(...kept);
    return removed;
  }

  /** The newest row of each of the project's slots. */
  private latest(projectId: string): Map<string, ScoreRow> {
    const latest = new Map<string, ScoreRow>();
    for (const row of this.rows) {
      if (row.projectId !== projectId) continue;
      const before = latest.get(row.scoreId);
      if (before === undefined || row.timeUs > before.timeUs || (row.timeUs === before.timeUs && row.writtenUs >= before.writtenUs)) latest.set(row.scoreId, row);
    }
    return latest;
  }

  /** The project's scores, deletions left out, each with the span of its response id where it named only that. */
  private live(projectId: string): StoredScore[] {
    const spanOf = new Map<string, LlmResponseRow>();
    for (const r of this.responses) if (r.projectId === projectId && !spanOf.has(r.responseId)) spanOf.set(r.responseId, r);
    const scores: StoredScore[] = [];
    for (const row of this.latest(projectId).values()) {
      if (row.deleted) continue;
      const { deleted: _, ...score } = row;
      const span = score.traceId === null && score.responseId !== null ? spanOf.get(score.responseId) : undefined;
      scores.push(span === undefined ? score : { ...score, traceId: span.traceId, spanId: span.spanId });
    }
    return scores;
  }
}
