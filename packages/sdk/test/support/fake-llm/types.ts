import { type IncomingHttpHeaders } from 'node:http';

// The fake's public types and defaults; ../fake-llm.ts describes what it serves.

export const DEFAULT_TEXT = 'Hello from the fake LLM.';
export const DEFAULT_USAGE = { inputTokens: 12, outputTokens: 6, cachedTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0 } as const;
/** Dimensions of a default embedding vector when the request names none. */
export const DEFAULT_EMBEDDING_DIMENSIONS = 8;

/** Token counts in provider-neutral terms; each provider's wire fields are derived from them. */
export interface FakeUsage {
  /**
   * All input tokens, cached ones included: OpenAI's `prompt_tokens`/`input_tokens`. Anthropic's
   * `input_tokens` is sent as `inputTokens - cachedTokens - cacheCreationTokens`.
   */
  inputTokens?: number;
  /** All output tokens, reasoning included (`completion_tokens`, `output_tokens`). */
  outputTokens?: number;
  /** Cache reads: OpenAI `cached_tokens`, Anthropic `cache_read_input_tokens`. */
  cachedTokens?: number;
  /** Cache writes, Anthropic only: `cache_creation_input_tokens`. */
  cacheCreationTokens?: number;
  /** OpenAI only: `reasoning_tokens`. */
  reasoningTokens?: number;
}

export interface FakeToolCall {
  name: string;
  /** The call's arguments; a string is sent as is (OpenAI) or parsed (Anthropic's `input`, so it must be JSON there). */
  arguments: Record<string, unknown> | string;
  /** Default: a generated `call_…` / `toolu_…` id. */
  id?: string;
}

export interface FakeError {
  /** HTTP status, e.g. 400, 401, 429, 500, 529. */
  status: number;
  /** Default: a message in the provider's style. */
  message?: string;
  /** The provider's error type; default by status (`rate_limit_error`, `server_error`, …). */
  type?: string;
  /** OpenAI's `error.code`; default by status (`rate_limit_exceeded` for 429). */
  code?: string | null;
  /** `retry-after` header in seconds; default 1 for a 429, none otherwise; null sends none. */
  retryAfter?: number | null;
}

/** What to answer one request with; every field is optional. */
export interface FakeReply {
  /** Assistant text; default {@link DEFAULT_TEXT}, or none when `toolCalls` are given. */
  text?: string;
  /** The text's stream deltas; default: `text` split at word boundaries. Overrides `text`. */
  chunks?: string[];
  toolCalls?: FakeToolCall[];
  usage?: FakeUsage;
  /**
   * Sent verbatim as chat `finish_reason` / Anthropic `stop_reason`; default `stop`/`end_turn`, or
   * `tool_calls`/`tool_use` with tool calls. For Responses, `max_output_tokens` or `content_filter`
   * make the response `incomplete` with that reason; other values are ignored there.
   */
  finishReason?: string;
  /** Response model id; default: the request's `model`. */
  model?: string;
  /** Response id; default a generated `chatcmpl-…`, `resp_…` or `msg_…`. */
  id?: string;
  /** Embeddings endpoint: the vectors, one per input; default deterministic vectors per input. */
  embeddings?: number[][];
  /** Answer with this HTTP error, in the provider's error JSON, instead. */
  error?: FakeError;
  /** Wait this long before the first byte (plain) or the first SSE event (stream; headers go out at once). */
  delayMs?: number;
  /** Answer only once this settles: a test holds calls in flight and lets them go when it has seen what it waits for. */
  heldUntil?: Promise<unknown>;
  /** Wait this long between SSE events. */
  chunkDelayMs?: number;
  /**
   * A stream sends its first `afterEvents` events, then waits until `until` settles: a test sees
   * the first tokens reach its reader while the provider has not finished.
   */
  streamHeld?: { afterEvents: number; until: Promise<unknown> };
  /**
   * A plain reply's headers go out at once, then its body one byte every this many ms: a provider
   * that answers, then crawls (a client's own timeout stops at the headers).
   */
  byteDelayMs?: number;
  /**
   * Destroy the socket after writing this many SSE events (a plain reply: after half its body, any
   * number). Counts every event, e.g. chat's role chunk and Anthropic's `message_start` and `ping`.
   */
  disconnectAfter?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

export type FakeEndpoint = 'chat' | 'responses' | 'embeddings' | 'messages';

export interface RecordedRequest {
  method: string;
  /** URL path without the query, e.g. `/v1/chat/completions`. */
  path: string;
  /** The route it matched, if any. */
  endpoint: FakeEndpoint | undefined;
  /** Lower-cased request headers. */
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  /** Whether the client closed the connection before the answer ended (a cancelled call). */
  closed: boolean;
}

export interface FakeLlm {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  baseUrl: string;
  /** Every request received so far, in arrival order. */
  requests: RecordedRequest[];
  /** Queues replies; each routed request takes the next one. */
  script(...replies: FakeReply[]): void;
  /** How many scripted replies are still queued. */
  pending(): number;
  /**
   * Answers a request no scripted reply is queued for by what `fn` makes of its JSON body (the
   * default reply when it gives `undefined`): replies that depend on the request, whatever the
   * order concurrent requests arrive in. `null` stops it.
   */
  answerWith(fn: ((request: Record<string, unknown>) => FakeReply | undefined) | null): void;
  /** Stops listening and drops every connection, including streams in flight. */
  close(): Promise<void>;
}

/** A JSON object, as requests are parsed and replies built. */
export type Json = Record<string, unknown>;
