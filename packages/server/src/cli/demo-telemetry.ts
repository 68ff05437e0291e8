import { type Attributes, type Span, SpanKind, SpanStatusCode, type Tracer, context, trace } from '@opentelemetry/api';
import { type Logger, SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The agent's release the main run and the last hour ran. */
export const CURRENT_RELEASE = '1.4.0';

/** One service of the demo app: a tracer and a logger that share its resource. */
export interface DemoService {
  readonly tracer: Tracer;
  readonly logger: Logger;
  /** `log.category` of its log records. */
  readonly category: string;
}

/** One model call, as an instrumentation following the GenAI conventions records it. */
export interface LlmCall {
  operation?: 'chat' | 'embeddings';
  provider: string;
  model: string;
  /** Unset for a call the provider refused (a 429 has no response, hence no usage). */
  responseModel?: string;
  responseId?: string;
  /** Includes the cache reads and writes, as the GenAI conventions count it. */
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  timeToFirstChunkMs?: number;
  /** The conversation, as an instrumentation that captures content records it (GenAI message JSON). */
  messages?: { system: string; input: unknown[]; output: unknown[] };
}

/**
 * The demo app's two services, each with the real OpenTelemetry JS SDK and its OTLP/protobuf
 * exporters, and the few helpers the demo's runs are written with. Every time is absolute
 * (epoch ms): the demo backdates its runs, so nothing may take the clock's time.
 */
export class DemoTelemetry {
  readonly agent: DemoService;
  readonly retrieval: DemoService;
  /** The nightly job that re-indexes the knowledge base: the big trace's service. */
  readonly indexer: DemoService;
  private readonly tracers: BasicTracerProvider[] = [];
  private readonly loggers: LoggerProvider[] = [];
  /** The agent's earlier releases, made when a run of one is recorded (`service.version` is its resource's). */
  private readonly releases = new Map<string, DemoService>();

  constructor(private readonly endpoint: string) {
    this.agent = this.service(endpoint, 'research-agent', CURRENT_RELEASE, 'agent');
    this.retrieval = this.service(endpoint, 'retrieval-service', '0.9.2', 'retrieval');
    this.indexer = this.service(endpoint, 'knowledge-indexer', '2.1.0', 'indexer');
    this.releases.set(CURRENT_RELEASE, this.agent);
  }

  /** The services as they ran at the agent's release `version` (default the current one). */
  release(version: string = CURRENT_RELEASE): { agent: DemoService; retrieval: DemoService } {
    let agent = this.releases.get(version);
    if (agent === undefined) this.releases.set(version, (agent = this.service(this.endpoint, 'research-agent', version, 'agent')));
    return { agent, retrieval: this.retrieval };
  }

  private service(endpoint: string, name: string, version: string, category: string): DemoService {
    const resource = resourceFromAttributes({
      'service.name': name,
      'service.version': version,
      'deployment.environment.name': 'demo',
    });
    const tracerProvider = new BasicTracerProvider({
      resource,
      // A queue that holds the demo's big trace between two flushes: the default (2,048) drops the rest.
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces`, headers: keyHeaders() }), { maxQueueSize: 8_192 })],
    });
    const loggerProvider = new LoggerProvider({
      resource,
      processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${endpoint}/v1/logs`, headers: keyHeaders() }) })],
    });
    this.tracers.push(tracerProvider);
    this.loggers.push(loggerProvider);
    return { tracer: tracerProvider.getTracer('spoor-demo', '0.1.0'), logger: loggerProvider.getLogger('spoor-demo', '0.1.0'), category };
  }

  /** Starts a span at `startMs`, as a child of `parent` when given. */
  span(service: DemoService, name: string, parent: Span | null, startMs: number, attributes: Attributes, kind: SpanKind = SpanKind.INTERNAL): Span {
    const ctx = parent === null ? context.active() : trace.setSpan(context.active(), parent);
    return service.tracer.startSpan(name, { startTime: startMs, attributes, kind }, ctx);
  }

  /** Emits a log record correlated to `span` (its trace and span ids). */
  log(service: DemoService, span: Span, timeMs: number, severity: SeverityNumber, message: string, attributes: Attributes = {}): void {
    service.logger.emit({
      timestamp: timeMs,
      severityNumber: severity,
      severityText: SeverityNumber[severity],
      body: message,
      attributes: { 'log.category': service.category, ...attributes },
      context: trace.setSpan(context.active(), span),
    });
  }

  /** Starts the span of a model call with its `gen_ai.*` attributes; the caller ends it (or fails it first). */
  llmSpan(service: DemoService, parent: Span, startMs: number, call: LlmCall): Span {
    const operation = call.operation ?? 'chat';
    const attributes: Attributes = {
      'gen_ai.operation.name': operation,
      'gen_ai.provider.name': call.provider,
      'gen_ai.system': call.provider,
      'gen_ai.request.model': call.model,
    };
    if (call.responseModel !== undefined) attributes['gen_ai.response.model'] = call.responseModel;
    if (operation === 'chat') {
      attributes['gen_ai.request.temperature'] = 0.2;
      attributes['gen_ai.request.max_tokens'] = 1024;
    }
    if (call.inputTokens !== undefined) attributes['gen_ai.usage.input_tokens'] = call.inputTokens;
    if (call.outputTokens !== undefined) attributes['gen_ai.usage.output_tokens'] = call.outputTokens;
    if (call.cacheReadTokens !== undefined) attributes['gen_ai.usage.cache_read.input_tokens'] = call.cacheReadTokens;
    if (call.cacheWriteTokens !== undefined) attributes['gen_ai.usage.cache_creation.input_tokens'] = call.cacheWriteTokens;
    if (operation === 'chat' && call.responseId !== undefined) attributes['gen_ai.response.finish_reasons'] = ['stop'];
    if (call.responseId !== undefined) attributes['gen_ai.response.id'] = call.responseId;
    if (call.timeToFirstChunkMs !== undefined) attributes['gen_ai.response.time_to_first_chunk'] = call.timeToFirstChunkMs / 1000;
    if (call.messages !== undefined) {
      attributes['gen_ai.system_instructions'] = JSON.stringify([{ type: 'text', content: call.messages.system }]);
      attributes['gen_ai.input.messages'] = JSON.stringify(call.messages.input);
      attributes['gen_ai.output.messages'] = JSON.stringify(call.messages.output);
    }
    return this.span(service, `${operation} ${call.model}`, parent, startMs, attributes, SpanKind.CLIENT);
  }

  /** Sends what has been recorded so far; rejects with a readable message if the server refused it. */
  async flush(): Promise<void> {
    try {
      await Promise.all([...this.tracers.map((p) => p.forceFlush()), ...this.loggers.map((p) => p.forceFlush())]);
    } catch (error) {
      // The SDK rejects with an array of exporter errors, which have no useful `message` of their own.
      const errors = (Array.isArray(error) ? error : [error]) as Array<{ code?: number; message?: string }>;
      const detail = errors.map((e) => (e.code !== undefined ? `HTTP ${e.code}` : '') + (e.message ? ` ${e.message}` : '')).join('; ');
      throw new Error(`the server refused the demo's export: ${detail.trim() || 'unknown error'}`, { cause: error });
    }
  }

  /** Stops the providers. Whatever was flushed is sent; this only releases the exporters. */
  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.tracers.map((p) => p.shutdown()), ...this.loggers.map((p) => p.shutdown())]);
  }
}

/** Marks `span` failed by `error`, recording the exception event at `atMs`. */
export function recordFailure(span: Span, error: Error, atMs: number): void {
  span.recordException(error, atMs);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

/**
 * Marks `span` failed because a span under it threw `error`, without recording the exception a
 * second time. `error.type` and the same message let Spoor see that the failure was passed on,
 * so one exception makes one error occurrence, not one per ancestor.
 */
export function passOnFailure(span: Span, error: Error): void {
  span.setAttribute('error.type', error.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

/**
 * `SPOOR_API_KEY` as a bearer token, for a server that requires keys. Without it the exporters
 * still send what `OTEL_EXPORTER_OTLP_HEADERS` says.
 */
export function keyHeaders(): Record<string, string> {
  const key = process.env.SPOOR_API_KEY;
  return key === undefined || key === '' ? {} : { authorization: `Bearer ${key}` };
}
