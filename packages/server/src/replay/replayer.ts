import { type ProviderStatus, checkProvider } from './provider-check.js';
import type Anthropic from '@anthropic-ai/sdk';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type * as SpoorSdk from '@spoor/sdk';
import type { SpanHelperOptions } from '@spoor/sdk';
import { type Attributes, SPOOR_SERVICE_NAME } from '@spoor/model';
import type OpenAI from 'openai';
import { DeadlineError, withDeadline } from '../deadline.js';
import { AppError } from '../errors.js';
import { loadOnce } from '../load-once.js';
import type { WaitingShares } from '../shares.js';
import { demoFetch } from './demo-provider.js';
import type { Provider, ProviderName } from './providers.js';
import { type ReplayCall, anthropicRequest, openAiRequest } from './replay-request.js';

export { DEMO_PROVIDER } from './demo-provider.js';

/**
 * Runs a replayed LLM call with the real `openai` / `@anthropic-ai/sdk` clients, instrumented by
 * `@spoor/sdk` as an app's would be, so the replay is a trace of its own: a root span carrying
 * `spoor.replay.of` and a link to the span it replays, and the call's GenAI span with its tokens,
 * cost and content. Its spans go into this server's own ingest path (`ingest`), as OTLP, under the
 * project that asked; a replay that fails stores nothing.
 *
 * `@spoor/sdk` keeps one runtime per process, so one sink serves every server of the process
 * (tests start several) and every traced call (replays, and the llm-judge evaluator's calls
 * through `recordTrace`), each call's spans found by its trace id.
 *
 * `@spoor/sdk` (the OpenTelemetry SDK and its exporters) and the OTLP serializer are loaded on a
 * process's first traced call, not with the server: together they were some 0.7 s of every
 * start's 1.5 s of loading, for a server that may never replay or judge.
 */

/** Hands an OTLP/protobuf traces body to the server's ingest under a project; resolves once acknowledged. */
export type Ingest = (projectId: string, body: Uint8Array) => Promise<void>;

/** A call made by `Replayer.traced`: its trace, its own span and that span's attributes. */
export interface TracedCall {
  traceId: string;
  spanId: string;
  durationMs: number;
  attributes: Attributes;
  /** Resolves once its trace is acknowledged by ingest (durable, not yet visible to reads). */
  stored: Promise<void>;
}

/** What a run is given when its answer streams: where each piece of the completion goes, and the asker leaving. */
export interface RunWatch {
  onText?: (text: string) => void;
  cancel?: AbortSignal;
}

export interface ReplayOutcome {
  traceId: string;
  /** The span of the call itself (not the replay's root). */
  spanId: string;
  durationMs: number;
}

/** Spans of traced calls in flight, by trace id, until their call settles: kept when it succeeds, dropped when it fails. */
const pending = new Map<string, ReadableSpan[]>();

/** Keeps each traced call's spans aside until its caller decides what becomes of them. */
class SinkExporter implements SpanExporter {
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) {
      const list = pending.get(span.spanContext().traceId);
      // Spans of no traced call in flight (none are expected) are not kept.
      if (list !== undefined) list.push(span);
    }
    // `ExportResultCode.SUCCESS`, without loading `@opentelemetry/core` for it.
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

type Sdk = typeof SpoorSdk;
type Serializer = typeof ProtobufTraceSerializer;

/** `@spoor/sdk` and the OTLP serializer, the modules that record calls. */
const recorderModules = loadOnce(() => Promise.all([import('@spoor/sdk'), import('@opentelemetry/otlp-transformer')]));

/**
 * `@spoor/sdk`, started with the sink, and the OTLP serializer: loaded once, on the first traced
 * call. A load or start that fails is an `ERR_INTERNAL` naming what failed, never taken for the
 * provider's refusal; no call is made. The next call tries again (a package that is missing
 * or an SDK that did not start; Node keeps a module that threw while it ran as failed).
 */
