import type { TimeRange } from './api.js';

/**
 * What score statistics group by: the score's name, or, per name, the model or service of the
 * scored span, the release (`service.version`) of its resource, or the evaluator that made it.
 */
export const SCORE_STATS_GROUPS = ['name', 'model', 'service', 'release', 'evaluator'] as const;
export type ScoreStatsGroup = (typeof SCORE_STATS_GROUPS)[number];

/** `GET /api/stats/scores` as the API parses it. */
export interface ScoreStatsQuery {
  projectId: string;
  /** Score time range (of the newest version of each score). */
  range: TimeRange;
  by: ScoreStatsGroup;
  /** Only scores of this name. */
  name: string | null;
  /** Most groups returned (the ones with the most scores). */
  limit: number;
}

/**
 * The scores of one name in one group. Always per name: a mean over `faithfulness` and `thumbs`
 * together would mean nothing. Values' statistics are `null` when no score of the group has a value.
 */
export interface ScoreStatsRow {
  /** The score name. */
  name: string;
  /**
   * The group: the name again for `by=name`; else the model, service, release or evaluator,
   * `null` where the scored target has none (a trace's score has no model; a session's score no
   * span at all; a score not made by an evaluator no evaluator).
   */
  key: string | null;
  /** Scores (newest version of each). */
  count: number;
  /** Mean of the values; `null` when no score of the group has one. */
  mean: number | null;
  /** Interpolated percentiles of the values. */
  p50: number | null;
  p90: number | null;
  /** How many scores carry each label. */
  labels: Record<string, number>;
}

/** `GET /api/stats/scores`: groups with the most scores first. */
export interface ScoreStatsResponse {
  by: ScoreStatsGroup;
  groups: ScoreStatsRow[];
}

/** One side of a release comparison for one score name. */
export interface ScoreCompareSide {
  count: number;
  /** Mean of the values; `null` when no score of the side has one. */
  mean: number | null;
  labels: Record<string, number>;
}

/** A release comparison's row for one score name (`GET /api/stats/compare`, `scores`). */
export interface ScoreCompareRow {
  name: string;
  a: ScoreCompareSide | null;
  b: ScoreCompareSide | null;
  /** b's mean minus a's; `null` without a value on both sides. */
  meanDelta: number | null;
  /** Mann-Whitney U over the values (`null` p-value below 5 values a side). */
  values: { test: string; pValue: number | null; significant: boolean };
  /**
   * Pearson's chi-square test of independence over the label counts (sides × labels); `null`
   * p-value where it does not fit (one label seen, or expected counts too small).
   */
  labels: { test: string; pValue: number | null; significant: boolean };
}
