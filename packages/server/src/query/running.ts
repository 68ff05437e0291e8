import { SPAN_CATEGORIES, SPAN_STATES, STATUS_CODES, type TraceQuery, type TraceSummaryRecord, type TreeChunkColumns } from '@spoor/model';
import type { RunningTraceFilter, RunningTraceRecord, StoredRunningSpan } from '../store/store.js';

/**
 * Running spans in the read answers, merged beside what the store read of ended spans: pure
 * functions of the snapshots, the ended spans' times and `now` (no clock here).
 *
 * A running span whose trace has heard nothing for `staleAfterUs` (no snapshot received, no span
 * ended) is abandoned: its process went away before it ended. The last time a trace was heard
 * from is the newest of its snapshots' receipt times and its ended spans' end times (an ended span
 * is exported within seconds of its end, and its receipt time is not stored).
 */

/** A running span as the answers show it: its newest snapshot, its state and its duration so far (not the stream's `LiveSpan`). */
export interface RunningSpanView {
  span: StoredRunningSpan;
  state: 'running' | 'abandoned';
  /** To now while it runs; to when its trace was last heard from once abandoned. */
  durationUs: number;
}

/** What decides a running span's state. */
export interface LiveClock {
  nowUs: number;
  staleAfterUs: number;
}

/** Whether a trace last heard from at `lastHeardUs` is still running, or its running spans are abandoned. */
export function traceStateOf(lastHeardUs: number, clock: LiveClock): 'running' | 'abandoned' {
  return clock.nowUs - lastHeardUs >= clock.staleAfterUs ? 'abandoned' : 'running';
}

/** The running spans of one trace as the answers give them, its ended spans having last ended at `endedUs` (0: none). */
export function liveSpansOf(running: readonly StoredRunningSpan[], endedUs: number, clock: LiveClock): RunningSpanView[] {
  if (running.length === 0) return [];
  let heardUs = endedUs;
  for (const s of running) heardUs = Math.max(heardUs, s.receivedUs);
  const state = traceStateOf(heardUs, clock);
  const untilUs = state === 'running' ? clock.nowUs : heardUs;
  return running.map((span) => ({ span, state, durationUs: Math.max(0, untilUs - span.startTimeUs) }));
}

/**
 * The trace list's filters a trace of running spans alone can be held to (any of its snapshots
 * matching), or `null` when the query filters on what such a trace has none of yet (errors,
 * duration, tokens, scores) or on what only the stored spans' reads test (text, attributes,
 * model): then only traces with ended spans are listed.
 */
export function runningTraceFilterOf(query: TraceQuery): RunningTraceFilter | null {
  // Spoor's own traces are recorded whole once they end: none of them runs.
  const unheld =
    query.origin === 'spoor' ||
    query.text !== null ||
    query.status !== null ||
    query.minDurationMs !== null ||
    query.maxDurationMs !== null ||
    query.attributes.length > 0 ||
    query.model !== null ||
    query.scores.length > 0;
  return unheld ? null : { service: query.service, spanName: query.spanName, sessionId: query.sessionId };
}

/** Two newest-first pages (by start, then trace id, descending) as one, at most `limit`. */
export function mergeNewestFirst<T extends { startTimeUs: number; traceId: string }>(a: readonly T[], b: readonly T[], limit: number): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (out.length < limit && (i < a.length || j < b.length)) {
    const x = a[i];
    const y = b[j];
    const takeA = y === undefined || (x !== undefined && (x.startTimeUs > y.startTimeUs || (x.startTimeUs === y.startTimeUs && x.traceId > y.traceId)));
    out.push(takeA ? x! : y!);
    if (takeA) i++;
    else j++;
  }
  return out;
}

/**
 * A trace summary with what its running spans change: `running` while one runs (not
 * abandoned), and its duration so far then (to now), or to when it was last heard from once its
 * running spans are abandoned. `heardUs` is when its newest snapshot was received (`undefined`:
 * it has no running span).
 */
export function liveSummary(
  record: TraceSummaryRecord | RunningTraceRecord,
  heardUs: number | undefined,
  clock: LiveClock,
): { endTimeUs: number; running: boolean } {
  if (heardUs === undefined) return { endTimeUs: record.endTimeUs, running: false };
  const lastHeardUs = Math.max(heardUs, record.endTimeUs);
  const running = traceStateOf(lastHeardUs, clock) === 'running';
  return { endTimeUs: running ? Math.max(record.endTimeUs, clock.nowUs) : lastHeardUs, running };
}

/**
 * A summary of a trace with ended spans whose root still runs (`root`, its newest snapshot): the
 * stored parts have no root yet and name the trace by its earliest ended span (a child), so the
 * root's name, service, session and user are taken from its snapshot. Its counts stay those of
 * ended spans. A root stored ended has no snapshot left in reads, so a finished root always wins.
 */
export function withRunningRoot<T extends TraceSummaryRecord>(record: T, root: StoredRunningSpan | undefined): T {
  if (root === undefined) return record;
  return { ...record, rootName: root.name, serviceName: root.serviceName, sessionId: root.sessionId ?? record.sessionId, userId: root.userId ?? record.userId };
}

/**
 * A trace's running spans as a chunk of the tree's columns, each with its state and its duration
 * so far; their tokens and cost are left out (`null`), as nothing counts a running span, the
 * trace's totals drawn from these columns included. `/tree` sends them after the ended spans.
 */
export function runningTreeColumns(live: readonly RunningSpanView[]): TreeChunkColumns {
  const n = live.length;
  const states = new Uint8Array(n);
  const events: Array<[number, number, string]> = [];
  live.forEach(({ span, state }, i) => {
    states[i] = SPAN_STATES.indexOf(state);
    if (span.eventsJson !== '[]')
      for (const event of JSON.parse(span.eventsJson) as Array<{ timeUs: number; name: string }>) events.push([i, event.timeUs, event.name]);
  });
  const none = new Array<null>(n).fill(null);
  return {
    spanIds: live.map((l) => l.span.spanId),
    parentSpanIds: live.map((l) => l.span.parentSpanId),
    names: live.map((l) => l.span.name),
    services: live.map((l) => l.span.serviceName),
    models: live.map(({ span }) => (span.llm === null ? null : (span.llm.responseModel ?? span.llm.requestModel))),
    startsUs: live.map((l) => l.span.startTimeUs),
    durationsUs: live.map((l) => l.durationUs),
    statusCodes: live.map((l) => Math.max(0, STATUS_CODES.indexOf(l.span.status.code))),
    categories: live.map((l) => Math.max(0, SPAN_CATEGORIES.indexOf(l.span.category))),
    states,
    inputTokens: none,
    outputTokens: none,
    costUsd: none,
    events,
  };
}
