import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hrTimeAt } from './support/otel-exporters.js';
import { type PrometheusServer, promtoolCheckMetrics, startPrometheus } from './support/prometheus.js';
import { type TestServer, startTestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * The whole way a user would watch Spoor: spans sent by the real OpenTelemetry SDK, committed,
 * counted, scraped from `/metrics` by a real Prometheus server on loopback, and read back with
 * PromQL through Prometheus' HTTP API.
 */

const SERVICE = 'prom-scrape-agent';
const OPENAI = { gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4o', gen_ai_operation_name: 'chat' };

let server: TestServer;
let prometheus: PrometheusServer | null = null;

/** Sends an agent trace: a root span, two OpenAI chat calls (one failed), and a tool call. */
async function sendAgentTrace(baseUrl: string): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${baseUrl}/v1/traces` }))],
  });
  const tracer = provider.getTracer('prometheus-scrape-test');
  const s = Math.floor(Date.now() / 1000) - 60;
  const root = tracer.startSpan('agent run', { kind: SpanKind.SERVER, startTime: hrTimeAt(s, 0) }, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  const chat = (offsetUs: number, inputTokens: number, outputTokens: number, failed: boolean): void => {
    const span = tracer.startSpan(
      'chat gpt-4o',
      {
        kind: SpanKind.CLIENT,
        startTime: hrTimeAt(s, offsetUs),
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': inputTokens,
          'gen_ai.usage.output_tokens': outputTokens,
        },
      },
      ctx,
    );
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
    // 1.5 s: in the (1.28, 2.56] bucket of gen_ai.client.operation.duration.
    span.end(hrTimeAt(s, offsetUs + 1_500_000));
  };
  chat(100_000, 1200, 300, false);
  chat(2_000_000, 800, 0, true);
  const tool = tracer.startSpan('execute_tool search', { startTime: hrTimeAt(s, 4_000_000), attributes: { 'gen_ai.operation.name': 'execute_tool' } }, ctx);
  tool.end(hrTimeAt(s, 4_200_000));
  root.end(hrTimeAt(s, 5_000_000));
  await provider.forceFlush();
  await provider.shutdown();
}

/** The `/metrics` text once `name` appears in it (spans are counted when their batch commits). */
async function scrapeWhen(contains: string): Promise<string> {
  return until(`/metrics showing ${contains}`, async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return text.includes(contains) ? text : undefined;
  });
}

beforeAll(async () => {
  server = await startTestServer();
  await sendAgentTrace(server.url);
  await scrapeWhen(`service_name="${SERVICE}"`);
  prometheus = await startPrometheus({ target: server.url });
});

afterAll(async () => {
  try {
    await prometheus?.stop();
  } finally {
    await server?.stop();
  }
});

it('serves span and GenAI metrics on /metrics that promtool accepts without a warning', async () => {
  const text = await scrapeWhen('gen_ai_client_token_usage_count');
  expect(text).toContain(`spoor_spans_total{service_name="${SERVICE}",span_kind="client"} 2`);
  expect(text).toContain(`spoor_span_errors_total{service_name="${SERVICE}",span_kind="client"} 1`);
  expect(text).toContain(`spoor_spans_total{service_name="${SERVICE}",span_kind="internal"} 1`);
  expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' });
});

it('lets Prometheus scrape Spoor and read the GenAI token usage back through PromQL', async () => {
  const up = await prometheus!.waitFor('up{job="spoor"} == 1');
  expect(up).toHaveLength(1);

  const inputs = await prometheus!.waitFor('gen_ai_client_token_usage_count{gen_ai_token_type="input"}');
  expect(inputs).toEqual([{ metric: expect.objectContaining({ ...OPENAI, gen_ai_token_type: 'input', job: 'spoor' }), value: 2 }]);
  const [sum] = await prometheus!.query('sum(gen_ai_client_token_usage_sum{gen_ai_provider_name="openai",gen_ai_token_type="input"})');
  expect(sum?.value).toBe(2000);
  const [outputs] = await prometheus!.query('gen_ai_client_token_usage_sum{gen_ai_request_model="gpt-4o",gen_ai_token_type="output"}');
  expect(outputs?.value).toBe(300);
});

it('answers a histogram_quantile over the GenAI operation duration from the spec buckets', async () => {
  const [bucket] = await prometheus!.waitFor('gen_ai_client_operation_duration_seconds_bucket{le="2.56",gen_ai_request_model="gpt-4o"}');
  expect(bucket?.value).toBe(2);
  const [below] = await prometheus!.query('gen_ai_client_operation_duration_seconds_bucket{le="1.28",gen_ai_request_model="gpt-4o"}');
  expect(below?.value).toBe(0);
  const [p50] = await prometheus!.query(
    'histogram_quantile(0.5, sum by (le) (gen_ai_client_operation_duration_seconds_bucket{gen_ai_request_model="gpt-4o"}))',
  );
  expect(p50?.value).toBeGreaterThan(1.28);
  expect(p50?.value).toBeLessThanOrEqual(2.56);
});
