import type { TraceSummary } from '@spoor/model';
import type { LiveCursor } from '../store/live-cursor.js';
import type { LiveSpanRow, LiveStore, LiveTraceFilter, ScoreStore, TouchedTrace } from '../store/store.js';
import { scoreSummariesOf, traceSummaryFromRecord } from './convert.js';

/**
 * What the live hub (`live/hub.ts`) asks the database thread: plain values (cursors, rows with
 * their commit) that the hub sorts out per viewer, and the trace list's summaries in its shape.
 */
export function liveCalls(store: { live: LiveStore; scores: ScoreStore }) {
  const { live } = store;
  return {
    liveHead: (): Promise<LiveCursor> => live.head(),
    /** Whether the project has the trace (a stream of another project's trace is a 404, as every route's). */
    liveTraceFound: async (projectId: string, traceId: string): Promise<boolean> => (await store.scores.findTarget(projectId, traceId, null)) === 'found',
    liveSpans: (projectId: string, traceIds: readonly string[], after: LiveCursor, upTo: LiveCursor): Promise<LiveSpanRow[]> => live.spansAfter(projectId, traceIds, after, upTo),
    liveTraces: (projectId: string, after: LiveCursor, upTo: LiveCursor, limit: number): Promise<TouchedTrace[]> => live.tracesAfter(projectId, after, upTo, limit),
    /** The summaries of these traces that meet the filter, as `GET /api/traces` gives them (their scores too). */
    liveSummaries: async (filter: LiveTraceFilter, traceIds: readonly string[]): Promise<TraceSummary[]> => {
      const records = await live.traceSummaries(filter, traceIds);
      if (records.length === 0) return [];
      const tallies = await store.scores.tallyTraceScores(filter.projectId, records.map((t) => t.traceId));
      return records.map((t) => traceSummaryFromRecord(t, scoreSummariesOf(tallies.get(t.traceId))));
    },
  };
}

/** The live hub's calls, as the database thread serves them. */
export type LiveCalls = ReturnType<typeof liveCalls>;
