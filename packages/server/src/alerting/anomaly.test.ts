import { describe, expect, it } from 'vitest';
import { anomalyScore } from './anomaly.js';

describe('anomalyScore', () => {
  // Median 100, absolute deviations 0 2 2 4 4 10 10 → MAD 4, scale 1.4826 × 4; no data is left out.
  const baseline = [90, 96, 98, 100, 102, 104, 110, null];

  it('scores by median and MAD', () => {
    expect(anomalyScore(100, baseline)).toBe(0);
    expect(anomalyScore(130, baseline)).toBeCloseTo(30 / (1.4826 * 4), 12);
    expect(anomalyScore(85, baseline)).toBeCloseTo(-15 / (1.4826 * 4), 12);
  });

  it('is not moved by a spike in the baseline', () => {
    expect(anomalyScore(130, [90, 96, 98, 100, 102, 104, 10_000])).toBeCloseTo(anomalyScore(130, baseline)!, 12);
  });

  it('falls back to the mean absolute deviation when most of the baseline is flat', () => {
    // Median 5, deviations 0 0 0 0 0 0 7 → MAD 0, mean deviation 1.
    expect(anomalyScore(8, [5, 5, 5, 5, 5, 5, 12])).toBeCloseTo(3 / 1.2533, 12);
  });

  it('gives infinity to any change from a baseline that never moved, and 0 to none', () => {
    expect(anomalyScore(6, [5, 5, 5, 5, 5, 5])).toBe(Infinity);
    expect(anomalyScore(4, [5, 5, 5, 5, 5, 5])).toBe(-Infinity);
    expect(anomalyScore(5, [5, 5, 5, 5, 5, 5])).toBe(0);
  });

  it('gives no score without a value or with fewer than 6 past values', () => {
    expect(anomalyScore(null, baseline)).toBeNull();
    expect(anomalyScore(Number.NaN, baseline)).toBeNull();
    expect(anomalyScore(130, [96, 98, 100, 102, 104, null, Number.NaN])).toBeNull();
  });
});
