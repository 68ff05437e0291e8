import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, type IMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { resolveConfig, SpoorConfigError, type SpoorConfig, type SpoorOptions } from './config.js';
import { ConsoleSpanPrinter } from './export/console.js';
import { GuardedLogExporter, GuardedMetricExporter, GuardedSpanExporter, RedactingLogProcessor } from './export/guarded.js';
import { JoinedMetricExporter, joinTargets, LogProcessors } from './export/joined.js';
import { LiveSpanProcessor } from './export/live.js';
import { createStderrReporter, type ExportErrorHandler } from './export/report.js';
import { LogBatch } from './log/log-batch.js';
import { logger, logSink } from './log/logger.js';
import { createRedactor, type Redactor } from '@spoor/model';
import { loadCassette } from './replay/load.js';
import { ReplaySession, type ReplayReport } from './replay/session.js';
import { disabledRuntime, globalLogger, globalMeter, runtime, SDK_NAME, SDK_VERSION, uninitializedRuntime, warnOnce, type Runtime } from './runtime.js';
import { SpoorSampler } from './sampling/sampler.js';
import { FUNCTION_NAME_ATTRIBUTE, ReplayingSpanProcessor, SpoorSpanProcessor } from './trace/span-processor.js';

/** What `init()` set up, so `shutdown()` can flush and undo exactly that. */
interface Installed {
  /** Spoor's span pipeline: the processor of its own tracer provider, or what the app's provider hands spans to. */
  spans: SpanProcessor;
  /** Spoor's own providers; undefined when Spoor joined the app's OpenTelemetry SDK from the start. */
  tracerProvider: BasicTracerProvider | undefined;
  loggerProvider: LoggerProvider | undefined;
  meterProvider: MeterProvider | undefined;
  /** Its last export, when an app's SDK took over from Spoor's own meter provider. */
  meterProviderClosing: Promise<void> | undefined;
  logBatch: LogBatch | undefined;
  /** Masking and batching of records other libraries emit through the OTel logs API. */
  logProcessors: LogRecordProcessor | undefined;
  metricExporter: PushMetricExporter | undefined;
  /** Spoor's parts are in the app's OpenTelemetry SDK (`spoorProcessors()`); Spoor registers nothing. */
  joined: boolean;
  globals: { trace: boolean; context: boolean; propagation: boolean; metrics: boolean; logs: boolean };
}

/** The parts `spoorProcessors()` handed out: once any exist, Spoor joins the app's SDK instead of registering its own. */
interface JoinedParts {
  readers: PeriodicExportingMetricReader[];
  prometheus: PrometheusExporter;
}

let installed: Installed | undefined;
let closing: Promise<void> | undefined;
let joinedParts: JoinedParts | undefined;

/**
 * Sets Spoor up for this process: traces, logs and metrics exported over OTLP/HTTP to a Spoor
 * server (or any OTLP endpoint), masking, sampling, and async context so spans nest across
 * `await`s. Call it once, before the code it should observe runs. A wrong option throws a
 * {@link SpoorConfigError} that says how to fix it; after that the SDK never throws into the app.
 * An app with an OpenTelemetry SDK of its own gives that SDK {@link spoorProcessors}' parts too.
 * @example
 * import { init, shutdown } from '@spoor/sdk';
 * init({ serviceName: 'research-agent', environment: 'dev', sampleRate: 0.5 });
 * process.on('SIGTERM', () => void shutdown());
 */
