import type { Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordProcessor, SdkLogRecord } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  AggregationType,
  type AggregationOption,
  type InstrumentType,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SDK_NAME } from '../runtime.js';

/**
 * Where the parts an app gives its own OpenTelemetry SDK (`spoorProcessors()`) hand what they
 * see: Spoor's span pipeline, its log processors for records other libraries emit, and its
 * metric exporter. `init()` sets them and `shutdown()` clears them; the parts may exist before
 * either (an app builds its SDK first), and hand nothing on while they are unset.
 */
export const joinTargets: { spans: SpanProcessor | undefined; logs: LogRecordProcessor | undefined; metrics: PushMetricExporter | undefined } = {
  spans: undefined,
  logs: undefined,
  metrics: undefined,
};

/**
 * In the app's tracer provider: every span it makes goes through Spoor's pipeline too (masking,
 * LLM usage, live snapshots, export to Spoor). The app's `shutdown()` flushes Spoor's share; only
 * Spoor's `shutdown()` closes it, so either may go first.
 */
export class JoinedSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    joinTargets.spans?.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    joinTargets.spans?.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return joinTargets.spans?.forceFlush() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.forceFlush();
  }
}

/**
 * In the app's logger provider: records other libraries emit through the OpenTelemetry logs API
 * go to Spoor too. Spoor's own logger and scores send to Spoor directly (its fast path), so their
 * records are skipped here rather than sent twice.
 */
export class JoinedLogRecordProcessor implements LogRecordProcessor {
  onEmit(record: SdkLogRecord, context?: Context): void {
    if (record.instrumentationScope.name === SDK_NAME) return;
    joinTargets.logs?.onEmit(record, context);
  }

  forceFlush(): Promise<void> {
    return joinTargets.logs?.forceFlush() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.forceFlush();
  }
}

/**
 * The exporter of Spoor's metric readers, in the app's meter provider or Spoor's own: sends to
 * the exporter `init()` set, with its temporality and aggregation. Its shutdown (a reader's) only flushes, so a
 * reader that stops, Spoor's own when an app's SDK takes over, leaves the exporter to the rest.
 */
export class JoinedMetricExporter implements PushMetricExporter {
  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    const target = joinTargets.metrics;
    // Before init() or after shutdown(): nothing is sent, and nothing is failing.
    if (target === undefined) return resultCallback({ code: ExportResultCode.SUCCESS });
    target.export(metrics, resultCallback);
  }

  selectAggregationTemporality(type: InstrumentType): AggregationTemporality {
    return joinTargets.metrics?.selectAggregationTemporality?.(type) ?? AggregationTemporality.CUMULATIVE;
  }

  selectAggregation(type: InstrumentType): AggregationOption {
    return joinTargets.metrics?.selectAggregation?.(type) ?? { type: AggregationType.DEFAULT };
  }

  forceFlush(): Promise<void> {
    return joinTargets.metrics?.forceFlush() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.forceFlush();
  }
}

/** Hands each record to every processor, as the logger provider does with its list. */
export class LogProcessors implements LogRecordProcessor {
  constructor(private readonly processors: LogRecordProcessor[]) {}

  onEmit(record: SdkLogRecord, context?: Context): void {
    for (const processor of this.processors) processor.onEmit(record, context);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((processor) => processor.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((processor) => processor.shutdown()));
  }
}
