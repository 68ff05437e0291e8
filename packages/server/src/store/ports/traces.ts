import type { TimeRange, TraceQuery, TraceSummaryRecord, TreeChunkColumns } from '@spoor/model';
import type { StoredLog, StoredTrace, StoredTraceBytes } from '../stored-trace.js';
import type { TraceTimings } from '../trace-timings.js';

/**
 * A trace's size: the spans the project stored of it, by its parts (a span stored twice counts
 * twice), and the UTF-8 bytes of their attributes, events and links together (what its whole
 * answer is mostly made of); with the span times its parts bound where the engine read them, for
 * `getTraceBytes` to read within without finding them again: on a big DuckDB store, finding a
 * trace's parts by its id is what grows with the store (a 100M-span file: 140-205 ms a lookup, and
 * the detail made three).
 */
export interface TraceSize {
  spans: number;
  textBytes: number;
  bounds: { fromUs: number; toUs: number } | null;
}

/** Where a page of newest-first results continues: strictly older than this key. */
export interface TimeKey {
  timeUs: number;
  id: string;
}

/** Where a page of a trace's tree continues: strictly after this span in (start, span id) order. */
export interface TreeKey {
  startUs: number;
  spanId: string;
}

/** A page of a trace's waterfall columns (its spans in any order; pages follow each other in (start, span id) order). */
export interface TreePage {
  columns: TreeChunkColumns;
  /** The first session id a span of the page carries. */
  sessionId: string | null;
  /** The page's greatest key (the next page starts after it); `null` for an empty page. */
  last: TreeKey | null;
  /** The span times the trace's parts bound, where the engine found them to read the page: its logs are read within them (`getTraceLogs`). */
  bounds?: TraceSize['bounds'];
}

export interface ServiceRecord {
  name: string;
  spanCount: number;
  errorCount: number;
  logCount: number;
  metricPointCount: number;
  lastSeenUs: number;
}

/** Traces: summaries, a trace's spans, its waterfall columns and timings, in-trace search, services. */
export interface TraceReader {
  /** Trace summaries matching the query, newest first, after `after`, at most `limit`. */
  listTraces(query: TraceQuery, after: TimeKey | null, limit: number): Promise<TraceSummaryRecord[]>;
  /**
   * A trace's spans (any order) and logs, or `null` when the project has no such trace. With
   * `spanId`, only that span (none when the trace lacks it) and that span's logs: the LLM
   * inspector and an error's stack need one span of what may be a 50,000-span trace. JSON fields
   * come as the stored text (`StoredSpan`): the answer splices them in unparsed.
   */
  getTrace(projectId: string, traceId: string, spanId?: string): Promise<StoredTrace | null>;
  /**
   * A trace read for its whole answer (`GET /api/traces/:id`): `getTrace`'s spans and logs, the
   * spans' attributes, events and links as UTF-8 bytes (`SpanTexts`); `null` for no such trace.
   * `lend`: memory the caller lends the read when asked (`null`: none now), which it does not
   * lend again before it is done with the bytes. Memory written for the first time costs a fault
   * per page: ClickHouse's answer of a heavy 20,001-span trace, 49 MB, read into fresh memory
   * every time, cost the reading thread 60-100 ms more; DuckDB's texts read into it cut its CPU a
   * request by a tenth to a sixth (BENCHMARKS.md).
   */
  getTraceBytes(projectId: string, traceId: string, lend?: () => Buffer | null, bounds?: TraceSize['bounds']): Promise<StoredTraceBytes | null>;
  /**
   * How big a trace's whole answer would be, learned before reading it (`TraceSize`): zeros and no
   * bounds for a trace the project has no part of.
   */
  traceSize(projectId: string, traceId: string): Promise<TraceSize>;
  /**
   * A page of a trace: its spans with these ids (every stored copy, any order), their texts as
   * UTF-8 bytes as `getTraceBytes` reads them, and their logs in time order; with `traceLogs`,
   * also the trace's logs that name no span or a span it lacks. Empty for a trace the project
   * does not have.
   */
  getTraceSpans(projectId: string, traceId: string, spanIds: readonly string[], traceLogs: boolean): Promise<StoredTraceBytes>;
  /**
   * A page of what the waterfall draws: the first `limit` spans of the trace after `after` in
   * (start, span id) order, the page's own spans in any order. Empty past the last span, and for a trace the project does not have. A
   * million-span trace is read this way, a page at a time, never whole (`query/tree-stream.ts`).
   */
  getTreePage(projectId: string, traceId: string, after: TreeKey | null, limit: number): Promise<TreePage>;
  /** A trace's logs in time order (what `/tree` gives beside its spans); none for a trace the project does not have. */
  getTraceLogs(projectId: string, traceId: string, bounds?: TraceSize['bounds']): Promise<StoredLog[]>;
  /** Ids of a trace's spans whose attributes, status message or events contain `text` (case-insensitive), in start order. */
  searchTrace(projectId: string, traceId: string, text: string, limit: number): Promise<string[]>;
  /** What a critical path needs of a trace's spans, or `null` when the project has no such trace. */
  getTraceTimings(projectId: string, traceId: string): Promise<TraceTimings | null>;
  listServices(projectId: string, range: TimeRange): Promise<ServiceRecord[]>;
}

/**
 * The spans stored last, so that after a restart the receiver still tells a request sent again
 * (a client that never got the answer to a request acknowledged just before a crash) from a new
 * one. Optional: an engine without it leaves the receiver's memory empty after a restart.
 */
export interface RecentSpanSource {
  /** Up to `perProject` spans of each project, the last stored first: their ids. */
  recentSpanIds(perProject: number): Promise<Array<{ projectId: string; traceId: string; spanId: string }>>;
}
