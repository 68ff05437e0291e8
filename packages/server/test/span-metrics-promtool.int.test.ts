import type { SpanRecord } from '@spoor/model';
import { expect, it } from 'vitest';
import { ScoreMetrics } from '../src/metrics/score-metrics.js';
import { SpanMetrics } from '../src/metrics/span-metrics.js';
import { STORE_COMMIT_SECONDS_BUCKETS, SelfMetrics, createIngestMetrics } from '../src/self-metrics.js';
import { promtoolCheckMetrics } from './support/prometheus.js';
import { llm, metricScore as score, metricSpan as span } from './support/metric-spans.js';

/**
 * What `/metrics` serves, checked by `promtool check metrics`: Prometheus' own parser and its
 * linter (naming, units, `_total` on counters, HELP on every family).
 */

/** A server's worth of spans: several services and kinds, errors, every LLM field, odd label values, overflow. */
function realisticSpanMetrics(): SpanMetrics {
  // 200 series: 9 (service, kind) label sets of 19 series and the folded one; 4 GenAI ones of 34 and the folded one.
  const metrics = new SpanMetrics({ maxSeriesPerFamily: 200 });
  const chat = llm({
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o',
    responseModel: 'gpt-4o-2024-08-06',
    inputTokens: 1200,
    outputTokens: 300,
    cacheReadInputTokens: 400,
    cacheCreationInputTokens: 50,
    reasoningTokens: 64,
    costUsd: 0.0105,
    timeToFirstTokenMs: 420,
  });
  const spans: SpanRecord[] = [];
  for (const [i, service] of ['checkout', 'agent', 'payments', 'say "hi"\\\n', 'größe ✓'].entries()) {
    for (const kind of ['server', 'client', 'internal'] as const) {
      spans.push(span(service, kind, 3 + i * 250), span(service, kind, 90_000, { status: { code: 'error', message: 'x' } }));
    }
  }
  spans.push(span('agent', 'client', 1800, { llm: chat }));
  spans.push(span('agent', 'client', 300, { llm: llm({ provider: 'anthropic', operation: 'chat', requestModel: 'claude "sonnet"', inputTokens: 80 }) }));
  spans.push(span('agent', 'client', 40, { llm: llm({ responseModel: 'text-embedding-3-small', operation: 'embeddings', inputTokens: 12 }) }));
  metrics.record(spans);
  return metrics;
}

it("passes promtool check metrics with no problem reported, for span metrics and the server's own", async () => {
  const self = new SelfMetrics();
  const ingest = createIngestMetrics(self);
  ingest.accepted({ signal: 'traces' }, 31);
  ingest.rejected({ signal: 'logs', reason: 'too_large' });
  ingest.requests({ signal: 'traces', status: '200' });
  self.gauge('spoor_ingest_queue_records', 'Records accepted and not yet committed to the store.', () => 3);
  const commit = self.histogram('spoor_store_commit_duration_seconds', 'Time to commit one batch to the store.', STORE_COMMIT_SECONDS_BUCKETS);
  commit(0.012);
  commit(0.4);

  const spanText = realisticSpanMetrics().render();
  // The overflow series is part of what promtool sees.
  expect(spanText).toContain('spoor_spans_total{service_name="other",span_kind="other",otel_metric_overflow="true"} 12');
  expect(spanText).toContain('gen_ai_client_operation_time_to_first_chunk_seconds_bucket');
  const { code, output } = await promtoolCheckMetrics(self.render() + spanText);
  expect({ code, output }).toEqual({ code: 0, output: '' });
});

it('passes promtool check metrics with score metrics beside the span metrics, overflow included', async () => {
  const scores = new ScoreMetrics({ maxSeriesPerFamily: 60 });
  scores.countScores([
    score('faithfulness', 0.8, null, 'evaluator'),
    score('thumbs', null, 'down', 'human'),
    score('say "hi"\\\n', -2, 'größe ✓', 'otel'),
    score('relevance', 120, null, 'evaluator'),
    score('toxicity', 0.01, null, 'evaluator'),
  ]);
  const text = realisticSpanMetrics().render(scores.overflowed()) + scores.render();
  expect(text).toContain('spoor_metrics_overflow_total{family="spoor_score_value"} 2');
  const { code, output } = await promtoolCheckMetrics(text);
  expect({ code, output }).toEqual({ code: 0, output: '' });
});

it('passes promtool check metrics before any span was recorded', async () => {
  const { code, output } = await promtoolCheckMetrics(new SpanMetrics().render() + new ScoreMetrics().render());
  expect({ code, output }).toEqual({ code: 0, output: '' });
});

it('is caught by promtool when a counter lacks _total, so a clean pass means something', async () => {
  const { code, output } = await promtoolCheckMetrics('# HELP spoor_spans Spans.\n# TYPE spoor_spans counter\nspoor_spans 1\n');
  expect(code).not.toBe(0);
  expect(output).toContain('counter metrics should have "_total" suffix');
});
