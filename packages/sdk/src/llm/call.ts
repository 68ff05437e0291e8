import { context, SpanKind, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { histogram } from '../metrics/instruments.js';
import { runtime } from '../runtime.js';
import { capturedJson } from '../trace/capture.js';
import { errorTypeOf } from '../trace/errors.js';
import { recordError } from '../trace/run-in-span.js';
import { CALL_SEQUENCE_ATTRIBUTE, nextCallSequence, REQUEST_HASH_ATTRIBUTE, requestHash } from '../replay/hash.js';
import type { LlmReplay } from './replay-shapes.js';
import { replayedCall } from './replay-call.js';
import { callName, DURATION_BUCKETS, FIRST_CHUNK_BUCKETS, GEN_AI, METRIC, TOKEN_BUCKETS, TOOL_CALLS_ATTRIBUTE } from './semconv.js';

/** Longest captured prompt or completion JSON, in characters. */
export const MAX_CONTENT_LENGTH = 32_768;

/** One message in the GenAI conventions' JSON form (`gen_ai.input.messages`). */
export interface GenAiMessage {
  role: string;
  parts: GenAiPart[];
  finish_reason?: string;
}

export type GenAiPart =
  | { type: 'text'; content: string }
  | { type: 'reasoning'; content: string }
  | { type: 'tool_call'; id?: string; name: string; arguments?: unknown }
  | { type: 'tool_call_response'; id?: string; response: unknown }
  | { type: string; [key: string]: unknown };

/** One choice of a response, collected for `gen_ai.output.messages`. */
export interface OutputChoice {
  text: string;
  reasoning: string;
  toolCalls: { id?: string; name: string; arguments: string }[];
  finishReason: string | undefined;
}

/** What a call produced, filled from the response or from a stream's chunks. */
export interface LlmOutcome {
  responseId?: string;
  responseModel?: string;
  finishReasons: string[];
  /** Every input token, cache reads and writes included (the GenAI conventions' meaning). */
  inputTokens?: number;
  /** Every output token, reasoning included. */
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheCreationTokens?: number;
  reasoningTokens?: number;
  /** Names of the tools the model asked for, in order. */
  toolCalls: string[];
  /** Filled only when content is captured. */
  choices: OutputChoice[];
  attributes: Attributes;
}

/** Reads one stream's chunks into the outcome. */
export interface ChunkReader {
  /**
   * Reads a chunk. Returns `'output'` for a chunk that carries generated content (it starts the
   * time-to-first-chunk clock), `'hide'` for a chunk the instrumentation asked for and the app
   * must not see, anything else for other chunks.
   */
  read(chunk: unknown): 'output' | 'hide' | undefined;
}

/** How one client method maps to the GenAI conventions. */
export interface LlmMethod {
  operation: 'chat' | 'embeddings';
  /** The model and request attributes, and the body to send (the same object unless changed). */
  request(body: Record<string, unknown>, capture: boolean): LlmRequest;
  /** Reads a complete (non-streamed) response. */
  response(outcome: LlmOutcome, data: unknown, capture: boolean): void;
  /** Starts reading a streamed response. */
  stream?(outcome: LlmOutcome, capture: boolean, request: LlmRequest): ChunkReader;
  /** Answers from a recording under `init({ replay })`; a method without it always calls out. */
  replay?: LlmReplay;
}

export interface LlmRequest {
  model: string | undefined;
  stream: boolean;
  attributes: Attributes;
  body: Record<string, unknown>;
  inputMessages?: GenAiMessage[];
  systemInstructions?: GenAiPart[];
  /** Set when the instrumentation asked the API for something the app did not (stream usage). */
  hideExtras?: boolean;
}

/** What is the same for every call of one client. */
export interface ClientInfo {
  provider: string;
  serverAddress: string | undefined;
  serverPort: number | undefined;
  captureContent: boolean;
}

const tokenUsage = histogram(METRIC.tokenUsage, {
  description: 'Tokens used per GenAI operation, by token type (input or output).',
  unit: '{token}',
  buckets: TOKEN_BUCKETS,
});
const operationDuration = histogram(METRIC.duration, {
  description: 'Duration of GenAI client operations, streams until their last chunk.',
  unit: 's',
  buckets: DURATION_BUCKETS,
});
const firstChunk = histogram(METRIC.timeToFirstChunk, {
  description: 'Time from a streamed GenAI request to its first chunk of generated content.',
  unit: 's',
  buckets: FIRST_CHUNK_BUCKETS,
});

const INSTRUMENTED = Symbol.for('spoor.llm.instrumented');

type Method = ((this: unknown, ...args: unknown[]) => unknown) & { [INSTRUMENTED]?: true };

/**
 * Replaces `resource[name]` (e.g. `client.chat.completions.create`) on that instance with one that
 * makes each call a GenAI span. Idempotent. The replacement calls the original with the same
 * `this` and arguments, and returns what it returns, so helpers built on the method
 * (`messages.stream()`, `chat.completions.parse()`) are covered too.
 */
export function instrumentMethod(resource: unknown, name: string, method: LlmMethod, client: ClientInfo): void {
  if (typeof resource !== 'object' || resource === null) return;
  const target = resource as Record<string, unknown>;
  const original = target[name] as Method | undefined;
  if (typeof original !== 'function' || original[INSTRUMENTED]) return;
  const instrumented: Method = function (this: unknown, ...args: unknown[]): unknown {
    const body = args[0];
    if (runtime.off || typeof body !== 'object' || body === null) return original.apply(this, args);
    const parent = context.active();
    const call = LlmCall.start(method, body as Record<string, unknown>, client);
    if (call === undefined) return original.apply(this, args);
    args[0] = call.request.body;
    const session = runtime.replay;
    if (session !== undefined && method.replay !== undefined) {
      const live = () => context.with(call.active, () => original.apply(this, args));
      return call.observe(replayedCall(session, method, method.replay, call, body as Record<string, unknown>, parent, live));
    }
    let result: unknown;
    try {
      result = context.with(call.active, () => original.apply(this, args));
    } catch (error) {
      call.fail(error);
      throw error;
    }
    return call.observe(result);
  };
  instrumented[INSTRUMENTED] = true;
  target[name] = instrumented;
}

/** A promise of the Stainless SDKs (openai, @anthropic-ai/sdk): lazily parsed, with helpers. */
interface ApiPromiseLike {
  responsePromise?: PromiseLike<unknown>;
  parsedPromise?: PromiseLike<unknown>;
  asResponse?: () => PromiseLike<unknown>;
  _thenUnwrap(transform: (data: unknown) => unknown): unknown;
}

/** One LLM call in flight: its span, clock and outcome. Never throws into the app. */
class LlmCall {
  private open = true;
  private readonly startMs = performance.now();
  private firstChunkMs: number | undefined;
  private readonly outcome: LlmOutcome = { finishReasons: [], toolCalls: [], choices: [], attributes: {} };

  private constructor(
    private readonly method: LlmMethod,
    readonly request: LlmRequest,
    private readonly client: ClientInfo,
    readonly span: Span,
    readonly active: Context,
  ) {}

  static start(method: LlmMethod, body: Record<string, unknown>, client: ClientInfo): LlmCall | undefined {
    let request: LlmRequest;
    try {
      request = method.request(body, client.captureContent);
    } catch {
      // A body this code does not understand still goes to the API, untraced rather than broken.
      return undefined;
    }
    const attributes: Attributes = {
      [GEN_AI.operation]: method.operation,
      [GEN_AI.provider]: client.provider,
      [GEN_AI.system]: client.provider,
      ...request.attributes,
    };
    if (request.model !== undefined) attributes[GEN_AI.requestModel] = request.model;
    if (client.serverAddress !== undefined) attributes['server.address'] = client.serverAddress;
    if (client.serverPort !== undefined) attributes['server.port'] = client.serverPort;
    if (request.stream) attributes[GEN_AI.stream] = true;
    if (request.inputMessages !== undefined) attributes[GEN_AI.inputMessages] = contentJson(request.inputMessages);
    if (request.systemInstructions !== undefined) attributes[GEN_AI.systemInstructions] = contentJson(request.systemInstructions);
    // With content captured the call can be replayed; the hash is how a replay knows it is the same
    // request. Calls a replay cannot answer (embeddings) get none, so they take no place in the run.
    if (client.captureContent && method.replay !== undefined) {
      attributes[REQUEST_HASH_ATTRIBUTE] = requestHash(body);
      attributes[CALL_SEQUENCE_ATTRIBUTE] = nextCallSequence();
    }
    const parent = context.active();
    const name = callName(method.operation, request.model);
    const span = runtime.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
    return new LlmCall(method, request, client, span, trace.setSpan(parent, span));
  }

  /** Follows what the client method returned, and hands the app the same kind of thing back. */
  observe(result: unknown): unknown {
    if (isApiPromise(result)) {
      // Failures before a body arrives (HTTP errors after retries, timeouts, aborts) reject the
      // response promise; watching it does not consume the body, so `asResponse()` still works.
      result.responsePromise?.then(undefined, (error: unknown) => this.fail(error));
      const unwrapped = result._thenUnwrap((data) => this.received(data));
      this.endOnRawResponse(unwrapped);
      return unwrapped;
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        (data) => this.received(data),
        (error: unknown) => {
          this.fail(error);
          throw error;
        },
      );
    }
    return this.received(result);
  }

  /**
   * `asResponse()` hands the app the raw response before any parse began: the body may never be
   * parsed here, so the call ends when the response arrives, without usage (as the Anthropic SDK
   * ends its own span). `withResponse()` parses first, so it still ends with the body.
   */
  private endOnRawResponse(promise: unknown): void {
    const p = promise as ApiPromiseLike;
    const asResponse = p.asResponse;
    if (typeof asResponse !== 'function') return;
    p.asResponse = () => {
      const parsing = p.parsedPromise !== undefined;
      const response = asResponse.call(p);
      if (!parsing) response.then(() => this.end(), () => undefined);
      return response;
    };
  }

  fail(error: unknown): void {
    if (!this.open) return;
    this.open = false;
    try {
      recordError(this.span, error, this.active);
      const type = llmErrorType(error);
      this.span.setAttribute('error.type', type);
      const status = (error as { status?: unknown } | null)?.status;
      if (typeof status === 'number') this.span.setAttribute('http.response.status_code', status);
      this.finish(type);
    } catch {
      this.span.end();
    }
  }

  private received(data: unknown): unknown {
    if (!this.open) return data;
    try {
      if (this.request.stream && this.method.stream !== undefined && isIterableStream(data)) {
        this.followStream(data, this.method.stream(this.outcome, this.client.captureContent, this.request));
        return data;
      }
      this.method.response(this.outcome, data, this.client.captureContent);
    } catch {
      // An unexpected response shape costs attributes, never the app's result.
    }
    this.end();
    return data;
  }

  /**
   * Wraps the stream's iterator in place, so the app, `tee()` and `toReadableStream()` all read
   * through it and get the very same chunks; the span ends with the stream.
   */
  private followStream(stream: IterableStream, reader: ChunkReader): void {
    if (typeof stream.iterator === 'function') {
      const iterate = stream.iterator;
      stream.iterator = () => this.iterate(iterate.call(stream), reader, stream);
      return;
    }
    const iterate = stream[Symbol.asyncIterator];
    Object.defineProperty(stream, Symbol.asyncIterator, {
      configurable: true,
      writable: true,
      value: () => this.iterate(iterate.call(stream), reader, stream),
    });
  }

  private iterate(inner: AsyncIterator<unknown>, reader: ChunkReader, stream: IterableStream): AsyncIterator<unknown> & AsyncIterable<unknown> {
    const next = (): Promise<IteratorResult<unknown>> =>
      inner.next().then(
        (item) => {
          if (item.done) {
            // `stream.controller.abort()` ends the Stainless iterator quietly, as if complete.
            this.end(stream.controller?.signal?.aborted === true);
            return item;
          }
          let seen: ReturnType<ChunkReader['read']>;
          try {
            seen = reader.read(item.value);
          } catch {
            seen = undefined;
          }
          if (seen === 'hide') return next();
          if (seen === 'output' && this.firstChunkMs === undefined) this.firstChunkMs = performance.now();
          return item;
        },
        (error: unknown) => {
          this.fail(error);
          throw error;
        },
      );
    const outer = {
      next,
      // The app stopped early (`break`): the call is over as far as it is concerned.
      return: (value?: unknown): Promise<IteratorResult<unknown>> => {
        this.end(true);
        return inner.return !== undefined ? inner.return(value) : Promise.resolve({ done: true as const, value });
      },
      throw: (error?: unknown): Promise<IteratorResult<unknown>> => {
        this.fail(error);
        return inner.throw !== undefined ? inner.throw(error) : Promise.reject(error);
      },
      [Symbol.asyncIterator]: () => outer,
    };
    return outer;
  }

  private end(abandoned = false): void {
    if (!this.open) return;
    this.open = false;
    try {
      if (abandoned) this.span.setAttribute('spoor.gen_ai.stream.abandoned', true);
      this.finish(undefined);
    } catch {
      this.span.end();
    }
  }

  /** Writes the outcome on the span, records the metrics and ends the span. */
  private finish(errorType: string | undefined): void {
    const { span, outcome } = this;
    const endMs = performance.now();
    const attributes: Attributes = { ...outcome.attributes };
    if (outcome.responseId !== undefined) attributes[GEN_AI.responseId] = outcome.responseId;
    if (outcome.responseModel !== undefined) attributes[GEN_AI.responseModel] = outcome.responseModel;
    if (outcome.finishReasons.length > 0) attributes[GEN_AI.finishReasons] = outcome.finishReasons;
    if (outcome.inputTokens !== undefined) attributes[GEN_AI.inputTokens] = outcome.inputTokens;
    if (outcome.outputTokens !== undefined) attributes[GEN_AI.outputTokens] = outcome.outputTokens;
    if (outcome.cacheReadTokens !== undefined) attributes[GEN_AI.cacheReadTokens] = outcome.cacheReadTokens;
    if (outcome.cacheCreationTokens !== undefined) attributes[GEN_AI.cacheCreationTokens] = outcome.cacheCreationTokens;
    if (outcome.reasoningTokens !== undefined) attributes[GEN_AI.reasoningTokens] = outcome.reasoningTokens;
    if (outcome.toolCalls.length > 0) attributes[TOOL_CALLS_ATTRIBUTE] = outcome.toolCalls;
    const ttftS = this.firstChunkMs === undefined ? undefined : (this.firstChunkMs - this.startMs) / 1000;
    if (ttftS !== undefined) attributes[GEN_AI.timeToFirstChunk] = ttftS;
    if (this.client.captureContent && outcome.choices.length > 0) attributes[GEN_AI.outputMessages] = contentJson(outputMessages(outcome.choices));
    span.setAttributes(attributes);

    const labels: Attributes = {
      [GEN_AI.operation]: this.method.operation,
      [GEN_AI.provider]: this.client.provider,
    };
    if (this.request.model !== undefined) labels[GEN_AI.requestModel] = this.request.model;
    if (outcome.responseModel !== undefined) labels[GEN_AI.responseModel] = outcome.responseModel;
    if (this.client.serverAddress !== undefined) labels['server.address'] = this.client.serverAddress;
    if (outcome.inputTokens !== undefined) tokenUsage.record(outcome.inputTokens, { ...labels, [GEN_AI.tokenType]: 'input' });
    if (outcome.outputTokens !== undefined) tokenUsage.record(outcome.outputTokens, { ...labels, [GEN_AI.tokenType]: 'output' });
    if (ttftS !== undefined) firstChunk.record(ttftS, labels);
    if (errorType !== undefined) labels['error.type'] = errorType;
    operationDuration.record((endMs - this.startMs) / 1000, labels);
    span.end();
  }
}

