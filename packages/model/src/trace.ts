import type { LogRecord } from './log.js';
import type { Span } from './span.js';

/** One row of the trace list (`GET /api/traces`). */
export interface TraceSummary {
  traceId: string;
  /** Name of the root span; of the earliest span while the root has not arrived. */
  rootName: string;
  serviceName: string;
  /** ISO-8601 with microseconds. */
  startTime: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
}

/** `GET /api/traces/:traceId`: spans in tree order (parents before children, siblings by start). */
export interface TraceDetail {
  traceId: string;
  spans: Span[];
  logs: LogRecord[];
}

/**
 * `GET /api/traces/:traceId/spans/:spanId`: one span and its logs, read without the rest of the
 * trace. `span.depth` is 0: a lone span has no tree to measure.
 */
export interface SpanDetail {
  traceId: string;
  span: Span;
  logs: LogRecord[];
}

/** A trace summary as a store returns it; times are epoch microseconds. */
export interface TraceSummaryRecord {
  traceId: string;
  rootName: string;
  serviceName: string;
  startTimeUs: number;
  endTimeUs: number;
  spanCount: number;
  errorCount: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
}
