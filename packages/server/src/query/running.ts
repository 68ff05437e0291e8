import { SPAN_CATEGORIES, STATUS_CODES, type TraceQuery, type TraceSummaryRecord, type TraceTreeColumns } from '@spoor/model';
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

/** When live: a running span's state, and its duration so far. */
export interface LiveSpan {
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
export function liveSpansOf(running: readonly StoredRunningSpan[], endedUs: number, clock: LiveClock): LiveSpan[] {
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
  const unheld =
    query.text !== null || query.status !== null || query.minDurationMs !== null || query.maxDurationMs !== null ||
    query.attributes.length > 0 || query.model !== null || query.scores.length > 0;
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
export function liveSummary(record: TraceSummaryRecord | RunningTraceRecord, heardUs: number | undefined, clock: LiveClock): { endTimeUs: number; running: boolean } {
  if (heardUs === undefined) return { endTimeUs: record.endTimeUs, running: false };
  const lastHeardUs = Math.max(heardUs, record.endTimeUs);
  const running = traceStateOf(lastHeardUs, clock) === 'running';
  return { endTimeUs: running ? Math.max(record.endTimeUs, clock.nowUs) : lastHeardUs, running };
}

/** The span of the `SPAN_STATES` index of a live span (1 running, 2 abandoned). */
const STATE_INDEX = { running: 1, abandoned: 2 } as const;

/**
 * A trace's waterfall columns with its running spans after the ended ones, and each span's state
 * (0 ended); `tree` `null` when no span of it ended. A running span's duration is the time so far;
 * its tokens and cost are left out (`null`), as nothing counts a running span, the trace's totals
 * drawn from these columns included.
 */
export function treeWithLiveSpans(tree: TraceTreeColumns | null, live: readonly LiveSpan[]): { tree: TraceTreeColumns; states: number[] } | null {
  if (tree === null && live.length === 0) return null;
  const base: TraceTreeColumns = tree ?? emptyTree(live);
  const states = new Array<number>(base.spanIds.length).fill(0);
  if (live.length === 0) return { tree: base, states };
  const originUs = Math.min(base.originUs, ...live.map((l) => l.span.startTimeUs));
  const shift = base.originUs - originUs;
  const out: TraceTreeColumns = {
    ...base,
    originUs,
    spanIds: [...base.spanIds],
    parentSpanIds: [...base.parentSpanIds],
    names: [...base.names],
    services: [...base.services],
    serviceIndexes: [...base.serviceIndexes],
    startOffsetsUs: shift === 0 ? [...base.startOffsetsUs] : base.startOffsetsUs.map((o) => o + shift),
    durationsUs: [...base.durationsUs],
    statusCodes: [...base.statusCodes],
    categories: [...base.categories],
    events: shift === 0 ? [...base.events] : base.events.map(([i, o, name]) => [i, o + shift, name]),
    inputTokens: [...base.inputTokens],
    outputTokens: [...base.outputTokens],
    costUsd: [...base.costUsd],
    models: [...base.models],
  };
  for (const { span, state, durationUs } of live) {
    const index = out.spanIds.length;
    let service = out.services.indexOf(span.serviceName);
    if (service < 0) service = out.services.push(span.serviceName) - 1;
    out.spanIds.push(span.spanId);
    out.parentSpanIds.push(span.parentSpanId);
    out.names.push(span.name);
    out.serviceIndexes.push(service);
    out.startOffsetsUs.push(span.startTimeUs - originUs);
    out.durationsUs.push(durationUs);
    out.statusCodes.push(Math.max(0, STATUS_CODES.indexOf(span.status.code)));
    out.categories.push(Math.max(0, SPAN_CATEGORIES.indexOf(span.category)));
    for (const event of JSON.parse(span.eventsJson) as Array<{ timeUs: number; name: string }>) out.events.push([index, event.timeUs - originUs, event.name]);
    out.inputTokens.push(null);
    out.outputTokens.push(null);
    out.costUsd.push(null);
    out.models.push(span.llm === null ? null : (span.llm.responseModel ?? span.llm.requestModel));
    out.sessionId ??= span.sessionId;
    states.push(STATE_INDEX[state]);
  }
  return { tree: out, states };
}

function emptyTree(live: readonly LiveSpan[]): TraceTreeColumns {
  return {
    originUs: Math.min(...live.map((l) => l.span.startTimeUs)),
    spanIds: [], parentSpanIds: [], names: [], services: [], serviceIndexes: [], startOffsetsUs: [], durationsUs: [], statusCodes: [],
    categories: [], events: [], inputTokens: [], outputTokens: [], costUsd: [], models: [], sessionId: null,
  };
}

/** When a trace's ended spans last ended, from its waterfall columns (0: none). */
export function lastEndOf(tree: TraceTreeColumns | null): number {
  if (tree === null) return 0;
  let end = 0;
  for (let i = 0; i < tree.spanIds.length; i++) end = Math.max(end, tree.originUs + tree.startOffsetsUs[i]! + tree.durationsUs[i]!);
  return end;
}
