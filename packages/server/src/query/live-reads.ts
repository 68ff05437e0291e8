import type { TraceSummary } from '@spoor/model';
import type { LiveCursor } from '../store/live-cursor.js';
import type { LiveSpanRow, LiveStore, LiveTraceFilter, ScoreStore, TouchedTrace } from '../store/store.js';
import type { QueryService } from './query-service.js';

/**
 * What the live hub (`live/hub.ts`) asks the database thread: plain values (cursors, rows with
 * their commit) that the hub sorts out per viewer, and the trace list's summaries in its shape.
 */
export function liveCalls(store: { live: LiveStore; scores: ScoreStore }, queries: Pick<QueryService, 'summariesOf'>) {
  const { live } = store;
  return {
    liveHead: (): Promise<LiveCursor> => live.head(),
    /** Whether the project has the trace (a stream of another project's trace is a 404, as every route's). */
    liveTraceFound: async (projectId: string, traceId: string): Promise<boolean> => (await store.scores.findTarget(projectId, traceId, null)) === 'found',
    liveSpans: (projectId: string, traceIds: readonly string[], after: LiveCursor, upTo: LiveCursor): Promise<LiveSpanRow[]> => live.spansAfter(projectId, traceIds, after, upTo),
    liveTraces: (projectId: string, after: LiveCursor, upTo: LiveCursor, limit: number): Promise<TouchedTrace[]> => live.tracesAfter(projectId, after, upTo, limit),
    /** The summaries of these traces that meet the filter, as `GET /api/traces` gives them (scores, `running`, duration so far). */
    liveSummaries: async (filter: LiveTraceFilter, traceIds: readonly string[]): Promise<TraceSummary[]> =>
      queries.summariesOf(filter.projectId, await live.traceSummaries(filter, traceIds)),
  };
}

/** The live hub's calls, as the database thread serves them. */
export type LiveCalls = ReturnType<typeof liveCalls>;