export function init(options: SpoorOptions = {}): void {
  if (runtime.state !== 'uninitialized' || closing !== undefined) {
    throw new SpoorConfigError('spoor init(): already initialized; call `await shutdown()` before calling init() again');
  }
  const config = resolveConfig(options, process.env, process.stdout.isTTY === true);
  logSink.configure(config.logDestination, config.logFormat === 'pretty');
  logger.level = config.logLevel;
  const redactor = config.redact === false ? undefined : createRedactor(config.redact);
  if (!config.enabled) {
    Object.assign(runtime, disabledRuntime(), { generation: runtime.generation + 1, redactor });
    installed = undefined;
    return;
  }

  const resource = resourceFor(config);
  const onError = config.onExportError ?? createStderrReporter(config.endpoint);
  const exporters = exportersFor(config);

  // Read in the background; calls that need the recording wait for it.
  const replay = config.replay === undefined ? undefined : new ReplaySession(config.replay, loadCassette);
  const exporting = exportingProcessor(config, exporters.spans, redactor, onError);
  const spans = replay === undefined ? new SpoorSpanProcessor(exporting) : new ReplayingSpanProcessor(exporting, replay);

  let logProcessors: LogRecordProcessor | undefined;
  let logBatch: LogBatch | undefined;
  if (exporters.logs !== undefined) {
    const logExporter = new GuardedLogExporter(exporters.logs, onError);
    logBatch = new LogBatch(logExporter);
    // For records other libraries emit through the OTel logs API; our logger feeds logBatch.
    const processors: LogRecordProcessor[] = redactor === undefined ? [] : [new RedactingLogProcessor(redactor)];
    processors.push(new BatchLogRecordProcessor({ exporter: logExporter, scheduledDelayMillis: 1000 }));
    logProcessors = new LogProcessors(processors);
  }
  const metricExporter = exporters.metrics === undefined ? undefined : new GuardedMetricExporter(exporters.metrics, onError);
  Object.assign(joinTargets, { spans, logs: logProcessors, metrics: metricExporter });

  const base = {
    state: 'enabled' as const,
    off: false,
    generation: runtime.generation + 1,
    redactor,
    logs: logBatch === undefined ? undefined : { batch: logBatch, resource },
    serviceName: config.serviceName,
    server: { endpoint: config.endpoint, headers: config.headers },
    replay,
  };
  const parts: Omit<Installed, 'tracerProvider' | 'loggerProvider' | 'meterProvider' | 'joined' | 'globals'> = {
    spans,
    meterProviderClosing: undefined,
    logBatch,
    logProcessors,
    metricExporter,
  };
  if (joinedParts !== undefined) {
    if (options.sampleRate !== undefined || options.sampleBy !== undefined) {
      const message = "init(): sampleRate and sampleBy apply to Spoor's own tracer provider; joined to your OpenTelemetry SDK, its sampler decides";
      warnOnce('joined:sampling', message);
    }
    installed = { ...parts, tracerProvider: undefined, loggerProvider: undefined, meterProvider: undefined, joined: true, globals: noGlobals() };
    Object.assign(runtime, base, joinedRuntime(joinedParts));
    process.once('beforeExit', flushOnExit);
    return;
  }

  const tracerProvider = new BasicTracerProvider({ resource, sampler: new SpoorSampler(config.sampleRate, config.sampleBy), spanProcessors: [spans] });
  const loggerProvider = logProcessors === undefined ? undefined : new LoggerProvider({ resource, processors: [logProcessors] });
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const readers: IMetricReader[] = [prometheus];
  if (metricExporter !== undefined) readers.push(periodicReader(new JoinedMetricExporter(), config.metricsIntervalMs));
  const meterProvider = new MeterProvider({ resource, readers });

  const contextManager = new AsyncLocalStorageContextManager().enable();
  const globals = {
    context: context.setGlobalContextManager(contextManager),
    propagation: propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] })),
    trace: trace.setGlobalTracerProvider(tracerProvider),
    metrics: metrics.setGlobalMeterProvider(meterProvider),
    logs: loggerProvider !== undefined && logs.setGlobalLoggerProvider(loggerProvider) === loggerProvider,
  };
  if (!globals.context) contextManager.disable();
  if (!globals.trace || !globals.context) process.stderr.write(FOREIGN_SDK_MESSAGE);

  installed = { ...parts, tracerProvider, loggerProvider, meterProvider, joined: false, globals };
  Object.assign(runtime, base, {
    tracer: tracerProvider.getTracer(SDK_NAME, SDK_VERSION),
    meter: meterProvider.getMeter(SDK_NAME, SDK_VERSION),
    appLogger: undefined,
    prometheus,
    functionNameByProcessor: replay === undefined && config.sampleBy !== FUNCTION_NAME_ATTRIBUTE,
  });
  process.once('beforeExit', flushOnExit);
}

