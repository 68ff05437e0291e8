import { ROOT_CONTEXT } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { CompareResponse, SpanStatsResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_VARIANTS, traceExporterFor } from './support/otel-exporters.js';
import { getJson, startTestServer, type TestServer } from './support/server.js';

/**
 * Prompt versions compared as releases are: LLM calls carrying `spoor.prompt.name` and
 * `spoor.prompt.version` (what the SDK's `withPrompt()` sets) are grouped and compared by the span
 * attribute, within one prompt name, by the same statistics and significance tests.
 */

const PROTOBUF = EXPORT_VARIANTS.find((v) => v.slug === 'proto')!;
let server: TestServer;
let range: string;

beforeAll(async () => {
  server = await startTestServer();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'support-bot' }),
    spanProcessors: [new BatchSpanProcessor(traceExporterFor(PROTOBUF, server.url), { maxExportBatchSize: 512, scheduledDelayMillis: 60_000 })],
  });
  const tracer = provider.getTracer('prompt-compare-test');
  const nowMs = Date.now();
  // 12 calls each: greeting v3 answers in 100-111 ms, v4 in 300-311 ms, and 2 of v4's 12 fail;
  // another prompt's v3 calls, far slower, must not count towards greeting's v3.
  const call = (name: string, version: string, i: number, ms: number, fails: boolean): void => {
    const start = nowMs - 40_000 + i * 100;
    const span = tracer.startSpan(
      'chat gpt-4o',
      {
        startTime: start,
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'spoor.prompt.name': name, 'spoor.prompt.version': version },
      },
      ROOT_CONTEXT,
    );
    if (fails) span.setStatus({ code: 2 });
    span.end(start + ms);
  };
  for (let i = 0; i < 12; i++) {
    call('greeting', '3', i, 100 + i, false);
    call('greeting', '4', i, 300 + i, i < 2);
    call('farewell', '3', i, 5000 + i, false);
  }
  await provider.forceFlush();
  await provider.shutdown();
  range = `from=${nowMs - 60_000}&to=${nowMs + 1000}`;
});

afterAll(async () => {
  await server?.close();
});

describe('prompt versions', () => {
  it("counts each version's calls, latency and errors within one prompt", async () => {
    const { body } = await getJson<SpanStatsResponse>(server.url, `/api/stats/spans?groupBy=spoor.prompt.version&attr=spoor.prompt.name%3Dgreeting&${range}`);
    const byVersion = new Map(body.groups.map((g) => [g.key, g]));
    expect(byVersion.get('3')).toMatchObject({ count: 12, errorCount: 0, avgMs: 105.5 });
    expect(byVersion.get('4')).toMatchObject({ count: 12, errorCount: 2, avgMs: 305.5 });
    expect(body.groups).toHaveLength(2);
  });

  it('compares two versions with the release tests: v4 significantly slower, its p-value given', async () => {
    const { body } = await getJson<CompareResponse>(
      server.url,
      `/api/stats/compare?by=spoor.prompt.version&a=3&b=4&attr=spoor.prompt.name%3Dgreeting&${range}`,
    );
    const [row] = body.rows;
    expect(body.rows).toHaveLength(1);
    expect(row!.a).toMatchObject({ count: 12, errorRate: 0 });
    expect(row!.b).toMatchObject({ count: 12 });
    expect(row!.b!.errorRate).toBeCloseTo(2 / 12, 12);
    expect(row!.change.p50).toBeCloseTo((305.5 - 105.5) / 105.5, 10);
    expect(row!.latency.test).toBe('mann-whitney-u');
    expect(row!.latency.significant).toBe(true);
    expect(row!.latency.pValue).toBeLessThan(0.001);
    expect(row!.errors.test).toBe('two-proportion-z');
    // 2 failures in 24 calls are too few for the z-test: it gives no p-value rather than a wrong one.
    expect(row!.errors.pValue).toBeNull();
  });
});
