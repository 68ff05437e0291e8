import type { TraceSummary, TraceSummaryRecord } from '@spoor/model';
import type { LiveCursor } from '../store/live-cursor.js';
import type { LiveSpanRow, LiveStore, LiveTraceFilter, RunningSpanStore, RunningTraceRecord, ScoreStore, TouchedTrace } from '../store/store.js';
import { runningTraceFilterOf } from './running.js';
import type { QueryService } from './query-service.js';

/**
 * What the live hub (`live/hub.ts`) asks the database thread: plain values (cursors, rows with
 * their commit) that the hub sorts out per viewer, and the trace list's summaries in its shape.
 */
export function liveCalls(store: { live: LiveStore; scores: ScoreStore; runningSpans: RunningSpanStore }, queries: Pick<QueryService, 'summariesOf'>) {
  const { live } = store;
  return {
    liveHead: (): Promise<LiveCursor> => live.head(),
    /** Whether the project has the trace, ended spans or running ones (a stream of another project's trace is a 404, as every route's). */
    liveTraceFound: async (projectId: string, traceId: string): Promise<boolean> =>
      (await store.scores.findTarget(projectId, traceId, null)) === 'found' || (await store.runningSpans.lastHeard(projectId, [traceId])).has(traceId),
    liveSpans: (projectId: string, traceIds: readonly string[], after: LiveCursor, upTo: LiveCursor): Promise<LiveSpanRow[]> => live.spansAfter(projectId, traceIds, after, upTo),
    liveTraces: (projectId: string, after: LiveCursor, upTo: LiveCursor, limit: number): Promise<TouchedTrace[]> => live.tracesAfter(projectId, after, upTo, limit),
    /** The summaries of these traces that meet the filter, as `GET /api/traces` gives them (scores, `running`, duration so far). */
    liveSummaries: async (filter: LiveTraceFilter, traceIds: readonly string[]): Promise<TraceSummary[]> => {
      const records: Array<TraceSummaryRecord | RunningTraceRecord> = await live.traceSummaries(filter, traceIds);
      // A trace whose spans all still run has no parts: summarized from its snapshots, where the filter can hold it.
      const found = new Set(records.map((t) => t.traceId));
      const missing = new Set(traceIds.filter((id) => !found.has(id)));
      const runningFilter = missing.size === 0 ? null : runningTraceFilterOf({ ...filter, limit: 1, cursor: null });
      if (runningFilter !== null) {
        records.push(...(await store.runningSpans.listRunningTraces(filter.projectId, filter.range, { ...runningFilter, traceIds: [...missing] }, null, missing.size)));
        records.sort((a, b) => b.startTimeUs - a.startTimeUs || (a.traceId < b.traceId ? 1 : -1));
      }
      return queries.summariesOf(filter.projectId, records);
    },
  };
}

/** The live hub's calls, as the database thread serves them. */
export type LiveCalls = ReturnType<typeof liveCalls>;
