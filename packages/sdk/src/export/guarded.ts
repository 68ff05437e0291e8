import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, LogRecordProcessor, ReadableLogRecord, SdkLogRecord } from '@opentelemetry/sdk-logs';
import type { AggregationTemporality, InstrumentType, PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Redactor } from '@spoor/model';
import { SDK_NAME } from '../runtime.js';
import { reportingCallback, type ExportErrorHandler, type Signal } from './report.js';
import { SpanMasker } from './span-masker.js';

/**
 * Masks each span before it leaves the process, then hands it on. Masking here, in the export
 * batch, keeps it off the app's call path; the span has ended, so nothing reads it unmasked later.
 */
export class GuardedSpanExporter implements SpanExporter {
  private readonly masker: SpanMasker | undefined;

  constructor(
    private readonly inner: SpanExporter,
    redactor: Redactor | undefined,
    private readonly onError: ExportErrorHandler,
  ) {
    this.masker = redactor === undefined ? undefined : new SpanMasker(redactor);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const masker = this.masker;
    if (masker !== undefined) for (const span of spans) masker.mask(span);
    safeExport(() => this.inner.export(spans, reportingCallback(resultCallback, 'spans', this.onError)), resultCallback, 'spans', this.onError);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** An exporter that throws (a serializer on a value it cannot encode) fails its batch, reported, not the app. */
function safeExport(run: () => void, resultCallback: (result: ExportResult) => void, signal: Signal, onError: ExportErrorHandler): void {
  try {
    run();
  } catch (error) {
    reportingCallback(resultCallback, signal, onError)({ code: ExportResultCode.FAILED, error: error as Error });
  }
}

/** Reports failed log exports; masking of our own log lines happens before they are written. */
export class GuardedLogExporter implements LogRecordExporter {
  constructor(
    private readonly inner: LogRecordExporter,
    private readonly onError: ExportErrorHandler,
  ) {}

  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    safeExport(() => this.inner.export(logs, reportingCallback(resultCallback, 'logs', this.onError)), resultCallback, 'logs', this.onError);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** Masks log records that other libraries emit through the OTel logs API (ours are masked already). */
export class RedactingLogProcessor implements LogRecordProcessor {
  constructor(private readonly redactor: Redactor) {}

  onEmit(record: SdkLogRecord): void {
    if (record.instrumentationScope.name === SDK_NAME) return;
    if (typeof record.body === 'string') record.body = this.redactor.string(record.body);
    this.redactor.attributesInPlace(record.attributes as Record<string, unknown>);
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/** Reports failed metric exports and keeps the inner exporter's temporality and aggregation choices. */
export class GuardedMetricExporter implements PushMetricExporter {
  constructor(
    private readonly inner: PushMetricExporter,
    private readonly onError: ExportErrorHandler,
  ) {
    if (inner.selectAggregationTemporality !== undefined) {
      this.selectAggregationTemporality = (type: InstrumentType) => inner.selectAggregationTemporality!(type);
    }
    if (inner.selectAggregation !== undefined) {
      this.selectAggregation = (type: InstrumentType) => inner.selectAggregation!(type);
    }
  }

  selectAggregationTemporality?: (type: InstrumentType) => AggregationTemporality;
  selectAggregation?: PushMetricExporter['selectAggregation'];

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    safeExport(() => this.inner.export(metrics, reportingCallback(resultCallback, 'metrics', this.onError)), resultCallback, 'metrics', this.onError);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
