import type { SpanState } from './span.js';
import type { TraceSummary } from './trace.js';

/**
 * A span as the live stream of its trace sends it (`GET /api/traces/:traceId/live`): what the
 * waterfall draws of it, small enough to send for every span as it is committed. Times are
 * absolute epoch microseconds; a span is sent again when it changes (a newer snapshot of a
 * running span, its end, or its trace going quiet: abandoned).
 */
export interface LiveSpan {
  spanId: string;
  /** `null` for a root span. */
  parentSpanId: string | null;
  name: string;
  service: string;
  startUs: number;
  /** `null` while the span runs; of an abandoned span, when its trace was last heard from (where its bar ends). */
  endUs: number | null;
  /** Index into `STATUS_CODES`. */
  statusCode: number;
  /** Index into `SPAN_CATEGORIES`. */
  category: number;
  /** `running` until its end arrives, `abandoned` once its trace went quiet without it (the `SpanState` of every answer). */
  state: SpanState;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  /** The response model, else the request model, of an LLM span; `null` on others. */
  model: string | null;
  /** The span's events as `[timeUs, name]`. */
  events: Array<[timeUs: number, name: string]>;
}

/** The data of an `event: spans` of a trace's live stream: spans new or changed since the event before. */
export interface LiveSpansEvent {
  traceId: string;
  spans: LiveSpan[];
}

/** The data of an `event: traces` of `GET /api/live`: trace summaries new or changed since the event before. */
export interface LiveTracesEvent {
  traces: TraceSummary[];
}