const sdkRuntime = loadOnce(
  (): Promise<{ sdk: Sdk; serializer: Serializer }> =>
    recorderModules()
      .then(([sdk, otlp]) => {
        sdk.init({ serviceName: SPOOR_SERVICE_NAME, exporter: { spans: new SinkExporter() }, logLevel: 'silent', sampleRate: 1 });
        return { sdk, serializer: otlp.ProtobufTraceSerializer };
      })
      .catch((cause: unknown) => {
        throw new AppError(
          'ERR_INTERNAL',
          `this server could not load or start what records a call (@spoor/sdk: ${(cause as Error).message}); nothing was called`,
          { cause },
        );
      }),
);

/**
 * Loads the modules that record calls ahead of the first, in the background; the SDK is started
 * by that call, as without this (a test process may start its own), and a failure is left to it
 * to report.
 */
export function loadRecorder(): void {
  recorderModules().catch(() => undefined);
}

/** A recorded trace's spans as an OTLP/protobuf traces body, for ingest. */
export async function otlpBodyOf(spans: ReadableSpan[]): Promise<Uint8Array> {
  const { serializer } = await sdkRuntime();
  return serializer.serializeRequest(spans)!;
}

/** What `recordTrace` ran: the body's result, and the trace it recorded. */
export interface RecordedTrace<T> {
  result: T;
  traceId: string;
  /** Every span of the trace, root included, for `otlpBodyOf`. */
  spans: ReadableSpan[];
}

/**
 * Runs `body` under a root span `name` that starts a trace of its own, always kept whatever the
 * sample rate, and gives back the spans it recorded (the SDK's, through the sink above). When
 * `body` throws, its spans are dropped and the error goes on. A replay and a judge's call are
 * each one such trace: the SDK keeps one runtime per process, so both must share this sink.
 */
export async function recordTrace<T>(
  name: string,
  options: Pick<SpanHelperOptions, 'attributes' | 'links'>,
  body: () => Promise<T>,
): Promise<RecordedTrace<T>> {
  const { withSpan, flush } = (await sdkRuntime()).sdk;
  let traceId = '';
  let result: T;
  try {
    result = await withSpan(name, { ...options, root: true, force: true }, async (span) => {
      traceId = span.spanContext().traceId;
      pending.set(traceId, []);
      return body();
    });
  } catch (error) {
    if (traceId !== '') {
      await flush();
      pending.delete(traceId);
    }
    throw error;
  }
  await flush();
  const spans = pending.get(traceId) ?? [];
  pending.delete(traceId);
  return { result, traceId, spans };
}

/** The client options for `provider`: its key, its base URL, and no retries (the caller's deadline bounds the call). */
function clientOptions(provider: Provider): { apiKey: string; maxRetries: number; baseURL?: string; fetch?: typeof demoFetch } {
  const options = { apiKey: provider.apiKey, maxRetries: 0, ...(provider.baseUrl === null ? {} : { baseURL: provider.baseUrl }) };
  // The demo provider's client is the real one, answered in process instead of over the network.
  return provider.name === 'demo' ? { ...options, fetch: demoFetch } : options;
}

/**
 * The `openai` client for `provider`, instrumented by `@spoor/sdk` with content capture, made once
 * per provider and kept (an experiment makes thousands of calls; a client each took its own
 * connection pool). The module is loaded on a server's first call to the provider: a server that
 * never calls one never pays for it (openai and @anthropic-ai/sdk together take some 60 ms and 15 MB to load).
 */
export function openAiClientFor(provider: Provider): Promise<OpenAI> {
  return clientOf(provider, 'openai', async () => {
    const [{ default: OpenAIClient }, { sdk }] = await Promise.all([import('openai'), sdkRuntime()]);
    return sdk.instrumentOpenAI(new OpenAIClient(clientOptions(provider)), { captureContent: true });
  });
}