/**
 * The `error.type` of a failed call, low in cardinality: `rate_limit`, `timeout`, `abort`,
 * `connection`, the HTTP status class (`4xx`, `5xx`), else the error's class name.
 */
export function llmErrorType(error: unknown): string {
  const type = errorTypeOf(error);
  const status = (error as { status?: unknown } | null)?.status;
  if (status === 429) return 'rate_limit';
  if (/timeout/i.test(type) || status === 408) return 'timeout';
  if (type === 'APIUserAbortError' || type === 'AbortError') return 'abort';
  if (typeof status === 'number' && status >= 400 && status < 600) return `${Math.floor(status / 100)}xx`;
  if (type === 'APIConnectionError' || isDroppedConnection(error)) return 'connection';
  return type;
}

/**
 * A connection lost while the body is read (a stream cut off mid-way): fetch (undici) rejects
 * with a bare `TypeError: terminated` whose cause carries the socket's error code.
 */
function isDroppedConnection(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}

/** Output choices as GenAI output messages. */
function outputMessages(choices: OutputChoice[]): GenAiMessage[] {
  return choices.map((choice) => {
    const parts: GenAiPart[] = [];
    if (choice.reasoning !== '') parts.push({ type: 'reasoning', content: choice.reasoning });
    if (choice.text !== '') parts.push({ type: 'text', content: choice.text });
    for (const call of choice.toolCalls) parts.push({ type: 'tool_call', id: call.id, name: call.name, arguments: parseJsonOr(call.arguments) });
    const message: GenAiMessage = { role: 'assistant', parts };
    if (choice.finishReason !== undefined) message.finish_reason = choice.finishReason;
    return message;
  });
}

