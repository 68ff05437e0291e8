import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_SERIES_PER_FAMILY, SpanMetrics } from './span-metrics.js';
import { llm, metricSpan as span } from '../../test/support/metric-spans.js';
import { samplesOf as samples } from '../../test/support/prometheus.js';

const failed = { status: { code: 'error' as const, message: 'boom' } };

const OPENAI = 'gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o",gen_ai_operation_name="chat"';

describe('SpanMetrics', () => {
  it('counts spans and errors per service and span kind, and places durations in buckets', () => {
    const metrics = new SpanMetrics();
    metrics.record([span('checkout', 'server', 4), span('checkout', 'server', 5, failed), span('checkout', 'client', 700)]);
    metrics.record([span('payments', 'server', 30_000, failed), span('checkout', 'server', 1200)]);
    const s = samples(metrics.render());

    expect(s.get('spoor_spans_total{service_name="checkout",span_kind="server"}')).toBe(3);
    expect(s.get('spoor_spans_total{service_name="checkout",span_kind="client"}')).toBe(1);
    expect(s.get('spoor_spans_total{service_name="payments",span_kind="server"}')).toBe(1);
    expect(s.get('spoor_span_errors_total{service_name="checkout",span_kind="server"}')).toBe(1);
    expect(s.get('spoor_span_errors_total{service_name="checkout",span_kind="client"}')).toBe(0);
    expect(s.get('spoor_span_errors_total{service_name="payments",span_kind="server"}')).toBe(1);

    const bucket = (le: string): number | undefined => s.get(`spoor_span_duration_seconds_bucket{service_name="checkout",span_kind="server",le="${le}"}`);
    // 4 ms and 5 ms fall in le=0.005 (upper bounds are inclusive); 1.2 s in le=2.5.
    expect([bucket('0.005'), bucket('0.01'), bucket('1'), bucket('2.5'), bucket('600'), bucket('+Inf')]).toEqual([2, 2, 2, 3, 3, 3]);
    expect(s.get('spoor_span_duration_seconds_sum{service_name="checkout",span_kind="server"}')).toBeCloseTo(1.209, 9);
    expect(s.get('spoor_span_duration_seconds_count{service_name="checkout",span_kind="server"}')).toBe(3);
    expect(s.get('spoor_span_duration_seconds_bucket{service_name="payments",span_kind="server",le="30"}')).toBe(1);
    expect(s.get('spoor_span_duration_seconds_bucket{service_name="payments",span_kind="server",le="10"}')).toBe(0);
  });

  it('gives an LLM span token, cost, duration and time-to-first-chunk series by provider, model and operation', () => {
    const metrics = new SpanMetrics();
    const call = llm({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o',
      responseModel: 'gpt-4o-2024-08-06',
      inputTokens: 1200,
      outputTokens: 300,
      cacheReadInputTokens: 400,
      reasoningTokens: 100,
      costUsd: 0.0105,
      timeToFirstTokenMs: 350,
    });
    metrics.record([
      span('agent', 'client', 1500, { llm: call }),
      span('agent', 'client', 500, { llm: { ...call, inputTokens: 10, timeToFirstTokenMs: null } }),
    ]);
    const s = samples(metrics.render());

    expect(s.get(`gen_ai_client_token_usage_count{${OPENAI},gen_ai_token_type="input"}`)).toBe(2);
    expect(s.get(`gen_ai_client_token_usage_sum{${OPENAI},gen_ai_token_type="input"}`)).toBe(1210);
    expect(s.get(`gen_ai_client_token_usage_bucket{${OPENAI},gen_ai_token_type="input",le="16"}`)).toBe(1);
    expect(s.get(`gen_ai_client_token_usage_bucket{${OPENAI},gen_ai_token_type="input",le="4096"}`)).toBe(2);
    expect(s.get(`gen_ai_client_token_usage_sum{${OPENAI},gen_ai_token_type="output"}`)).toBe(600);
    expect(s.get(`gen_ai_client_operation_duration_seconds_count{${OPENAI}}`)).toBe(2);
    expect(s.get(`gen_ai_client_operation_duration_seconds_bucket{${OPENAI},le="0.64"}`)).toBe(1);
    expect(s.get(`gen_ai_client_operation_duration_seconds_bucket{${OPENAI},le="2.56"}`)).toBe(2);
    expect(s.get(`gen_ai_client_operation_time_to_first_chunk_seconds_count{${OPENAI}}`)).toBe(1);
    expect(s.get(`gen_ai_client_operation_time_to_first_chunk_seconds_bucket{${OPENAI},le="0.32"}`)).toBe(0);
    expect(s.get(`gen_ai_client_operation_time_to_first_chunk_seconds_bucket{${OPENAI},le="0.64"}`)).toBe(1);
    expect(s.get(`spoor_gen_ai_tokens_total{${OPENAI},gen_ai_token_type="input"}`)).toBe(1210);
    expect(s.get(`spoor_gen_ai_tokens_total{${OPENAI},gen_ai_token_type="output"}`)).toBe(600);
    expect(s.get(`spoor_gen_ai_tokens_total{${OPENAI},gen_ai_token_type="cache_read"}`)).toBe(800);
    expect(s.get(`spoor_gen_ai_tokens_total{${OPENAI},gen_ai_token_type="reasoning"}`)).toBe(200);
    // No span reported cache writes: no series, rather than a 0 nobody measured.
    expect(s.has(`spoor_gen_ai_tokens_total{${OPENAI},gen_ai_token_type="cache_creation"}`)).toBe(false);
    expect(s.get(`spoor_gen_ai_cost_usd_total{${OPENAI}}`)).toBeCloseTo(0.021, 12);
    expect(s.get('spoor_spans_total{service_name="agent",span_kind="client"}')).toBe(2);
  });

  it('counts the calls with tokens but no price, which the cost leaves out', () => {
    const metrics = new SpanMetrics();
    const priced = llm({ provider: 'openai', operation: 'chat', requestModel: 'gpt-4o', inputTokens: 10, outputTokens: 2, costUsd: 0.001 });
    metrics.record([
      span('agent', 'client', 5, { llm: priced }),
      span('agent', 'client', 5, { llm: { ...priced, costUsd: null } }),
      span('agent', 'client', 5, { llm: { ...priced, costUsd: null } }),
      // No tokens: nothing to price, so nothing left out.
      span('agent', 'client', 5, { llm: { ...priced, inputTokens: null, outputTokens: null, costUsd: null } }),
    ]);
    const s = samples(metrics.render());
    expect(s.get(`spoor_gen_ai_unpriced_calls_total{${OPENAI}}`)).toBe(2);
    expect(s.get(`spoor_gen_ai_cost_usd_total{${OPENAI}}`)).toBeCloseTo(0.001, 12);
    const none = samples(new SpanMetrics().render());
    expect([...none.keys()].some((k) => k.startsWith('spoor_gen_ai_unpriced_calls_total{'))).toBe(false);
  });

  it('labels a missing provider, model or operation unknown, and falls back to the response model', () => {
    const metrics = new SpanMetrics();
    metrics.record([
      span('', 'internal', 1, { llm: llm({ responseModel: 'claude-sonnet-4-5', outputTokens: 5 }) }),
      span('svc', 'internal', 1, { llm: llm({ provider: 'anthropic', operation: 'chat' }) }),
    ]);
    const s = samples(metrics.render());
    const fallback = 'gen_ai_provider_name="unknown",gen_ai_request_model="claude-sonnet-4-5",gen_ai_operation_name="unknown"';
    expect(s.get(`gen_ai_client_token_usage_count{${fallback},gen_ai_token_type="output"}`)).toBe(1);
    expect(
      s.get('gen_ai_client_operation_duration_seconds_count{gen_ai_provider_name="anthropic",gen_ai_request_model="unknown",gen_ai_operation_name="chat"}'),
    ).toBe(1);
    expect(s.get('spoor_spans_total{service_name="unknown",span_kind="internal"}')).toBe(1);
    // Spans without LLM fields leave the GenAI families empty; LLM spans without tokens have no usage series.
    expect([...s.keys()].filter((k) => k.startsWith('gen_ai_client_token_usage_count'))).toHaveLength(1);
  });

  it('folds new label sets into one series of other labels once a family has no room, keeping every span counted', () => {
    // 76 series: 3 (service, kind) label sets of spoor_span_duration_seconds (19 series each) and
    // the folded one; 1 (provider, model, operation) one of gen_ai_client_token_usage (34 each) and the folded one.
    const metrics = new SpanMetrics({ maxSeriesPerFamily: 76 });
    const services = ['a', 'b', 'c', 'd', 'e'];
    metrics.record(services.map((service) => span(service, 'server', 10)));
    metrics.record(services.map((service) => span(service, 'server', 10, failed)));
    metrics.record(services.map((service, i) => span('a', 'server', 10, { llm: llm({ provider: 'p', requestModel: `m${i}`, inputTokens: 1 }) })));
    const s = samples(metrics.render());

    const folded = 'service_name="other",span_kind="other",otel_metric_overflow="true"';
    const spans = [...s].filter(([k]) => k.startsWith('spoor_spans_total{'));
    expect(spans.map(([k]) => k)).toEqual([
      'spoor_spans_total{service_name="a",span_kind="server"}',
      'spoor_spans_total{service_name="b",span_kind="server"}',
      'spoor_spans_total{service_name="c",span_kind="server"}',
      `spoor_spans_total{${folded}}`,
    ]);
    expect(s.get(`spoor_spans_total{${folded}}`)).toBe(4);
    expect(spans.reduce((sum, [, v]) => sum + v, 0)).toBe(15);
    expect(s.get(`spoor_span_errors_total{${folded}}`)).toBe(2);
    expect(s.get(`spoor_span_duration_seconds_count{${folded}}`)).toBe(4);
    expect(s.get('spoor_metrics_overflow_total{family="spoor_spans_total"}')).toBe(4);
    const genAiFolded = 'gen_ai_provider_name="other",gen_ai_request_model="other",gen_ai_operation_name="other",otel_metric_overflow="true"';
    expect(s.get(`gen_ai_client_token_usage_count{${genAiFolded},gen_ai_token_type="input"}`)).toBe(4);
    expect(s.get(`spoor_gen_ai_tokens_total{${genAiFolded},gen_ai_token_type="input"}`)).toBe(4);
    expect(s.get('spoor_metrics_overflow_total{family="gen_ai_client_token_usage"}')).toBe(4);
    expect([...s.keys()].filter((k) => k.startsWith('gen_ai_client_operation_duration_seconds_count'))).toHaveLength(2);
  });

  it('exposes at most the budget of series in every family, buckets included, whatever the senders send', () => {
    const metrics = new SpanMetrics();
    metrics.record(
      Array.from({ length: 2500 }, (_, i) =>
        span(`service-${i}`, 'client', 5, {
          llm: llm({
            provider: 'openai',
            operation: 'chat',
            requestModel: `model-${i}`,
            inputTokens: i,
            outputTokens: 1,
            timeToFirstTokenMs: 30,
            costUsd: 0.01,
          }),
        }),
      ),
    );
    const perFamily = new Map<string, number>();
    let family = '';
    for (const line of metrics.render().split('\n')) {
      if (line.startsWith('# TYPE ')) family = line.split(' ')[2]!;
      else if (line !== '' && !line.startsWith('#')) perFamily.set(family, (perFamily.get(family) ?? 0) + 1);
    }
    expect(perFamily.size).toBe(9);
    for (const [name, count] of perFamily) expect(count, name).toBeLessThanOrEqual(DEFAULT_MAX_SERIES_PER_FAMILY);
    expect(perFamily.get('gen_ai_client_token_usage')).toBeGreaterThan(DEFAULT_MAX_SERIES_PER_FAMILY - 34);
  });

  it('reports zero overflow for every family before any span overflows', () => {
    const s = samples(new SpanMetrics().render());
    expect([...s.keys()].filter((k) => k.startsWith('spoor_metrics_overflow_total'))).toHaveLength(9);
    expect([...s.values()].every((v) => v === 0)).toBe(true);
  });

  it('escapes quotes, backslashes and newlines in label values', () => {
    const metrics = new SpanMetrics();
    metrics.record([span('say "hi"\\now\nthen', 'server', 1)]);
    expect(metrics.render()).toContain('spoor_spans_total{service_name="say \\"hi\\"\\\\now\\nthen",span_kind="server"} 1\n');
  });

  it('writes HELP and TYPE once per family, before its samples', () => {
    const metrics = new SpanMetrics();
    metrics.record([span('a', 'server', 1, { llm: llm({ provider: 'p', inputTokens: 3, costUsd: 1 }) }), span('b', 'client', 2)]);
    const lines = metrics.render().split('\n');
    const types = lines.filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]);
    expect(new Set(types).size).toBe(types.length);
    expect(types).toHaveLength(lines.filter((l) => l.startsWith('# HELP ')).length);
    let family = '';
    for (const line of lines) {
      if (line.startsWith('# TYPE ')) family = line.split(' ')[2]!;
      else if (line !== '' && !line.startsWith('#')) expect(line.startsWith(family), line).toBe(true);
    }
  });

  it('renders 2000 label sets with 17 bucket lines each', () => {
    // Its speed is measured by `npm run bench:analytics` (the /metrics scrape), not here.
    const metrics = new SpanMetrics({ maxSeriesPerFamily: 2001 * 19 });
    metrics.record(Array.from({ length: 2000 }, (_, i) => span(`service-${i}`, 'client', i)));
    const text = metrics.render();
    expect(text.split('\n').filter((line) => line.startsWith('spoor_span_duration_seconds_bucket'))).toHaveLength(2000 * 17);
  });

  it('keeps every table at its cap when each span brings new label sets', () => {
    const metrics = new SpanMetrics();
    for (let batch = 0; batch < 5; batch++) {
      metrics.record(
        Array.from({ length: 1000 }, (_, i) => {
          const n = batch * 1000 + i;
          return span(`service-${n}`, 'client', 5, {
            llm: llm({ provider: 'openai', operation: 'chat', requestModel: `m-${n}`, inputTokens: n, outputTokens: 1 }),
          });
        }),
      );
    }
    // 2,000 series: 104 (service, kind) label sets of 19 series and the folded one; 57 GenAI ones of 34.
    const lines = metrics.render().split('\n');
    expect(lines.filter((line) => line.startsWith('spoor_spans_total{'))).toHaveLength(105);
    expect(lines.filter((line) => line.startsWith('gen_ai_client_operation_duration_seconds_count{'))).toHaveLength(58);
    expect(lines).toContain('spoor_spans_total{service_name="other",span_kind="other",otel_metric_overflow="true"} 4896');
    expect(lines).toContain('spoor_metrics_overflow_total{family="gen_ai_client_operation_duration_seconds"} 4943');
  });
});
