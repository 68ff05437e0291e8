import type { ApiScope, Attributes, InstrumentationScope, Resource } from './attributes.js';

/** OTLP span kinds, lowercase. */
export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** Span kinds in OTLP enum order (index = wire value). */
export const SPAN_KINDS: readonly SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** OTLP status codes, lowercase. */
export type StatusCode = 'unset' | 'ok' | 'error';

/** Status codes in OTLP enum order (index = wire value). */
export const STATUS_CODES: readonly StatusCode[] = ['unset', 'ok', 'error'];

export interface SpanStatus {
  code: StatusCode;
  message: string;
}

/**
 * What a span is, for the views: a run of a workflow, an agent, a step of either, a call to an
 * LLM, to a tool, to a retriever or to an embedding model, or anything else.
 */
export type SpanCategory = 'workflow' | 'agent' | 'step' | 'llm' | 'tool' | 'retriever' | 'embedding' | 'other';

/** Categories in stored order (index = the value the store keeps; `other` is 7). */
export const SPAN_CATEGORIES: readonly SpanCategory[] = ['workflow', 'agent', 'step', 'llm', 'tool', 'retriever', 'embedding', 'other'];

/** Where an LLM span's cost came from: the instrumentation reported it, or Spoor's price table. */
export type CostSource = 'reported' | 'price_table';

/**
 * Canonical LLM fields derived from a span's attributes, whichever convention it was sent in.
 * Every value that the span does not carry is `null`, never a made-up 0.
 *
 * Token counts mean what the OpenTelemetry GenAI conventions say, whatever the provider reported:
 * `inputTokens` includes the cache reads and cache writes (which are also given on their own),
 * and `outputTokens` includes the reasoning tokens.
 */
export interface LlmFields {
  /** GenAI provider name: `openai`, `anthropic`, `gcp.gemini`, `mistral_ai`, ... */
  provider: string | null;
  /** GenAI operation: `chat`, `text_completion`, `embeddings`, `generate_content`, ... */
  operation: string | null;
  requestModel: string | null;
  responseModel: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  cacheReadInputTokens: number | null;
  cacheCreationInputTokens: number | null;
  reasoningTokens: number | null;
  /** `null` when the span reported none and its model is not in the price table. */
  costUsd: number | null;
  costSource: CostSource | null;
  timeToFirstTokenMs: number | null;
  finishReasons: string[] | null;
}

/** A span event as stored. Times inside the server are epoch microseconds. */
export interface SpanEventRecord {
  timeUs: number;
  name: string;
  attributes: Attributes;
  droppedAttributesCount: number;
}

/** A link from one span to another span. */
export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: Attributes;
  droppedAttributesCount: number;
  flags: number;
}

/**
 * A span as the server holds it between ingest and the store: ids are lowercase hex, times are
 * epoch microseconds (converted from OTLP nanoseconds once, at ingest).
 */
export interface SpanRecord {
  projectId: string;
  traceId: string;
  spanId: string;
  /** `null` for a root span. */
  parentSpanId: string | null;
  traceState: string;
  flags: number;
  name: string;
  kind: SpanKind;
  serviceName: string;
  startTimeUs: number;
  endTimeUs: number;
  status: SpanStatus;
  attributes: Attributes;
  resource: Resource;
  scope: InstrumentationScope;
  events: SpanEventRecord[];
  links: SpanLink[];
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
  llm: LlmFields | null;
  /** Derived at ingest from the session attributes of any convention; `null` when absent. */
  sessionId: string | null;
  /** Derived at ingest from the user attributes of any convention; `null` when absent. */
  userId: string | null;
  category: SpanCategory;
}

/** A span event as the API returns it. */
export interface SpanEvent {
  /** ISO-8601 with microseconds. */
  time: string;
  name: string;
  attributes: Attributes;
  droppedAttributesCount: number;
}

/** A span as the REST API returns it (`GET /api/traces/:traceId`). */
export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState: string;
  flags: number;
  name: string;
  kind: SpanKind;
  serviceName: string;
  /** ISO-8601 with microseconds. */
  startTime: string;
  /** ISO-8601 with microseconds; `null` while the span runs (`state`). */
  endTime: string | null;
  /** Milliseconds; of a running span, so far: to now, or to when its trace was last heard from when abandoned. */
  durationMs: number;
  status: SpanStatus;
  attributes: Attributes;
  /** The resource's attributes (`service.name`, `host.name`, ...). */
  resource: Attributes;
  /** The resource's schema URL, `''` for none. */
  resourceSchemaUrl: string;
  scope: ApiScope;
  events: SpanEvent[];
  links: SpanLink[];
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
  llm: LlmFields | null;
  sessionId: string | null;
  userId: string | null;
  category: SpanCategory;
  /** Depth in the trace tree; 0 for roots (and for spans whose parent never arrived). */
  depth: number;
  /** Set only on a span not ended yet: its latest snapshot (see `SpanState`). */
  state?: 'running' | 'abandoned';
}

/**
 * Where a span is in its life. A span sent with no end (`endTimeUnixNano` 0) is a snapshot of a
 * span still `running`; the ended span, or a later snapshot, replaces it. A running span whose
 * trace has heard nothing (no snapshot, no ended span) for `--stale-after` is `abandoned`: its
 * process went away before it ended. Neither is counted anywhere a span is counted.
 */
export type SpanState = 'ended' | 'running' | 'abandoned';

/** Every span state, in the order the `/tree` answer's `states` column numbers them (0 ended, 1 running, 2 abandoned). */
export const SPAN_STATES: readonly SpanState[] = ['ended', 'running', 'abandoned'];

/** One part of a chat message, in the OpenTelemetry GenAI conventions' message form. */
export type ChatPart =
  | { type: 'text'; content: string }
  | { type: 'reasoning'; content: string }
  | { type: 'tool_call'; id: string | null; name: string; arguments: unknown }
  | { type: 'tool_call_response'; id: string | null; response: unknown }
  | { type: 'other'; kind: string; content: unknown };

export interface ChatMessage {
  /** `system`, `user`, `assistant`, `tool`. */
  role: string;
  parts: ChatPart[];
  finishReason: string | null;
}

/**
 * The prompt and completion of an LLM call, read from whichever convention the span used.
 * Only present when the instrumentation captured content.
 */
export interface LlmMessages {
  system: ChatPart[];
  input: ChatMessage[];
  output: ChatMessage[];
}

/** `GET /api/traces/:traceId/spans/:spanId/llm`: one LLM call for the inspector. */
export interface LlmCallDetail {
  traceId: string;
  spanId: string;
  llm: LlmFields | null;
  messages: LlmMessages;
}
