import type { ScoreFilter, ScoreQuery, ScoreRecord, SpanRecord, TimeRange } from '@spoor/model';
import { talliesOf } from '../../src/store/sql/score-tallies.js';
import type { ScoreStore, ScoreTallies, StoredScore, TargetFound, TimeKey } from '../../src/store/store.js';
import type { LlmResponseRow, ScoreRow } from '../../src/store/table-records.js';
import { byText, inRange } from './fake-reads.js';

/** Scores in memory, read as the engines read them: the newest row of each slot, deletions left out. */
export class FakeScoreStore implements ScoreStore {
  readonly rows: ScoreRow[] = [];
  readonly responses: LlmResponseRow[] = [];

  /** `spans` gives the store's spans: a session's traces are those with a span of the session. */
  constructor(private readonly spans: () => readonly SpanRecord[] = () => []) {}

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

  findTarget(projectId: string, traceId: string, spanId: string | null): Promise<TargetFound> {
    const spans = this.spans().filter((s) => s.projectId === projectId && s.traceId === traceId);
    if (spans.length === 0) return Promise.resolve('no trace');
    return Promise.resolve(spanId === null || spans.some((s) => s.spanId === spanId) ? 'found' : 'no span');
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
    matching.sort((a, b) => b.timeUs - a.timeUs || byText(b.scoreId, a.scoreId));
    return Promise.resolve(matching.slice(0, limit));
  }

  scoresOfTraces(projectId: string, traceIds: readonly string[]): Promise<StoredScore[]> {
    const ids = new Set(traceIds);
    const scores = this.live(projectId).filter((s) => s.traceId !== null && ids.has(s.traceId));
    scores.sort((a, b) => a.timeUs - b.timeUs || byText(a.scoreId, b.scoreId));
    return Promise.resolve(scores);
  }

  tallyTraceScores(projectId: string, traceIds: readonly string[]): Promise<ScoreTallies> {
    const ids = new Set(traceIds);
    return Promise.resolve(tally(this.live(projectId).flatMap((s) => (s.traceId !== null && ids.has(s.traceId) ? [[s.traceId, s] as const] : []))));
  }

  tallySessionScores(
    projectId: string,
    of: ReadonlyArray<{ sessionId: string; traceIds: readonly string[] }>,
    _range: TimeRange,
  ): Promise<{ own: ScoreTallies; traces: ScoreTallies }> {
    const ids = new Set(of.map((s) => s.sessionId));
    const live = this.live(projectId);
    const own = tally(
      live.flatMap((s) => (s.traceId === null && s.responseId === null && s.sessionId !== null && ids.has(s.sessionId) ? [[s.sessionId, s] as const] : [])),
    );
    const sessionsOf = new Map<string, Set<string>>();
    for (const { sessionId, traceIds } of of)
      for (const traceId of traceIds) sessionsOf.set(traceId, (sessionsOf.get(traceId) ?? new Set<string>()).add(sessionId));
    const ofSessions = live.flatMap((s) => [...(sessionsOf.get(s.traceId ?? '') ?? [])].map((session) => [session, s] as const));
    return Promise.resolve({ own, traces: tally(ofSessions) });
  }

  /** The traces of the project whose scores meet `filter`, as the trace list filters them. */
  tracesMeeting(projectId: string, filter: ScoreFilter): Set<string> {
    const byTrace = new Map<string, StoredScore[]>();
    for (const s of this.live(projectId)) {
      if (s.traceId === null || s.name !== filter.name) continue;
      byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
    }
    const meets = (scores: StoredScore[]): boolean => {
      if ('label' in filter) return scores.some((s) => s.label === filter.label) === (filter.op === '=');
      const values = scores.flatMap((s) => (s.value === null ? [] : [s.value]));
      if (values.length === 0) return false;
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const v = filter.value;
      return { '<': mean < v, '<=': mean <= v, '>': mean > v, '>=': mean >= v, '=': mean === v, '!=': mean !== v }[filter.op];
    };
    return new Set([...byTrace].filter(([, scores]) => meets(scores)).map(([traceId]) => traceId));
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
      if (before === undefined || row.timeUs > before.timeUs || (row.timeUs === before.timeUs && row.writtenUs >= before.writtenUs))
        latest.set(row.scoreId, row);
    }
    return latest;
  }

  /** The project's scores, deletions left out, each with the span of its response id where it named only that. */
  private live(projectId: string): StoredScore[] {
    const spanOf = new Map<string, LlmResponseRow>();
    // As the engines: one span per response id, the lowest trace and then span id.
    for (const r of this.responses) {
      if (r.projectId !== projectId) continue;
      const before = spanOf.get(r.responseId);
      if (before === undefined || r.traceId < before.traceId || (r.traceId === before.traceId && r.spanId < before.spanId)) spanOf.set(r.responseId, r);
    }
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

/** Scores, each with its owner (a trace or a session id), tallied per owner and name. */
function tally(scores: ReadonlyArray<readonly [string, StoredScore]>): ScoreTallies {
  return talliesOf(
    scores.map(([owner, s]) => ({ owner, name: s.name, label: s.label, count: 1, valueCount: s.value === null ? 0 : 1, valueSum: s.value ?? 0 })),
  );
}
