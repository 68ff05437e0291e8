/**
 * The anomaly score of `anomaly(x)[baseline]`: a robust z-score of the current value against the
 * values of the same aggregate in the windows of the baseline period before it,
 *
 *   score = (value - median) / (1.4826 × MAD)
 *
 * where MAD is the median absolute deviation from the median; 1.4826 × MAD estimates the standard
 * deviation of normal data, so the score reads like a z-score (3 is unusual, 5 very), while a few
 * spikes in the baseline move neither the median nor the MAD. A flat baseline (MAD 0) falls back
 * to 1.2533 × the mean absolute deviation; if that is 0 too, any change from the baseline scores
 * ±Infinity and no change 0. Fewer than `MIN_BASELINE_POINTS` past values give no score (`null`),
 * so a new service does not alert on its first hour.
 */
export const MIN_BASELINE_POINTS = 6;

export function anomalyScore(value: number | null, baseline: readonly (number | null)[]): number | null {
  if (value === null || Number.isNaN(value)) return null;
  const past = baseline.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (past.length < MIN_BASELINE_POINTS) return null;
  const center = median(past);
  const deviations = past.map((v) => Math.abs(v - center)).sort((a, b) => a - b);
  let scale = 1.4826 * median(deviations);
  if (scale === 0) scale = 1.2533 * (deviations.reduce((sum, d) => sum + d, 0) / deviations.length);
  const distance = value - center;
  if (scale === 0) return distance === 0 ? 0 : distance > 0 ? Infinity : -Infinity;
  return distance / scale;
}

/** The median of sorted numbers. */
function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
