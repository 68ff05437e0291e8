import { type LiveSpan, type LiveSpansEvent, SPAN_CATEGORIES, STATUS_CODES, type SpanState, type TraceSummary, type TraceSummaryRecord } from '@spoor/model';
import type { LiveCursor } from '../store/live-cursor.js';
import type {
  LiveSpanRow,
  LiveStore,
  LiveTraceFilter,
  RunningSpanStore,
  RunningTraceRecord,
  ScoreStore,
  Store,
  StoredRunningSpan,
  TouchedTrace,
} from '../store/store.js';
import { type RunningSpanView, liveSpansOf, runningTraceFilterOf, traceStateOf } from '../query/running.js';
import type { QueryService } from '../query/query-service.js';
import { callGroup } from '../threads/groups.js';

/** Where a trace with running spans stands: when it was last heard from (epoch µs), and whether they run or are abandoned. */
export interface LiveRunningState {
  traceId: string;
  heardUs: number;
  state: Exclude<SpanState, 'ended'>;
}

/** The trace list's filter that holds every trace of a project: what a read of some traces' ends goes through. */
function everyTraceOf(projectId: string): LiveTraceFilter {
  return {
    projectId,
    range: { fromUs: null, toUs: null },
    service: null,
    spanName: null,
    text: null,
    status: null,
    minDurationMs: null,
    maxDurationMs: null,
    attributes: [],
    sessionId: null,
    model: null,
    scores: [],
  };
}

/**
 * What the live hub (`hub.ts`) asks the database thread: plain values (cursors, rows with
 * their commit) that the hub sorts out per viewer, and the trace list's summaries in its shape.
 */
export function liveReads(
  store: { live: LiveStore; scores: ScoreStore; runningSpans: RunningSpanStore },
  queries: Pick<QueryService, 'summariesOf' | 'clock'>,
) {
  const { live } = store;

  /** When each of these traces' ended spans last ended (a trace with none is left out). */
  const endsOf = async (projectId: string, traceIds: readonly string[]): Promise<Map<string, number>> =>
    new Map((traceIds.length === 0 ? [] : await live.traceSummaries(everyTraceOf(projectId), traceIds)).map((t) => [t.traceId, t.endTimeUs]));

  /** The states of the traces whose snapshots were last received at `heard`: their ended spans' ends count as hearing from them too. */
  const statesOf = async (projectId: string, heard: ReadonlyMap<string, number>): Promise<LiveRunningState[]> => {
    const ends = await endsOf(projectId, [...heard.keys()]);
    const clock = queries.clock();
    return [...heard].map(([traceId, snapshotUs]) => {
      const heardUs = Math.max(snapshotUs, ends.get(traceId) ?? 0);
      return { traceId, heardUs, state: traceStateOf(heardUs, clock) };
    });
  };

  return {
    head: (): Promise<LiveCursor> => live.head(),
    /** Whether the project has the trace, ended spans or running ones (a stream of another project's trace is a 404, as every route's). */
    traceFound: async (projectId: string, traceId: string): Promise<boolean> =>
      (await store.scores.findTarget(projectId, traceId, null)) === 'found' || (await store.runningSpans.lastHeard(projectId, [traceId])).has(traceId),
    spans: (projectId: string, traceIds: readonly string[], after: LiveCursor, upTo: LiveCursor): Promise<LiveSpanRow[]> =>
      live.spansAfter(projectId, traceIds, after, upTo),
    traces: (projectId: string, after: LiveCursor, upTo: LiveCursor, limit: number): Promise<TouchedTrace[]> => live.tracesAfter(projectId, after, upTo, limit),
    /** The summaries of these traces that meet the filter, as `GET /api/traces` gives them (scores, `running`, duration so far). */
    summaries: async (filter: LiveTraceFilter, traceIds: readonly string[]): Promise<TraceSummary[]> => {
      const records: Array<TraceSummaryRecord | RunningTraceRecord> = await live.traceSummaries(filter, traceIds);
      // A trace whose spans all still run has no parts: summarized from its snapshots, where the filter can hold it.
      const found = new Set(records.map((t) => t.traceId));
      const missing = new Set(traceIds.filter((id) => !found.has(id)));
      const runningFilter = missing.size === 0 ? null : runningTraceFilterOf({ ...filter, limit: 1, cursor: null });
      if (runningFilter !== null) {
        records.push(
          ...(await store.runningSpans.listRunningTraces(filter.projectId, filter.range, { ...runningFilter, traceIds: [...missing] }, null, missing.size)),
        );
        records.sort((a, b) => b.startTimeUs - a.startTimeUs || (a.traceId < b.traceId ? 1 : -1));
      }
      return queries.summariesOf(filter.projectId, records);
    },
    /** Of these traces, those with running spans: when each was last heard from, and whether its running spans are abandoned now. */
    runningStates: async (projectId: string, traceIds: readonly string[]): Promise<LiveRunningState[]> =>
      traceIds.length === 0 ? [] : statesOf(projectId, await store.runningSpans.lastHeard(projectId, traceIds)),
    /**
     * The project's traces with running spans heard from within the stale-after time (those not
     * abandoned yet: a live list may show them running), at most `limit`, as `runningStates`.
     */
    recentlyHeard: async (projectId: string, limit: number): Promise<LiveRunningState[]> => {
      const { nowUs, staleAfterUs } = queries.clock();
      return statesOf(projectId, await store.runningSpans.recentlyHeard(projectId, nowUs - staleAfterUs, limit));
    },
    /** The running spans of these traces as their live streams send them, in their state now (a trace with none is left out). */
    runningSpans: async (projectId: string, traceIds: readonly string[]): Promise<LiveSpansEvent[]> => {
      if (traceIds.length === 0) return [];
      const [running, ends] = await Promise.all([store.runningSpans.ofTraces(projectId, traceIds), endsOf(projectId, traceIds)]);
      const byTrace = new Map<string, StoredRunningSpan[]>();
      for (const span of running) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
      const clock = queries.clock();
      return [...byTrace].map(([traceId, spans]) => ({ traceId, spans: liveSpansOf(spans, ends.get(traceId) ?? 0, clock).map(liveSpanOfRunning) }));
    },
  };
}

/** A running span as a live stream sends it: an abandoned one's `endUs` is where its trace was last heard from, where its bar ends. */
function liveSpanOfRunning({ span, state, durationUs }: RunningSpanView): LiveSpan {
  return {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    service: span.serviceName,
    startUs: span.startTimeUs,
    endUs: state === 'abandoned' ? span.startTimeUs + durationUs : null,
    statusCode: Math.max(0, STATUS_CODES.indexOf(span.status.code)),
    category: Math.max(0, SPAN_CATEGORIES.indexOf(span.category)),
    state,
    // Nothing counts a span before it ends: none here, as in the tree's running spans (`runningTreeColumns`).
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    model: span.llm === null ? null : (span.llm.responseModel ?? span.llm.requestModel),
    events: span.eventsJson === '[]' ? [] : (JSON.parse(span.eventsJson) as Array<{ timeUs: number; name: string }>).map((event) => [event.timeUs, event.name]),
  };
}

/** The live hub's calls, as the database thread serves them (`db.live.head()`). */
export type LiveCalls = ReturnType<typeof liveReads>;

export const liveCalls = callGroup(({ store, queries }: { store: Store; queries: QueryService }) => liveReads(store, queries));