/** The `@anthropic-ai/sdk` client for `provider`, instrumented, loaded and kept as `openAiClientFor`'s. */
export function anthropicClientFor(provider: Provider): Promise<Anthropic> {
  return clientOf(provider, 'anthropic', async () => {
    const [{ default: AnthropicClient }, { sdk }] = await Promise.all([import('@anthropic-ai/sdk'), sdkRuntime()]);
    return sdk.instrumentAnthropic(new AnthropicClient(clientOptions(provider)), { captureContent: true });
  });
}

/** Clients by provider settings: a provider object is one server's `--provider`, so each server keeps its own. */
const clients = new WeakMap<Provider, Map<string, () => Promise<unknown>>>();

/** The client `make` makes for `provider`, made once (`loadOnce`: a failed make is tried again by the next call). */
function clientOf<T>(provider: Provider, kind: string, make: () => Promise<T>): Promise<T> {
  let made = clients.get(provider);
  if (made === undefined) clients.set(provider, (made = new Map()));
  let client = made.get(kind) as (() => Promise<T>) | undefined;
  if (client === undefined) made.set(kind, (client = loadOnce(make)));
  return client();
}

export class Replayer {
  private readonly providers: Map<ProviderName, Provider>;

  /** `providerCalls`: the slots all projects share (`--provider-calls-max`); each call waits for one. */
  constructor(
    providers: readonly Provider[],
    private readonly ingest: Ingest,
    private readonly providerCalls?: WaitingShares,
  ) {
    this.providers = new Map(providers.map((p) => [p.name, p]));
  }

  /** Which providers are configured, for the UI and for error messages. */
  names(): ProviderName[] {
    return [...this.providers.keys()];
  }

  /** Each configured provider and whether it answers now (its key never leaves this object but in the provider's header). */
  check(): Promise<ProviderStatus[]> {
    return Promise.all([...this.providers.values()].map((p) => checkProvider(p)));
  }

  /**
   * Makes the call and stores its trace under `projectId`. Throws 400 when the provider is not
   * configured, 502 when it answers an error, 504 when the whole call (headers and body) does
   * not end within the provider's timeout.
   */
  async replay(projectId: string, of: { traceId: string; spanId: string; name: string }, call: ReplayCall, watch: RunWatch = {}): Promise<ReplayOutcome> {
    const outcome = await this.traced(
      projectId,
      call,
      {
        name: `replay ${of.name}`,
        attributes: { 'spoor.replay.of': `${of.traceId}/${of.spanId}`, 'spoor.replay.provider': call.provider },
        links: [{ context: { traceId: of.traceId, spanId: of.spanId, traceFlags: 1 }, attributes: { 'spoor.link.type': 'replay_of' } }],
      },
      watch,
    );
    await outcome.stored;
    return { traceId: outcome.traceId, spanId: outcome.spanId, durationMs: outcome.durationMs };
  }