const FOREIGN_SDK_MESSAGE =
  '[spoor] init(): another OpenTelemetry SDK is registered in this process, so Spoor keeps its own providers beside it and each ' +
  "backend gets part of every trace. To send whole traces to both, give that SDK Spoor's parts before it starts: " +
  'const spoor = spoorProcessors(); new NodeSDK({ spanProcessors: [yours, ...spoor.spanProcessors], ' +
  "logRecordProcessors: [..., ...spoor.logRecordProcessors], metricReaders: [..., ...spoor.metricReaders] }) (docs/instrumenting.md: 'Already using OpenTelemetry')\n";

/**
 * Called by `spoorProcessors()`: from now on Spoor lives in the app's OpenTelemetry SDK. When
 * `init()` already registered Spoor's own providers, they step aside (the globals are freed for the
 * app's SDK to register, Spoor's helpers switch to the global API); spans started before go on to
 * Spoor through its own provider, and the metrics recorded so far are exported one last time.
 */
export function joinAppSdk(readers: PeriodicExportingMetricReader[], prometheus: PrometheusExporter): void {
  joinedParts = { readers: [...(joinedParts?.readers ?? []), ...readers], prometheus };
  const now = installed;
  if (runtime.state !== 'enabled' || now === undefined) return;
  if (now.joined) {
    runtime.prometheus = prometheus;
    return;
  }
  releaseGlobals(now.globals);
  now.globals = noGlobals();
  now.joined = true;
  now.meterProviderClosing = now.meterProvider?.shutdown().catch(() => undefined);
  now.meterProvider = undefined;
  Object.assign(runtime, { generation: runtime.generation + 1 }, joinedRuntime(joinedParts));
}

/** How Spoor's helpers reach the app's SDK: through the global API, whatever registers there. */
function joinedRuntime(parts: JoinedParts): Pick<Runtime, 'tracer' | 'meter' | 'appLogger' | 'prometheus' | 'functionNameByProcessor'> {
  return {
    tracer: trace.getTracer(SDK_NAME, SDK_VERSION),
    meter: globalMeter,
    appLogger: globalLogger,
    prometheus: parts.prometheus,
    // The name goes in the start attributes, where the app's sampler and processors see it.
    functionNameByProcessor: false,
  };
}

/**
 * Exports everything still buffered, then turns the SDK off. Safe to call more than once and
 * without `init()`; never rejects (export failures go to `onExportError`).
 * @example process.on('SIGTERM', async () => { await shutdown(); process.exit(0); });
 */
export function shutdown(): Promise<void> {
  if (closing !== undefined) return closing;
  const done = installed;
  if (done === undefined) {
    // Disabled (or never started): nothing to flush, but init() may be called again.
    if (runtime.state !== 'uninitialized') Object.assign(runtime, uninitializedRuntime(), { generation: runtime.generation + 1 });
    flushLogSink();
    return Promise.resolve();
  }
  process.removeListener('beforeExit', flushOnExit);
  closing = (async () => {
    try {
      const readers = done.joined ? (joinedParts?.readers ?? []) : [];
      await Promise.allSettled([
        done.tracerProvider?.shutdown(),
        done.spans.shutdown(),
        done.meterProvider?.shutdown(),
        done.meterProviderClosing,
        ...readers.map((reader) => reader.forceFlush()),
      ]);
      // Lines logged while spans were being exported are in the batch too; it goes before the log
      // processors, whose shutdown also shuts the exporter they share.
      await done.logBatch?.flush();
      await (done.loggerProvider?.shutdown() ?? done.logProcessors?.shutdown());
      await done.metricExporter?.shutdown();
    } catch {
      // Exporter failures were reported to onExportError; shutdown itself never rejects.
    } finally {
      Object.assign(joinTargets, { spans: undefined, logs: undefined, metrics: undefined });
      flushLogSink();
      releaseGlobals(done.globals);
      Object.assign(runtime, uninitializedRuntime(), { generation: runtime.generation + 1 });
      installed = undefined;
      closing = undefined;
    }
  })();
  return closing;
}

/**
 * How the replay started by `init({ replay })` went so far: calls replayed and made live, the
 * divergences, and the recorded calls not reached; undefined when not replaying. Await
 * `whenReplayLoaded()` first to see a load failure.
 * @example
 * init({ replay: { traceId, passthrough: true } });
 * await runAgent();
 * expect(getReplayReport()?.divergences).toEqual([]);
 */
export function getReplayReport(): ReplayReport | undefined {
  return runtime.replay?.report();
}

