import { context, metrics, trace, type ProxyTracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { initInMemory } from '../test/support/memory.js';
import { counter, shutdown, spoorProcessors, SpoorConfigError, traced, workflow } from './index.js';

afterEach(async () => {
  await shutdown();
  trace.disable();
  context.disable();
  metrics.disable();
});

describe('spoorProcessors()', () => {
  it('rejects a metrics interval under 100 ms, naming the option', () => {
    expect(() => spoorProcessors({ metricsIntervalMs: 50 })).toThrow(SpoorConfigError);
    expect(() => spoorProcessors({ metricsIntervalMs: 50 })).toThrow('metricsIntervalMs must be a whole number of milliseconds, at least 100 (got 50)');
  });

  it("after init(), frees the globals for the app's SDK, whose spans and metrics then reach both", async () => {
    const sdk = initInMemory();
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).toBeInstanceOf(BasicTracerProvider);
    const spoor = spoorProcessors();

    // The app's SDK starts now: each global is free for it.
    const appSpans = new InMemorySpanExporter();
    const appProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(appSpans), ...spoor.spanProcessors] });
    const appMetrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const appReader = new PeriodicExportingMetricReader({ exporter: appMetrics, exportIntervalMillis: 60_000 });
    const meterProvider = new MeterProvider({ readers: [appReader, ...spoor.metricReaders] });
    expect(context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())).toBe(true);
    expect(trace.setGlobalTracerProvider(appProvider)).toBe(true);
    expect(metrics.setGlobalMeterProvider(meterProvider)).toBe(true);

    const plan = traced(function plan() {
      counter('joined.plans').inc();
      return 'planned';
    });
    await workflow('answer', () => plan());

    const ids = (spans: { spanContext(): { spanId: string } }[]) => spans.map((span) => span.spanContext().spanId).sort();
    const toSpoor = await sdk.spans();
    expect(toSpoor.map((span) => span.name).sort()).toEqual(['answer', 'plan']);
    expect(ids(toSpoor)).toEqual(ids(appSpans.getFinishedSpans()));
    const planSpan = toSpoor.find((span) => span.name === 'plan')!;
    expect(planSpan.parentSpanContext?.spanId).toBe(toSpoor.find((span) => span.name === 'answer')!.spanContext().spanId);
    expect(planSpan.attributes['code.function.name']).toBe('plan');

    expect((await sdk.metrics()).get('joined.plans')?.dataPoints[0]?.value).toBe(1);
    await appReader.forceFlush();
    const appNames = appMetrics
      .getMetrics()
      .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => metric.descriptor.name)));
    expect(appNames).toContain('joined.plans');
    await Promise.all([appProvider.shutdown(), meterProvider.shutdown()]);
  });
});
