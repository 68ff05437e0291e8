import type { SpanRecord, TimeRange } from '@spoor/model';
import type { RunningSpanStore, RunningTraceFilter, RunningTraceRecord, StoredRunningSpan, TimeKey } from '../../src/store/store.js';
import type { RunningSpanRow } from '../../src/store/table-records.js';
import { storedSpanOf } from './fake-reads.js';

/** Running snapshots in memory, read as the engines read them: each span's newest, none of a span stored ended. */
export class FakeRunningSpanStore implements RunningSpanStore {
  rows: RunningSpanRow[] = [];

  /** `spans` gives the store's ended spans. */
  constructor(private readonly spans: () => readonly SpanRecord[]) {}

  ofTraces(projectId: string, traceIds: readonly string[], spanId?: string): Promise<StoredRunningSpan[]> {
    const wanted = new Set(traceIds);
    const live = this.live(projectId).filter((s) => wanted.has(s.traceId) && (spanId === undefined || s.spanId === spanId));
    live.sort((a, b) => a.startTimeUs - b.startTimeUs || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0));
    return Promise.resolve(live.map((s) => ({ ...storedSpanOf(s), receivedUs: s.receivedUs })));
  }

  lastHeard(projectId: string, traceIds: readonly string[]): Promise<Map<string, number>> {
    const wanted = new Set(traceIds);
    const heard = new Map<string, number>();
    for (const s of this.live(projectId)) if (wanted.has(s.traceId)) heard.set(s.traceId, Math.max(heard.get(s.traceId) ?? 0, s.receivedUs));
    return Promise.resolve(heard);
  }

  recentlyHeard(projectId: string, sinceUs: number, limit: number): Promise<Map<string, number>> {
    const heard = new Map<string, number>();
    for (const s of this.live(projectId)) if (s.receivedUs >= sinceUs) heard.set(s.traceId, Math.max(heard.get(s.traceId) ?? 0, s.receivedUs));
    return Promise.resolve(new Map([...heard].sort((a, b) => b[1] - a[1]).slice(0, limit)));
  }

  listRunningTraces(projectId: string, range: TimeRange, filter: RunningTraceFilter, after: TimeKey | null, limit: number): Promise<RunningTraceRecord[]> {
    const ended = new Set(
      this.spans()
        .filter((s) => s.projectId === projectId)
        .map((s) => s.traceId),
    );
    const byTrace = new Map<string, RunningSpanRow[]>();
    for (const s of this.live(projectId)) {
      if (ended.has(s.traceId)) continue;
      const list = byTrace.get(s.traceId);
      if (list === undefined) byTrace.set(s.traceId, [s]);
      else list.push(s);
    }
    const traces: RunningTraceRecord[] = [];
    for (const [traceId, spans] of byTrace) {
      if (filter.traceIds !== undefined && !filter.traceIds.includes(traceId)) continue;
      if (filter.service !== null && !spans.some((s) => s.serviceName === filter.service)) continue;
      if (filter.spanName !== null && !spans.some((s) => s.name === filter.spanName)) continue;
      if (filter.sessionId !== null && !spans.some((s) => s.sessionId === filter.sessionId)) continue;
      const earliest = spans.reduce((a, b) => (b.startTimeUs < a.startTimeUs ? b : a));
      const root = spans.find((s) => s.parentSpanId === null) ?? earliest;
      const start = earliest.startTimeUs;
      if (range.fromUs !== null && start < range.fromUs) continue;
      if (range.toUs !== null && start >= range.toUs) continue;
      if (after !== null && !(start < after.timeUs || (start === after.timeUs && traceId < after.id))) continue;
      const maxOf = (values: (string | null)[]): string | null =>
        values
          .filter((v): v is string => v !== null)
          .sort()
          .at(-1) ?? null;
      traces.push({
        traceId,
        rootName: root.name,
        serviceName: root.serviceName,
        startTimeUs: start,
        endTimeUs: start,
        spanCount: 0,
        errorCount: 0,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        unpricedCalls: 0,
        sessionId: maxOf(spans.map((s) => s.sessionId)),
        userId: maxOf(spans.map((s) => s.userId)),
        lastHeardUs: Math.max(...spans.map((s) => s.receivedUs)),
      });
    }
    traces.sort((a, b) => b.startTimeUs - a.startTimeUs || (a.traceId < b.traceId ? 1 : a.traceId > b.traceId ? -1 : 0));
    return Promise.resolve(traces.slice(0, limit));
  }

  sweep(): Promise<number> {
    const ended = this.endedKeys();
    const newest = new Map<string, number>();
    for (const s of this.rows) newest.set(keyOf(s), Math.max(newest.get(keyOf(s)) ?? -Infinity, s.receivedUs));
    this.rows = this.rows.filter((s) => !ended.has(keyOf(s)) && s.receivedUs === newest.get(keyOf(s)));
    return Promise.resolve(this.rows.length);
  }

  /** Deletes, as retention does, the snapshots of spans that started before the cutoff; how many. */
  deleteOlderThan(cutoffUs: number): number {
    const before = this.rows.length;
    this.rows = this.rows.filter((s) => s.startTimeUs >= cutoffUs);
    return before - this.rows.length;
  }

  /** The newest snapshot of each of the project's spans not stored ended (ties: the one with more attributes, then events). */
  private live(projectId: string): RunningSpanRow[] {
    const ended = this.endedKeys();
    const newest = new Map<string, RunningSpanRow>();
    for (const s of this.rows) {
      if (s.projectId !== projectId || ended.has(keyOf(s))) continue;
      const key = keyOf(s);
      const held = newest.get(key);
      if (held === undefined || newer(s, held)) newest.set(key, s);
    }
    return [...newest.values()];
  }

  private endedKeys(): Set<string> {
    return new Set(this.spans().map(keyOf));
  }
}

const keyOf = (s: Pick<SpanRecord, 'projectId' | 'traceId' | 'spanId'>): string => `${s.projectId}/${s.traceId}/${s.spanId}`;

function newer(a: RunningSpanRow, b: RunningSpanRow): boolean {
  if (a.receivedUs !== b.receivedUs) return a.receivedUs > b.receivedUs;
  const attributes = JSON.stringify(a.attributes).length - JSON.stringify(b.attributes).length;
  if (attributes !== 0) return attributes > 0;
  return JSON.stringify(a.events).length > JSON.stringify(b.events).length;
}
