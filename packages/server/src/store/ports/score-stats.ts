import type { CompareQuery, ScoreStatsQuery, ScoreStatsRow } from '@spoor/model';

/** The scores of one name, side and label (`null`: none) of a release comparison, with their values in no order. */
export interface ScoreCompareGroup {
  name: string;
  side: 'a' | 'b';
  label: string | null;
  count: number;
  values: number[];
}

/** Statistics of scores, over their newest versions, grouped by name or by what they are about. */
export interface ScoreStatsReader {
  /**
   * Per score name and group (`query.by`), the count, mean, p50 and p90 of the values and the
   * count of each label; the groups with the most scores first (then by name and key), at most
   * `query.limit`. Exact percentiles, interpolated as `quantile_cont`.
   */
  stats(query: ScoreStatsQuery): Promise<ScoreStatsRow[]>;
  /**
   * The newest version of each score of the compared spans (a trace's score with its root span),
   * per score name, side and label; see `ScoreCompareGroup`.
   */
  compare(query: CompareQuery): Promise<ScoreCompareGroup[]>;
}
