import { createNoopMeter, metrics, trace, type Meter, type Tracer } from '@opentelemetry/api';
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

const warned = new Set<string>();

/** One line on stderr per distinct problem: the SDK reports, it never throws into the app. */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  process.stderr.write(`[spoor] ${message}\n`);
}
