import type { ScoreStatsQuery, ScoreStatsRow } from '@spoor/model';

/** Statistics of scores, over their newest versions, grouped by name or by what they are about. */
export interface ScoreStatsReader {
  /**
   * Per score name and group (`query.by`), the count, mean, p50 and p90 of the values and the
   * count of each label; the groups with the most scores first (then by name and key), at most
   * `query.limit`. Exact percentiles, interpolated as `quantile_cont`.
   */
  scoreStats(query: ScoreStatsQuery): Promise<ScoreStatsRow[]>;
}
