import type { LiveSpan } from '@spoor/model';
import { type LiveCursor, advance, cursorText } from '../store/live-cursor.js';
import type { LiveTraceFilter } from '../store/ports/live.js';
import { type SseEvent, type SseSink, sseEvent } from './sse.js';

/** One open stream: where it is in the store's commits. */
export interface Viewer {
  sink: SseSink;
  cursor: LiveCursor;
}

/** The viewers of one trace. */
export interface TraceWatch {
  projectId: string;
  traceId: string;
  viewers: Set<Viewer>;
  /**
   * While its running spans are abandoned: the event that said so, those spans as it sent them,
   * and the head read before the check (a row committed after it is news the check did not see).
   */
  abandoned: { data: string; spans: Map<string, LiveSpan>; at: LiveCursor } | null;
}

/** The viewers of the trace list under one filter. */
export interface ListWatch {
  filter: LiveTraceFilter;
  viewers: Set<Viewer>;
}

/** The key of a trace's watch. */
export const traceKey = (projectId: string, traceId: string): string => `${projectId}\n${traceId}`;

/**
 * The key of a list watch: viewers of one filter share its reads, and count as one distinct
 * filter. Attribute and score filters must all hold, so their order and repeats make no other
 * filter.
 */
export function listKey(filter: LiveTraceFilter): string {
  const all = (items: readonly unknown[]): string[] => [...new Set(items.map((item) => JSON.stringify(item)))].sort();
  return `${filter.projectId}\n${JSON.stringify({ ...filter, attributes: all(filter.attributes), scores: all(filter.scores) })}`;
}

/**
 * Moves each viewer to `head` and sends it `name` with what `dataAfter` gives for its cursor
 * (`null`: nothing). Viewers at one cursor (all of them, after their first wake-up) get one
 * event, made once: serializing it for each of 50 viewers cost ingest ~40% (bench:live).
 */
export function sendOncePerCursor(viewers: readonly Viewer[], head: LiveCursor, name: string, dataAfter: (cursor: LiveCursor) => string | null): void {
  const made = new Map<string, { cursor: LiveCursor; event: SseEvent | null }>();
  for (const viewer of viewers) {
    const from = cursorText(viewer.cursor);
    let shared = made.get(from);
    if (shared === undefined) {
      const cursor = advance(viewer.cursor, head);
      const data = dataAfter(viewer.cursor);
      shared = { cursor, event: data === null ? null : sseEvent(name, cursorText(cursor), data) };
      made.set(from, shared);
    }
    viewer.cursor = shared.cursor;
    if (shared.event !== null) viewer.sink.event(shared.event);
  }
}

/** Sends every open viewer the same event, changing no cursor: it carries news of no commit (its id is the viewer's own cursor). */
export function sendInPlace(viewers: Iterable<Viewer>, name: string, data: string): void {
  for (const viewer of viewers) if (!viewer.sink.closed) viewer.sink.event(sseEvent(name, cursorText(viewer.cursor), data));
}
