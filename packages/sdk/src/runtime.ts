import { createNoopMeter, metrics, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { logs, type Logger as OtelLogger } from '@opentelemetry/api-logs';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { Resource } from '@opentelemetry/resources';
import type { LogBatch } from './log/log-batch.js';
import { createRedactor, type Redactor } from '@spoor/model';
import type { ReplaySession } from './replay/session.js';

export const SDK_NAME = '@spoor/sdk';
export const SDK_VERSION = '0.1.0';

/**
 * What `init()` decided, read by every helper. Before `init()` the helpers go through the global
 * OpenTelemetry API, so an app that set up its own OTel SDK still gets spans; after
 * `init({ enabled: false })` they call straight through (`off`), which is what keeps a disabled
 * `traced()` within a few nanoseconds of a plain call.
 */
export interface Runtime {
  state: 'uninitialized' | 'enabled' | 'disabled';
  /** True only when disabled: helpers call the wrapped function and nothing else. */
  off: boolean;
  /** Bumped on every init and shutdown, so metric instruments made earlier rebind lazily. */
  generation: number;
  tracer: Tracer;
  meter: Meter;
  /** Masks strings and fields; undefined when masking is off. */
  redactor: Redactor | undefined;
  /** Where the logger's records go as OTLP logs; undefined when logs are not exported. */
  logs: { batch: LogBatch; resource: Resource } | undefined;
  /**
   * When Spoor joined the app's own OpenTelemetry SDK (`spoorProcessors()`): the OTel logs API's
   * logger the log lines are also emitted to, so the app's backend gets them; undefined otherwise.
   */
  appLogger: OtelLogger | undefined;
  serviceName: string | undefined;
  /** The pull reader behind `prometheusHandler()`. */
  prometheus: PrometheusExporter | undefined;
  /** The Spoor server `init()` sends to and its authorization header: where `runExperiment` goes by default. */
  server: { endpoint: string; headers: Record<string, string> } | undefined;
  /** The replay run `init({ replay })` started; undefined when calls go out as usual. */
  replay: ReplaySession | undefined;
  /**
   * True when `tracer` is the SDK's own, whose span processor can name a `traced()` span's
   * function as it starts: not when replaying, nor when the sampler keys on that name.
   */
  functionNameByProcessor: boolean;
}

// Declared before `runtime`, which needs it while the module is still loading.
let builtIn: Redactor | undefined;

function defaultRedactor(): Redactor {
  return (builtIn ??= createRedactor());
}

export const runtime: Runtime = uninitializedRuntime();

export function uninitializedRuntime(): Runtime {
  return {
    state: 'uninitialized',
    off: false,
    generation: 0,
    tracer: trace.getTracer(SDK_NAME, SDK_VERSION),
    meter: metrics.getMeter(SDK_NAME, SDK_VERSION),
    // Masking is on by default, for log lines written before init() or with the SDK disabled too.
    redactor: defaultRedactor(),
    logs: undefined,
    appLogger: undefined,
    serviceName: undefined,
    prometheus: undefined,
    server: undefined,
    replay: undefined,
    functionNameByProcessor: false,
  };
}

export function disabledRuntime(): Omit<Runtime, 'generation'> {
  return { ...uninitializedRuntime(), state: 'disabled', off: true, meter: createNoopMeter() };
}

/**
 * The meter of whatever meter provider is registered globally when an instrument is made. The
 * metrics API, unlike the trace API, hands out no proxy: a meter taken before the app's SDK
 * registers its provider would stay a no-op.
 */
export const globalMeter: Meter = {
  createGauge: (name, options) => metrics.getMeter(SDK_NAME, SDK_VERSION).createGauge(name, options),
  createHistogram: (name, options) => metrics.getMeter(SDK_NAME, SDK_VERSION).createHistogram(name, options),
  createCounter: (name, options) => metrics.getMeter(SDK_NAME, SDK_VERSION).createCounter(name, options),
  createUpDownCounter: (name, options) => metrics.getMeter(SDK_NAME, SDK_VERSION).createUpDownCounter(name, options),
  createObservableGauge: (name, options) => metrics.getMeter(SDK_NAME, SDK_VERSION).createObservableGauge(name, options),
  createObservableCounter: (name, options) => metrics.getMeter(SDK_NAME, SDK_VERSION).createObservableCounter(name, options),
  createObservableUpDownCounter: (name, options) => metrics.getMeter(SDK_NAME, SDK_VERSION).createObservableUpDownCounter(name, options),
  addBatchObservableCallback: (callback, observables) => metrics.getMeter(SDK_NAME, SDK_VERSION).addBatchObservableCallback(callback, observables),
  removeBatchObservableCallback: (callback, observables) => metrics.getMeter(SDK_NAME, SDK_VERSION).removeBatchObservableCallback(callback, observables),
};

/**
 * The logger of whatever logger provider is registered globally, looked up on each record: an
 * app's SDK may register through another copy of the logs API, whose proxy ours never hears of.
 */
export const globalLogger: OtelLogger = {
  emit: (record) => logs.getLogger(SDK_NAME, SDK_VERSION).emit(record),
  enabled: (options) => logs.getLogger(SDK_NAME, SDK_VERSION).enabled(options),
};

const warned = new Set<string>();

/** One line on stderr per distinct problem: the SDK reports, it never throws into the app. */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  process.stderr.write(`[spoor] ${message}\n`);
}
