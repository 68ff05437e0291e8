import { context, SpanKind, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { runtime } from '../runtime.js';
import { recordError } from '../trace/run-in-span.js';
import { CALL_SEQUENCE_ATTRIBUTE, nextCallSequence, REQUEST_HASH_ATTRIBUTE, requestHash } from '../replay/hash.js';
import { promptAttributes } from '../prompt/with-prompt.js';
import { contentJson } from './content.js';
import { llmErrorType } from './errors.js';
import { finishCall, type FinishedCall } from './finish.js';
import type { ClientInfo, LlmMethod, LlmOutcome, LlmRequest } from './method.js';
import { callName, GEN_AI } from './semconv.js';
import { followStream, isIterableStream, type StreamListener } from './stream.js';

/** A promise of the Stainless SDKs (openai, @anthropic-ai/sdk): lazily parsed, with helpers. */
interface ApiPromiseLike {
  responsePromise?: PromiseLike<unknown>;
  parsedPromise?: PromiseLike<unknown>;
  asResponse?: () => PromiseLike<unknown>;
  _thenUnwrap(transform: (data: unknown) => unknown): unknown;
}

/**
 * One LLM call in flight: its span, clock and outcome, followed through whatever the client
 * method returned (a promise, an API promise, a stream) until it ends once. Never throws into the
 * app.
 */
export class LlmCall implements FinishedCall, StreamListener {
  private open = true;
  readonly startMs = performance.now();
  firstChunkMs: number | undefined;
  readonly outcome: LlmOutcome = { finishReasons: [], toolCalls: [], choices: [], attributes: {} };

  private constructor(
    readonly method: LlmMethod,
    readonly request: LlmRequest,
    readonly client: ClientInfo,
    readonly span: Span,
    /** The context with the call's span active, for the client's own work. */
    readonly active: Context,
  ) {}

  /** Starts the call's span from the request body; undefined when the body cannot be read. */
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
      // Kept as text, the version groups and compares as `service.version` does.
      ...promptAttributes(),
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
      if (!parsing)
        response.then(
          () => this.end(),
          () => undefined,
        );
      return response;
    };
  }

  /** Ends the call as failed: the exception, a low-cardinality `error.type`, the HTTP status. */
  fail(error: unknown): void {
    if (!this.open) return;
    this.open = false;
    try {
      recordError(this.span, error, this.active);
      const type = llmErrorType(error);
      this.span.setAttribute('error.type', type);
      const status = (error as { status?: unknown } | null)?.status;
      if (typeof status === 'number') this.span.setAttribute('http.response.status_code', status);
      finishCall(this, type);
    } catch {
      this.span.end();
    }
  }

  /** Notes the first chunk of generated content of a stream. */
  output(): void {
    this.firstChunkMs ??= performance.now();
  }

  /** Ends the call as done; `abandoned` when the app stopped reading its stream early. */
  end(abandoned = false): void {
    if (!this.open) return;
    this.open = false;
    try {
      if (abandoned) this.span.setAttribute('spoor.gen_ai.stream.abandoned', true);
      finishCall(this, undefined);
    } catch {
      this.span.end();
    }
  }

  private received(data: unknown): unknown {
    if (!this.open) return data;
    try {
      if (this.request.stream && this.method.stream !== undefined && isIterableStream(data)) {
        followStream(data, this.method.stream(this.outcome, this.client.captureContent, this.request), this);
        return data;
      }
      this.method.response(this.outcome, data, this.client.captureContent);
    } catch {
      // An unexpected response shape costs attributes, never the app's result.
    }
    this.end();
    return data;
  }
}

function isApiPromise(value: unknown): value is ApiPromiseLike {
  return typeof (value as ApiPromiseLike | null)?._thenUnwrap === 'function';
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