  /**
   * Makes `call` under a root span of its own (`trace`: its name, attributes and links), hands
   * the trace to ingest under `projectId` (`stored` resolves once it is acknowledged; the caller
   * need not wait for that before its next call), and answers the call's span with its attributes (the completion and token counts as the
   * instrumentation recorded them). Errors as `replay`'s. `watch.cancel` ends the call early (its
   * trace is then not stored); with `watch.onText` the call streams, each piece of its completion's
   * text handed over as the provider sends it (the instrumentation records a streamed call whole).
   */
  async traced(
    projectId: string,
    call: ReplayCall,
    trace: { name: string } & Pick<SpanHelperOptions, 'attributes' | 'links'>,
    watch: RunWatch = {},
  ): Promise<TracedCall> {
    const { cancel, onText } = watch;
    const provider = this.providerFor(call);
    let recorded: RecordedTrace<number>;
    const release = await this.providerCalls?.wait(projectId);
    try {
      if (cancel?.aborted) throw new AppError('ERR_CONFLICT', 'the call was cancelled while it waited for a provider slot');
      recorded = await recordTrace(trace.name, { attributes: trace.attributes, links: trace.links }, async () => {
        const started = performance.now();
        await withDeadline(provider.timeoutMs, (signal) =>
          this.call(provider, call, cancel === undefined ? signal : AbortSignal.any([signal, cancel]), onText),
        );
        return performance.now() - started;
      });
    } catch (error) {
      throw providerError(provider, error);
    } finally {
      release?.();
    }
    const { traceId, spans, result: durationMs } = recorded;
    const callSpan = spans.find((s) => s.attributes['gen_ai.operation.name'] !== undefined);
    if (callSpan === undefined) throw new AppError('ERR_INTERNAL', 'the replayed call recorded no span');
    const stored = otlpBodyOf(spans).then((body) => this.ingest(projectId, body));
    // Handled by whoever awaits it; never an unhandled rejection in between.
    stored.catch(() => undefined);
    return { traceId, spanId: callSpan.spanContext().spanId, durationMs, attributes: callSpan.attributes as Attributes, stored };
  }

  /** The configured provider the call names; a 400 saying how to configure it when there is none. */
  providerFor(call: ReplayCall): Provider {
    const provider = this.providers.get(call.provider);
    if (provider !== undefined) return provider;
    // The built-in demo provider alone is no configured provider: say how to add a real one first.
    const configured = this.names().filter((n) => n !== 'demo');
    throw new AppError(
      'ERR_BAD_REQUEST',
      configured.length === 0
        ? `this Spoor has no provider to replay against: start it with --provider ${call.provider}=env:${call.provider.toUpperCase()}_API_KEY (and ,base=URL for a gateway), or pick the built-in demo provider (canned answers)`
        : `this Spoor has no ${call.provider} provider (it has ${this.names().join(', ')}): add --provider ${call.provider}=env:VARIABLE, or pick one of those (overrides.provider, the replay panel's Provider)`,
    );
  }

  /** The call, bounded by `signal` alone: the clients' own timeout ends at the headers. Streamed when `onText` is given. */
  private async call(provider: Provider, call: ReplayCall, signal: AbortSignal, onText?: (text: string) => void): Promise<void> {
    if (provider.name === 'anthropic') {
      const client = await anthropicClientFor(provider);
      const request = anthropicRequest(call) as unknown as Anthropic.MessageCreateParamsNonStreaming;
      if (onText === undefined) {
        await client.messages.create(request, { signal });
        return;
      }
      const events = await client.messages.create({ ...request, stream: true }, { signal });
      for await (const event of events) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') onText(event.delta.text);
      // The clients end a stream quietly when it is aborted: what was cut short must not pass for a call made.
      signal.throwIfAborted();
      return;
    }
    const client = await openAiClientFor(provider);
    const request = openAiRequest(call) as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
    if (onText === undefined) {
      await client.chat.completions.create(request, { signal });
      return;
    }
    const chunks = await client.chat.completions.create({ ...request, stream: true }, { signal });
    for await (const chunk of chunks) {
      const text = chunk.choices[0]?.delta?.content;
      if (typeof text === 'string' && text !== '') onText(text);
    }
    signal.throwIfAborted();
  }
}

/** The provider's refusal as a 502, its silence as a 504, each saying which and why; the key never appears. */
function providerError(provider: Provider, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const name = provider.name;
  if (error instanceof DeadlineError) {
    return new AppError('ERR_PROVIDER_TIMEOUT', `${name} did not answer within ${provider.timeoutMs / 1000} s; nothing was recorded`, { cause: error });
  }
  const status = (error as { status?: number }).status;
  const message = (error as Error).message ?? String(error);
  const reason = status === undefined ? message : `${status}: ${message}`;
  return new AppError('ERR_PROVIDER', `${name} refused the replayed call (${reason}); nothing was recorded`, { cause: error });
}
