import type { ScoreRecord } from '@spoor/model';
import { Buckets, Histogram, headerText, histogramText, sampleText } from './exposition.js';
import { SeriesTable, seriesText } from './series-table.js';
import { DEFAULT_MAX_SERIES_PER_FAMILY } from './span-metrics.js';

/*
 * Metrics of the scores Spoor received, kept in memory like the span metrics (`span-metrics.ts`)
 * so that a scrape never reads the store:
 *
 * | family                | type      | labels               | buckets                                  |
 * | --------------------- | --------- | -------------------- | ---------------------------------------- |
 * | spoor_scores_total    | counter   | name, label, source  |                                          |
 * | spoor_score_value     | histogram | name, source         | SCORE_VALUE_BUCKETS (0, 0.1 … 1, 2 … 100) |
 *
 * Every version of a score counts (a vote changed is two); `label` is empty for a score with a
 * value only, and a score with a label only has no value to observe. Names and labels come from
 * the data, so each family exposes at most `maxSeriesPerFamily` series, buckets included, the label
 * sets past them folded into one series of `other` labels (counted in `spoor_metrics_overflow_total`).
 */

/** What the score families count of a score. */
export type CountedScore = Pick<ScoreRecord, 'name' | 'label' | 'source' | 'value'>;

/**
 * Score values: tenths over [0, 1] (judges' fractions), whole numbers to 5 (ratings), then 10 and
 * 100 (scores out of ten or a hundred). A negative value falls in the first bucket.
 */
export const SCORE_VALUE_BUCKETS = new Buckets([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 2, 3, 4, 5, 10, 100]);

export const SCORES = 'spoor_scores_total';
export const SCORE_VALUE = 'spoor_score_value';

export interface ScoreMetricsOptions {
  /** Series each family may expose, buckets included, before new label sets are folded. Default 2000. */
  maxSeriesPerFamily?: number;
}

/** The two score families, counted from the scores stored through any path. */
export class ScoreMetrics {
  private readonly counts: SeriesTable<{ n: number }>;
  private readonly values: SeriesTable<Histogram>;

  constructor(options: ScoreMetricsOptions = {}) {
    const max = options.maxSeriesPerFamily ?? DEFAULT_MAX_SERIES_PER_FAMILY;
    this.counts = new SeriesTable(['name', 'label', 'source'], max, 1, () => ({ n: 0 }));
    this.values = new SeriesTable(['name', 'source'], max, SCORE_VALUE_BUCKETS.seriesPerHistogram, () => new Histogram(SCORE_VALUE_BUCKETS));
  }

  /** Counts scores as they are stored (ingest's when acknowledged, the API's when added). */
  countScores(scores: readonly CountedScore[]): void {
    for (const score of scores) {
      this.counts.get(score.name, score.label ?? '', score.source).n += 1;
      if (score.value !== null && Number.isFinite(score.value)) this.values.get(score.name, score.source).observe(score.value);
    }
  }

  /** Spans, or here scores, that went to each family's overflow series. */
  overflowed(): Array<[family: string, count: number]> {
    return [
      [SCORES, this.counts.overflowed],
      [SCORE_VALUE, this.values.overflowed],
    ];
  }

  /** The Prometheus text exposition of both families. */
  render(): string {
    let text = headerText(SCORES, 'Scores stored (each version of a score), by score name, label (empty for a value only) and source.', 'counter');
    text += seriesText(this.counts, (labels, s) => sampleText(SCORES, labels, s.n));
    text += headerText(SCORE_VALUE, 'Values of the scores stored, by score name and source.', 'histogram');
    text += seriesText(this.values, (labels, h) => histogramText(SCORE_VALUE, labels, h));
    return text;
  }
}
