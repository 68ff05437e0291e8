import type { LogRecord } from './log.js';
import type { Span } from './span.js';
import type { Score, ScoreSummary } from './score.js';

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
  /** LLM calls with tokens but no price (a model Spoor has no price for): `costUsd` leaves them out, so it is a lower bound when this is above 0. */
  unpricedCalls: number;
  /** The session and user a span of the trace names (`session.id`, `user.id` and the other conventions' keys). */
  sessionId: string | null;
  userId: string | null;
  /** Per score name, the trace's scores (its own and its spans'): mean value, count, label counts. */
  scores: Record<string, ScoreSummary>;
  /** `true` while a span of the trace runs (not abandoned); absent otherwise. `durationMs` is then the time so far. */
  running?: boolean;
  /** `true` when tail sampling did not keep the trace whole: its spans are slim (no attributes, events, links or logs); absent otherwise. */
  sampledOut?: boolean;
}

/** `GET /api/traces/:traceId`: spans in tree order (parents before children, siblings by start). */
export interface TraceDetail {
  traceId: string;
  /** `true` when tail sampling did not keep the trace whole: its spans are slim (no attributes, events, links or logs); absent otherwise (and in pages). */
  sampledOut?: boolean;
  spans: Span[];
  logs: LogRecord[];
  /** The scores of the trace and of its spans, in time order. */
  scores: Score[];
}

/**
 * `GET /api/traces/:traceId?spans=OFFSET,LIMIT`: rows `offset .. offset + LIMIT - 1` of the trace's
 * spans in tree order (the order of the whole answer), each with its depth in the whole tree. Each
 * page carries the logs and scores of its own spans; the first page (offset 0) also those of the
 * trace alone (a log with no span, or naming a span the trace lacks; a score of the trace). So the
 * pages, concatenated, are the unpaged answer.
 */
export interface TraceDetailPage extends TraceDetail {
  /** How many spans the trace has in tree order (a span sent twice counts once). */
  spanCount: number;
  /** The row of the page's first span. */
  offset: number;
  /** The `spans=` value of the next page, `null` on the last. */
  nextSpans: string | null;
}

/**
 * What the waterfall draws of each span of a trace, as columns: span `i` is element `i` of every
 * array. A 50,000-span trace is a few megabytes this way, against some 60 with every attribute,
 * and a browser holds numbers and short strings instead of 50,000 objects of objects.
 */
export interface TraceTreeColumns {
  /** Epoch microseconds of the earliest span start; every offset counts from it. */
  originUs: number;
  spanIds: string[];
  parentSpanIds: (string | null)[];
  names: string[];
  /** The trace's distinct services; `serviceIndexes[i]` points into it. */
  services: string[];
  serviceIndexes: number[];
  startOffsetsUs: number[];
  durationsUs: number[];
  /** Index into `STATUS_CODES` (2 is error). */
  statusCodes: number[];
  /** Index into `SPAN_CATEGORIES`. */
  categories: number[];
  /** 0 ended, 1 running, 2 abandoned (a running span's duration is the time so far). */
  states: number[];
  /** Every span event as `[span index, offset µs, name]`. */
  events: [number, number, string][];
  /** LLM spans' tokens, cost and model (response model, else request model); `null` elsewhere. */
  inputTokens: (number | null)[];
  outputTokens: (number | null)[];
  costUsd: (number | null)[];
  models: (string | null)[];
  /** The first session id a span of the trace carries. */
  sessionId: string | null;
}

/** `GET /api/traces/:traceId/tree`: the trace's span columns (in any order) and its logs. */
export interface TraceTree extends Omit<TraceTreeColumns, 'originUs'> {
  traceId: string;
  /** ISO-8601 with microseconds: the earliest span start, from which offsets count. */
  startTime: string;
  logs: LogRecord[];
  /** The scores of the trace and of its spans, in time order. */
  scores: Score[];
}

/** `GET /api/traces/:traceId/search?q=`: spans whose attributes, status message or events contain the text. */
export interface TraceSearchResponse {
  /** In start order, at most `limit` (default 1,000). */
  spanIds: string[];
  /** `true` when there were more than `limit`. */
  truncated: boolean;
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
  /** LLM calls with tokens but no price (a model Spoor has no price for): `costUsd` leaves them out, so it is a lower bound when this is above 0. */
  unpricedCalls: number;
  sessionId: string | null;
  userId: string | null;
}
