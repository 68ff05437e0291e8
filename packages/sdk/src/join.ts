import type { PrometheusExporter as PrometheusReader } from '@opentelemetry/exporter-prometheus';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpoorConfigError } from './config.js';
import { JoinedLogRecordProcessor, JoinedMetricExporter, JoinedSpanProcessor } from './export/joined.js';
import { joinAppSdk } from './init.js';
import { runtime } from './runtime.js';

/** What {@link spoorProcessors} accepts. */
export interface SpoorProcessorsOptions {
  /** How often the app's metrics are pushed to Spoor, in ms (at least 100). Default: 15000. */
  metricsIntervalMs?: number;
}

/** Spoor's parts for an app's own OpenTelemetry SDK, in the shape `NodeSDK`'s options take them. */
export interface SpoorProcessors {
  /** Masking, LLM usage, live snapshots and export to Spoor, for every span the app's tracer provider makes. */
  spanProcessors: SpanProcessor[];
  /** Records other libraries emit through the OTel logs API, masked and sent to Spoor. */
  logRecordProcessors: LogRecordProcessor[];
  /** A push reader that sends the app's meter provider's metrics to Spoor, and the reader behind `prometheusHandler()`. */
  metricReaders: IMetricReader[];
}

/**
 * Adds Spoor to an app that already runs an OpenTelemetry SDK (`@opentelemetry/sdk-node`, a
 * `NodeTracerProvider`): give the parts to that SDK, and call `init()` for where Spoor sends, in
 * either order. Spoor then registers nothing itself: the app's SDK makes every span, log record
 * and metric once, and both its exporters and Spoor get the whole trace. Call it before the app's
 * SDK starts; if `init()` ran first, Spoor's own providers step aside for the app's.
 * @example
 * import { NodeSDK } from '@opentelemetry/sdk-node';
 * import { init, spoorProcessors } from '@spoor/sdk';
 * const spoor = spoorProcessors();
 * new NodeSDK({
 *   spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter()), ...spoor.spanProcessors],
 *   logRecordProcessors: [new BatchLogRecordProcessor(new OTLPLogExporter()), ...spoor.logRecordProcessors],
 *   metricReaders: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter() }), ...spoor.metricReaders],
 *   instrumentations: [new HttpInstrumentation()],
 * }).start();
 * init({ serviceName: 'research-agent', endpoint: 'http://spoor:4318' });
 */
export function spoorProcessors(options: SpoorProcessorsOptions = {}): SpoorProcessors {
  const intervalMs = options.metricsIntervalMs ?? 15_000;
  if (!Number.isInteger(intervalMs) || intervalMs < 100) {
    throw new SpoorConfigError(`spoor spoorProcessors(): metricsIntervalMs must be a whole number of milliseconds, at least 100 (got ${String(intervalMs)})`);
  }
  const prometheus: PrometheusReader = new PrometheusExporter({ preventServerStart: true });
  const pushing = new JoinedMetricReader(intervalMs);
  joinAppSdk([pushing], prometheus);
  return { spanProcessors: [new JoinedSpanProcessor()], logRecordProcessors: [new JoinedLogRecordProcessor()], metricReaders: [pushing, prometheus] };
}

/** The push reader of the app's meter provider; once that provider exists, Spoor's instruments are made on it. */
class JoinedMetricReader extends PeriodicExportingMetricReader {
  constructor(intervalMs: number) {
    super({ exporter: new JoinedMetricExporter(), exportIntervalMillis: intervalMs, exportTimeoutMillis: Math.min(30_000, intervalMs) });
  }

  protected override onInitialized(): void {
    super.onInitialized();
    // Called as the app's meter provider is built: instruments made before on no provider are made again.
    runtime.generation += 1;
  }
}
