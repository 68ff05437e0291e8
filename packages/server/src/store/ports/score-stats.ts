import type { CompareQuery, ScoreStatsQuery, ScoreStatsRow } from '@spoor/model';

/**
 * The scores of one name, side and label (`null`: none) of a release comparison: how many, and
 * their values as a tally, each value beside how many of the scores have it (`counts[i]` of
 * `values[i]`), in no order; a value may be listed more than once. Scores take few distinct values
 * (a judge's 0 to 1 in steps, a thumb), so a tally is a few numbers where the values were a
 * million.
 */
export interface ScoreCompareGroup {
  name: string;
  side: 'a' | 'b';
  label: string | null;
  count: number;
  values: ArrayLike<number>;
  counts: ArrayLike<number>;
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