/**
 * Settles when the recorded trace of `init({ replay })` is loaded or failed to load; at once when
 * not replaying. Async calls wait for the recording by themselves; await this before a sync
 * `traced` function, which cannot.
 * @example
 * init({ replay: { traceId } });
 * await whenReplayLoaded();
 * const plan = planSync(goal); // a traced({ captureArgs: true }) sync function, now replayed
 */
export function whenReplayLoaded(): Promise<void> {
  return runtime.replay?.ready ?? Promise.resolve();
}

/**
 * Exports everything buffered now, without shutting down: for the end of a serverless
 * invocation or before a test reads the server.
 */
export async function flush(): Promise<void> {
  const now = installed;
  if (now === undefined) {
    if (runtime.state === 'disabled') flushLogSink();
    return;
  }
  const readers = now.joined ? (joinedParts?.readers ?? []) : [];
  await Promise.allSettled([
    now.spans.forceFlush(),
    now.logBatch?.flush(),
    now.logProcessors?.forceFlush(),
    now.meterProvider?.forceFlush(),
    ...readers.map((reader) => reader.forceFlush()),
  ]);
  flushLogSink();
}

/** Exports the spans ended so far, nothing else: what an experiment needs before the server reads its items' traces. */
export async function flushSpans(): Promise<void> {
  try {
    await installed?.spans.forceFlush();
  } catch {
    // An export failure went to onExportError; the caller goes on with what was sent.
  }
}

function flushLogSink(): void {
  try {
    logSink.flush();
  } catch {
    // A destination still opening (an async sonic-boom) has nothing buffered to lose yet.
  }
}

// A script that never calls shutdown() still gets its last spans out when the event loop drains.
function flushOnExit(): void {
  void shutdown();
}

function resourceFor(config: SpoorConfig): Resource {
  const attributes: Record<string, string> = { 'service.name': config.serviceName };
  if (config.serviceVersion !== undefined) attributes['service.version'] = config.serviceVersion;
  if (config.environment !== undefined) attributes['deployment.environment.name'] = config.environment;
  return defaultResource().merge(resourceFromAttributes({ ...config.resourceAttributes, ...attributes }));
}

/**
 * Where ended spans go: masked, then batched (printed one by one for the console), or nowhere. In
 * live mode running snapshots of open spans take the same masked exporter; the console prints
 * finished spans only, so it gets none.
 */
function exportingProcessor(
  config: SpoorConfig,
  exporter: SpanExporter | undefined,
  redactor: Redactor | undefined,
  onError: ExportErrorHandler,
): SpanProcessor {
  if (exporter === undefined) return new NoopSpanProcessor();
  const guarded = new GuardedSpanExporter(exporter, redactor, onError);
  if (config.exporter === 'console') return new SimpleSpanProcessor(guarded);
  const batched = (ended: SpanExporter) => new BatchSpanProcessor(ended, { scheduledDelayMillis: 1000 });
  return config.live ? new LiveSpanProcessor(guarded, config.liveIntervalMs, batched) : batched(guarded);
}

function exportersFor(config: SpoorConfig): { spans?: SpanExporter; logs?: LogRecordExporter; metrics?: PushMetricExporter } {
  const exporter = config.exporter;
  if (exporter === 'none') return {};
  if (exporter === 'console') return { spans: new ConsoleSpanPrinter() };
  if (exporter === 'otlp') {
    const headers = config.headers;
    return {
      spans: new OTLPTraceExporter({ url: `${config.endpoint}/v1/traces`, headers }),
      logs: new OTLPLogExporter({ url: `${config.endpoint}/v1/logs`, headers }),
      metrics: new OTLPMetricExporter({ url: `${config.endpoint}/v1/metrics`, headers }),
    };
  }
  return exporter;
}

function releaseGlobals(globals: Installed['globals']): void {
  if (globals.trace) trace.disable();
  if (globals.context) context.disable();
  if (globals.propagation) propagation.disable();
  if (globals.metrics) metrics.disable();
  if (globals.logs) logs.disable();
}

function periodicReader(exporter: PushMetricExporter, intervalMs: number): PeriodicExportingMetricReader {
  return new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: intervalMs, exportTimeoutMillis: Math.min(30_000, intervalMs) });
}

function noGlobals(): Installed['globals'] {
  return { trace: false, context: false, propagation: false, metrics: false, logs: false };
}
