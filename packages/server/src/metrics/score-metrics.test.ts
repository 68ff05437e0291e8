import { describe, expect, it } from 'vitest';
import { metricScore as score } from '../../test/support/metric-spans.js';
import { samplesOf as samples } from '../../test/support/prometheus.js';
import { ScoreMetrics } from './score-metrics.js';

describe('ScoreMetrics', () => {
  it('counts scores by name, label and source, and places their values in buckets', () => {
    const metrics = new ScoreMetrics();
    metrics.countScores([score('faithfulness', 0.25, null), score('faithfulness', 0.95, null), score('faithfulness', 0.3, 'partial')]);
    metrics.countScores([
      score('thumbs', null, 'down', 'human'),
      score('thumbs', null, 'down', 'human'),
      score('thumbs', 1, 'up', 'human'),
      score('rating', 4, null, 'api'),
    ]);
    const s = samples(metrics.render());
    expect(s.get('spoor_scores_total{name="faithfulness",label="",source="evaluator"}')).toBe(2);
    expect(s.get('spoor_scores_total{name="faithfulness",label="partial",source="evaluator"}')).toBe(1);
    expect(s.get('spoor_scores_total{name="thumbs",label="down",source="human"}')).toBe(2);
    expect(s.get('spoor_scores_total{name="thumbs",label="up",source="human"}')).toBe(1);
    // 0.25 and 0.3 at or below 0.3, 0.95 at or below 1.
    expect(s.get('spoor_score_value_bucket{name="faithfulness",source="evaluator",le="0.2"}')).toBe(0);
    expect(s.get('spoor_score_value_bucket{name="faithfulness",source="evaluator",le="0.3"}')).toBe(2);
    expect(s.get('spoor_score_value_bucket{name="faithfulness",source="evaluator",le="0.9"}')).toBe(2);
    expect(s.get('spoor_score_value_bucket{name="faithfulness",source="evaluator",le="1"}')).toBe(3);
    expect(s.get('spoor_score_value_count{name="faithfulness",source="evaluator"}')).toBe(3);
    expect(s.get('spoor_score_value_sum{name="faithfulness",source="evaluator"}')).toBeCloseTo(1.5, 12);
    // Label-only scores have no value to observe; a rating of 4 is in the bucket of 4.
    expect(s.get('spoor_score_value_count{name="thumbs",source="human"}')).toBe(1);
    expect(s.get('spoor_score_value_bucket{name="rating",source="api",le="3"}')).toBe(0);
    expect(s.get('spoor_score_value_bucket{name="rating",source="api",le="4"}')).toBe(1);
  });

  it("folds label sets past each family's budget of series, buckets included, into other, keeping the totals", () => {
    // 60 series: 59 label sets of spoor_scores_total and the folded one; 2 of spoor_score_value (20 series each) and the folded one.
    const metrics = new ScoreMetrics({ maxSeriesPerFamily: 60 });
    const names = Array.from({ length: 70 }, (_, i) => `n${i}`);
    metrics.countScores(names.map((name) => score(name, 0.5, null)));
    const s = samples(metrics.render());
    expect(s.get('spoor_scores_total{name="n0",label="",source="evaluator"}')).toBe(1);
    expect(s.get('spoor_scores_total{name="other",label="other",source="other",otel_metric_overflow="true"}')).toBe(11);
    expect(s.get('spoor_score_value_count{name="other",source="other",otel_metric_overflow="true"}')).toBe(68);
    expect([...s.keys()].filter((k) => k.startsWith('spoor_scores_total'))).toHaveLength(60);
    expect([...s.keys()].filter((k) => k.startsWith('spoor_score_value'))).toHaveLength(60);
    expect(metrics.overflowed()).toEqual([
      ['spoor_scores_total', 11],
      ['spoor_score_value', 68],
    ]);
  });
});