/** Prompt or completion content as masked JSON (masked key by key, then as text). */
export function contentJson(value: unknown): string {
  return capturedJson(value, MAX_CONTENT_LENGTH);
}

/** Tool-call arguments as the JSON they hold, or as they came when they are not JSON text. */
export function parseJsonOr(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isApiPromise(value: unknown): value is ApiPromiseLike {
  return typeof (value as ApiPromiseLike | null)?._thenUnwrap === 'function';
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

interface IterableStream {
  iterator?: () => AsyncIterator<unknown>;
  controller?: { signal?: AbortSignal };
  [Symbol.asyncIterator]: () => AsyncIterator<unknown>;
}

function isIterableStream(value: unknown): value is IterableStream {
  return typeof (value as IterableStream | null)?.[Symbol.asyncIterator] === 'function';
}

/** A new, empty output choice. */
export function newChoice(): OutputChoice {
  return { text: '', reasoning: '', toolCalls: [], finishReason: undefined };
}

/** A finite number, or undefined. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A non-empty string, or undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Sets `attributes[key]` when `value` is defined. */
export function put(attributes: Attributes, key: string, value: string | number | boolean | string[] | undefined): void {
  if (value !== undefined) attributes[key] = value;
}

/** Where the client sends its requests: `server.address` and `server.port`. */
export function serverOf(baseURL: unknown): { serverAddress: string | undefined; serverPort: number | undefined } {
  if (typeof baseURL !== 'string') return { serverAddress: undefined, serverPort: undefined };
  try {
    const url = new URL(baseURL);
    const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { serverAddress: url.hostname, serverPort: port };
  } catch {
    return { serverAddress: undefined, serverPort: undefined };
  }
}

/** Whether to record prompts and completions: the option, else the OTel environment variable. */
export function captureContentFrom(option: boolean | undefined): boolean {
  if (option !== undefined) return option;
  return process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT?.toLowerCase() === 'true';
}
