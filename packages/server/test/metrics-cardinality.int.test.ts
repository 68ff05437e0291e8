import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SpanInput, encodeTraces } from './support/otlp-encode.js';
import { type PrometheusServer, promtoolCheckMetrics, startPrometheus } from './support/prometheus.js';
import { type TestServer, startTestServer } from './support/server.js';

/**
 * Label values come from the senders (service names, model names), so `/metrics` must stay
 * bounded whatever they send. One request with 2,500 model names once grew it to 106,573 series
 * and 16.8 MB a scrape, and a Prometheus with `sample_limit: 50000` then dropped every scrape,
 * Spoor's own health series with them. Here each family stays within its budget of 2,000 series
 * (the default `--metrics-max-series`), buckets included, the rest folded into `other`.
 */

const MODELS = 2500;
const MAX_SERIES_PER_FAMILY = 2000;
const SAMPLE_LIMIT = 50_000;

let server: TestServer;
let prometheus: PrometheusServer | null = null;

/** One request: an LLM call to each of 2,500 models, with tokens and a first chunk. */
function manyModels(): Uint8Array {
  const traceId = randomBytes(16).toString('hex');
  const start = BigInt(Date.now() - 60_000) * 1_000_000n;
  const items = Array.from(
    { length: MODELS },
    (_, i): SpanInput => ({
      traceId,
      spanId: randomBytes(8).toString('hex'),
      name: `chat model-${i}`,
      kind: 3,
      startTimeUnixNano: start,
      endTimeUnixNano: start + 1_500_000_000n,
      attributes: {
        'gen_ai.provider.name': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': `model-${i}`,
        'gen_ai.usage.input_tokens': 100 + i,
        'gen_ai.usage.output_tokens': 10,
        'gen_ai.response.time_to_first_chunk': 0.2,
      },
    }),
  );
  return encodeTraces([{ resource: { attributes: { 'service.name': 'many-models' } }, scopes: [{ scope: { name: 'test' }, items }] }]);
}

/** The `/metrics` text once `contains` appears in it (spans count once their request is acknowledged). */
async function scrapeWhen(contains: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    if (text.includes(contains)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`/metrics never showed ${contains}`);
}

/** Samples per family (each `# TYPE` to the next), buckets, `_sum` and `_count` included. */
function seriesPerFamily(text: string): Map<string, number> {
  const families = new Map<string, number>();
  let family = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      family = line.split(' ')[2]!;
      families.set(family, 0);
    } else if (line !== '' && !line.startsWith('#')) families.set(family, families.get(family)! + 1);
  }
  return families;
}

beforeAll(async () => {
  server = await startTestServer();
  const answer = await fetch(`${server.url}/v1/traces`, { method: 'POST', body: manyModels(), headers: { 'content-type': 'application/x-protobuf' } });
  expect(answer.status).toBe(200);
});

afterAll(async () => {
  try {
    await prometheus?.stop();
  } finally {
    await server?.stop();
  }
});

it(`bounds each family at ${MAX_SERIES_PER_FAMILY} series, buckets included, folding the rest into other and counting them`, async () => {
  const text = await scrapeWhen(`spoor_spans_total{service_name="many-models",span_kind="client"} ${MODELS}`);
  const families = seriesPerFamily(text);
  for (const [family, count] of families) expect(count, family).toBeLessThanOrEqual(MAX_SERIES_PER_FAMILY);
  const total = [...families.values()].reduce((sum, n) => sum + n, 0);
  expect(total).toBeLessThan(SAMPLE_LIMIT / 2);
  // Every LLM call counted, the models past the budget under `other`.
  const folded = 'gen_ai_provider_name="other",gen_ai_request_model="other",gen_ai_operation_name="other",otel_metric_overflow="true"';
  const count = (series: string): number => Number(new RegExp(`^${series.replace(/[{}"=,.]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  const kept = [...text.matchAll(/^gen_ai_client_operation_duration_seconds_count\{gen_ai_provider_name="openai",gen_ai_request_model="model-\d+"/gm)].length;
  expect(kept).toBeGreaterThan(0);
  expect(count(`gen_ai_client_operation_duration_seconds_count{${folded}}`)).toBe(MODELS - kept);
  expect(count('spoor_metrics_overflow_total{family="gen_ai_client_token_usage"}')).toBe(MODELS - kept);
  // The server's own health series are all there.
  expect(count('spoor_ingest_records_accepted_total{signal="traces"}')).toBe(MODELS);
  expect(text).toMatch(/^spoor_ingest_requests_total\{signal="traces",status="200"\} 1$/m);
  expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' });
});

it(`is scraped whole by a Prometheus with sample_limit: ${SAMPLE_LIMIT}, health series included`, { timeout: 90_000 }, async () => {
  await scrapeWhen(`spoor_spans_total{service_name="many-models",span_kind="client"} ${MODELS}`);
  prometheus = await startPrometheus({ target: server.url, sampleLimit: SAMPLE_LIMIT });
  const accepted = await prometheus.waitFor('spoor_ingest_records_accepted_total{signal="traces"}', undefined, 45_000);
  expect(accepted.map((s) => s.value)).toEqual([MODELS]);
  expect(await prometheus.query('up{job="spoor"}')).toEqual([expect.objectContaining({ value: 1 })]);
});
