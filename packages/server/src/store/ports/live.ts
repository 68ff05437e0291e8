import type { LiveSpan, TraceQuery, TraceSummaryRecord } from '@spoor/model';
import type { LiveCursor, LivePosition } from '../live-cursor.js';

/** A span of a live read, with the commit that stored it. */
export interface LiveSpanRow {
  traceId: string;
  span: LiveSpan;
  at: LivePosition;
}

/** A trace a commit touched (a trace touched by several writers comes once per writer). */
export interface TouchedTrace {
  traceId: string;
  /** The last commit after the cursor that touched it, of its writer. */
  at: LivePosition;
}

/** What the trace list's live stream filters on: the list's filters, without page or range. */
export type LiveTraceFilter = Omit<TraceQuery, 'limit' | 'cursor'>;

/**
 * What changed after a cursor (`live-cursor.ts`): the reads of the live streams. Each read takes
 * the cursor it reads after and the one it reads up to (`head`, read first): every commit up to
 * that head is visible to the read, so the head is where its readers are after it, with no gap,
 * and each row carries its commit's position, so one read serves viewers at several cursors.
 */
export interface LiveStore {
  /** The cursor of everything committed now. */
  head(): Promise<LiveCursor>;
  /** The spans of these traces committed after `after`, up to `upTo`, in commit order. */
  spansAfter(projectId: string, traceIds: readonly string[], after: LiveCursor, upTo: LiveCursor): Promise<LiveSpanRow[]>;
  /** The project's traces that commits after `after`, up to `upTo`, added spans to (at most `limit`, the last touched first). */
  tracesAfter(projectId: string, after: LiveCursor, upTo: LiveCursor, limit: number): Promise<TouchedTrace[]>;
  /** The summaries of these traces that meet the trace list's filters (and its time range). */
  traceSummaries(filter: LiveTraceFilter, traceIds: readonly string[]): Promise<TraceSummaryRecord[]>;
}
