import { InMemoryLogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InMemoryMetricExporter, type DataPoint, type MetricData } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { flush, init, shutdown, type SpoorOptions } from '../../src/index.js';

/** An initialized SDK whose telemetry lands in memory, for asserting shapes. */
export interface MemorySdk {
  /** Flushes, then returns every finished and exported span so far. */
  spans(): Promise<ReadableSpan[]>;
  /** Flushes, then returns every exported log record so far. */
  logs(): Promise<ReadableLogRecord[]>;
  /** Flushes, then returns the latest exported data of each metric by name. */
  metrics(): Promise<Map<string, MetricData>>;
  /** The JSON log lines written, parsed. */
  lines(): Record<string, unknown>[];
  /** The raw text written to the log destination. */
  text(): string;
}

/** `init()` with in-memory exporters and a captured log destination; pair with `await shutdown()`. */
export function initInMemory(options: SpoorOptions = {}): MemorySdk {
  const spanExporter = new InMemorySpanExporter();
  const logExporter = new InMemoryLogRecordExporter();
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  let written = '';
  init({
    serviceName: 'test-service',
    exporter: { spans: spanExporter, logs: logExporter, metrics: metricExporter },
    logDestination: { write: (line: string) => (written += line) },
    logFormat: 'json',
    ...options,
  });
  return {
    async spans() {
      await flush();
      return spanExporter.getFinishedSpans();
    },
    async logs() {
      await flush();
      return logExporter.getFinishedLogRecords();
    },
    async metrics() {
      await flush();
      const latest = new Map<string, MetricData>();
      for (const batch of metricExporter.getMetrics()) {
        for (const scope of batch.scopeMetrics) for (const metric of scope.metrics) latest.set(metric.descriptor.name, metric);
      }
      return latest;
    },
    lines() {
      return written
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    text: () => written,
  };
}

/** The value of the metric's point whose attributes include `labels`. */
export function pointValue(metric: MetricData | undefined, labels: Record<string, unknown>): DataPoint<unknown>['value'] | undefined {
  const points = (metric?.dataPoints ?? []) as DataPoint<unknown>[];
  const found = points.find((point) => Object.entries(labels).every(([key, value]) => point.attributes[key] === value));
  return found?.value;
}

/** Spans by name; throws when a name is missing so a test failure says which. */
export function byName(spans: ReadableSpan[], name: string): ReadableSpan {
  const span = spans.find((candidate) => candidate.name === name);
  if (span === undefined) throw new Error(`no span named '${name}' among: ${spans.map((s) => s.name).join(', ')}`);
  return span;
}

export { shutdown };
