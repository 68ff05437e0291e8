import { type Attributes, type Context, type Span, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface DemoOptions {
  /** Base URL of an OTLP/HTTP receiver; `/v1/traces` and `/v1/logs` are appended. */
  endpoint: string;
  /** When the run starts, epoch ms. Default: 20 seconds ago. */
  startMs?: number;
}

/**
 * Sends one realistic multi-agent run through the real OpenTelemetry JS SDK and its OTLP/protobuf
 * exporters: a workflow with a planner and three steps, nested LLM calls with `gen_ai.*`
 * attributes, a tool call handled by a second service, one failing step with a recorded
 * exception, and log records correlated to their spans. Returns the trace id.
 */
export async function runDemo(options: DemoOptions): Promise<string> {
  const base = options.endpoint.replace(/\/+$/, '');
  // The SDK's exporters only log failed exports; check first so the user gets a clear error.
  await fetch(`${base}/health`).catch((error: unknown) => {
    throw new Error(`no Spoor server answers at ${base} (${(error as Error).message}); start one with 'npm start' or 'npx spoor serve'`);
  });
  const run = new DemoRun(base, options.startMs ?? Date.now() - 20_000);
  try {
    return run.record();
  } finally {
    await run.flush();
  }
}

class DemoRun {
  private readonly tracers: BasicTracerProvider[] = [];
  private readonly loggers: LoggerProvider[] = [];
  private readonly agent;
  private readonly retrieval;

  constructor(
    endpoint: string,
    private readonly t0: number,
  ) {
    this.agent = this.service(endpoint, 'research-agent', '1.4.0');
    this.retrieval = this.service(endpoint, 'retrieval-service', '0.9.2');
  }

  private service(endpoint: string, name: string, version: string) {
    const resource = resourceFromAttributes({
      'service.name': name,
      'service.version': version,
      'deployment.environment.name': 'demo',
    });
    const tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))],
    });
    const loggerProvider = new LoggerProvider({
      resource,
      processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${endpoint}/v1/logs` }) })],
    });
    this.tracers.push(tracerProvider);
    this.loggers.push(loggerProvider);
    return { tracer: tracerProvider.getTracer('spoor-demo', '0.1.0'), logger: loggerProvider.getLogger('spoor-demo', '0.1.0') };
  }

  /** Starts a span at `offsetMs` after the run's start, as a child of `parent` when given. */
  private span(
    service: { tracer: ReturnType<BasicTracerProvider['getTracer']> },
    name: string,
    parent: Span | null,
    offsetMs: number,
    attributes: Attributes,
    kind: SpanKind = SpanKind.INTERNAL,
  ): Span {
    const ctx: Context = parent === null ? context.active() : trace.setSpan(context.active(), parent);
    return service.tracer.startSpan(name, { startTime: this.t0 + offsetMs, attributes, kind }, ctx);
  }

  private log(span: Span, offsetMs: number, severity: SeverityNumber, message: string, attributes: Attributes = {}): void {
    this.agent.logger.emit({
      timestamp: this.t0 + offsetMs,
      severityNumber: severity,
      severityText: SeverityNumber[severity],
      body: message,
      attributes: { 'log.category': 'agent', ...attributes },
      context: trace.setSpan(context.active(), span),
    });
  }

  private llmCall(parent: Span, offsetMs: number, durationMs: number, call: LlmCall): void {
    const span = this.span(
      this.agent,
      `chat ${call.model}`,
      parent,
      offsetMs,
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': call.provider,
        'gen_ai.system': call.provider,
        'gen_ai.request.model': call.model,
        'gen_ai.response.model': call.responseModel,
        'gen_ai.request.temperature': 0.2,
        'gen_ai.request.max_tokens': 1024,
        'gen_ai.usage.input_tokens': call.inputTokens,
        'gen_ai.usage.output_tokens': call.outputTokens,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.response.id': `resp_${call.model.replace(/\W/g, '')}_${offsetMs}`,
      },
      SpanKind.CLIENT,
    );
    span.end(this.t0 + offsetMs + durationMs);
  }

  record(): string {
    const workflow = this.span(this.agent, 'workflow research-report', null, 0, {
      'workflow.name': 'research-report',
      'workflow.run_id': `run-${this.t0}`,
      'session.id': 'demo-session-1',
      'gen_ai.agent.name': 'orchestrator',
    }, SpanKind.SERVER);
    this.log(workflow, 1, SeverityNumber.INFO, 'workflow started', { 'workflow.name': 'research-report' });

    const planner = this.span(this.agent, 'agent planner', workflow, 5, { 'gen_ai.agent.name': 'planner', 'step.number': 0 });
    this.llmCall(planner, 10, 1_180, {
      provider: 'openai', model: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06', inputTokens: 812, outputTokens: 164,
    });
    this.log(planner, 1_195, SeverityNumber.INFO, 'plan ready: search, analyze, write', { 'plan.steps': 3 });
    planner.end(this.t0 + 1_200);

    const search = this.span(this.agent, 'step search', workflow, 1_210, { 'step.id': 'search', 'step.number': 1, 'gen_ai.agent.name': 'researcher' });
    const tool = this.span(this.agent, 'execute_tool web_search', search, 1_220, {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'web_search',
      'gen_ai.tool.call.id': 'call_7f3a',
    }, SpanKind.CLIENT);
    const retrieval = this.span(this.retrieval, 'POST /search', tool, 1_240, {
      'http.request.method': 'POST', 'http.route': '/search', 'http.response.status_code': 200,
    }, SpanKind.SERVER);
    const vector = this.span(this.retrieval, 'vector.query', retrieval, 1_260, { 'db.system.name': 'qdrant', 'retrieval.top_k': 8 });
    vector.end(this.t0 + 1_690);
    retrieval.end(this.t0 + 1_720);
    tool.end(this.t0 + 1_730);
    this.log(search, 1_735, SeverityNumber.INFO, 'retrieved 8 documents', { 'retrieval.documents': 8 });
    this.llmCall(search, 1_740, 2_150, {
      provider: 'anthropic', model: 'claude-sonnet-4-5', responseModel: 'claude-sonnet-4-5-20250929', inputTokens: 5_230, outputTokens: 402,
    });
    search.end(this.t0 + 3_900);

    const analyze = this.span(this.agent, 'step analyze', workflow, 3_910, { 'step.id': 'analyze', 'step.number': 2, 'gen_ai.agent.name': 'analyst' });
    this.llmCall(analyze, 3_920, 3_050, {
      provider: 'openai', model: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024-07-18', inputTokens: 3_120, outputTokens: 655,
    });
    analyze.end(this.t0 + 6_980);

    const write = this.span(this.agent, 'step write', workflow, 6_990, { 'step.id': 'write', 'step.number': 3, 'gen_ai.agent.name': 'writer' });
    this.llmCall(write, 7_000, 4_020, {
      provider: 'openai', model: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06', inputTokens: 4_410, outputTokens: 1_024,
    });
    const error = new Error('citation check failed: 2 of 9 sources could not be verified');
    error.name = 'CitationError';
    write.recordException(error, this.t0 + 11_030);
    write.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    this.log(write, 11_031, SeverityNumber.ERROR, 'step write failed', {
      'exception.type': error.name, 'exception.message': error.message,
    });
    write.end(this.t0 + 11_040);

    workflow.setStatus({ code: SpanStatusCode.ERROR, message: 'step write failed' });
    this.log(workflow, 11_045, SeverityNumber.WARN, 'workflow finished with errors', { 'workflow.failed_steps': 1 });
    workflow.end(this.t0 + 11_050);
    return workflow.spanContext().traceId;
  }

  /** Exports everything, then shuts the providers down; rejects if an export failed. */
  async flush(): Promise<void> {
    try {
      await Promise.all([...this.tracers.map((p) => p.forceFlush()), ...this.loggers.map((p) => p.forceFlush())]);
      await Promise.all([...this.tracers.map((p) => p.shutdown()), ...this.loggers.map((p) => p.shutdown())]);
    } catch (error) {
      // The SDK rejects with an array of exporter errors, which have no useful `message` of their own.
      const errors = (Array.isArray(error) ? error : [error]) as Array<{ code?: number; message?: string }>;
      const detail = errors.map((e) => (e.code !== undefined ? `HTTP ${e.code}` : '') + (e.message ? ` ${e.message}` : '')).join('; ');
      throw new Error(`the server refused the demo's export: ${detail.trim() || 'unknown error'}`, { cause: error });
    }
  }
}

interface LlmCall {
  provider: string;
  model: string;
  responseModel: string;
  inputTokens: number;
  outputTokens: number;
}
