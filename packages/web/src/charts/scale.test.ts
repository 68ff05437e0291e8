import { describe, expect, it } from 'vitest';
import { timeGrowth } from '../../../model/test/support/growth';
import { extent, linePath, nearestIndex, niceStep, niceTicks, scaleLinear, stepDecimals, timeDomain, timeTicks, type ZoneOffset } from './scale';

const UTC: ZoneOffset = () => 0;
/** UTC+2 (Central European summer time): getTimezoneOffset() reports -120. */
const CEST: ZoneOffset = () => -120;
const at = (iso: string): number => Date.parse(iso);

describe('niceTicks', () => {
  it.each([
    { lo: 0, hi: 10, count: 5, ticks: [0, 2, 4, 6, 8, 10] },
    { lo: 0, hi: 9.3, count: 5, ticks: [0, 2, 4, 6, 8, 10] },
    { lo: 0, hi: 1, count: 5, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] },
    { lo: 0, hi: 0.3, count: 3, ticks: [0, 0.1, 0.2, 0.3] },
    { lo: 0, hi: 0.07, count: 4, ticks: [0, 0.02, 0.04, 0.06, 0.08] },
    { lo: 0, hi: 1234, count: 5, ticks: [0, 500, 1000, 1500] },
    { lo: 12, hi: 87, count: 4, ticks: [0, 20, 40, 60, 80, 100] },
    { lo: -3, hi: 7, count: 5, ticks: [-4, -2, 0, 2, 4, 6, 8] },
    { lo: 0, hi: 0, count: 5, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] },
    { lo: 5, hi: 5, count: 5, ticks: [4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6] },
    { lo: 0, hi: 0.000123, count: 4, ticks: [0, 0.00005, 0.0001, 0.00015] },
    { lo: 0, hi: 3e9, count: 3, ticks: [0, 1e9, 2e9, 3e9] },
  ])('covers [$lo, $hi] with ~$count steps: $ticks', ({ lo, hi, count, ticks }) => {
    const scale = niceTicks(lo, hi, count);
    expect(scale.ticks).toEqual(ticks);
    expect(scale.min).toBe(ticks[0]);
    expect(scale.max).toBe(ticks[ticks.length - 1]);
    expect(scale.min).toBeLessThanOrEqual(Math.min(lo, hi));
    expect(scale.max).toBeGreaterThanOrEqual(Math.max(lo, hi));
  });

  it('swaps reversed bounds and survives non-finite ones', () => {
    expect(niceTicks(10, 0).ticks).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(NaN, Infinity).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});

describe('stepDecimals', () => {
  it.each([
    [5, 0],
    [0.5, 1],
    [0.25, 2],
    [0.1 + 0.2, 1],
    [0.00005, 5],
    [2000, 0],
  ])('writes multiples of %s with %s decimals', (step, decimals) => {
    expect(stepDecimals(step)).toBe(decimals);
  });
});

describe('scaleLinear', () => {
  it.each([
    { domain: [0, 10], range: [0, 100], value: 5, px: 50 },
    { domain: [0, 10], range: [200, 0], value: 2.5, px: 150 },
    { domain: [100, 200], range: [0, 50], value: 300, px: 100 },
    { domain: [7, 7], range: [0, 100], value: 7, px: 50 },
  ])('maps $value in $domain onto $range at $px', ({ domain, range, value, px }) => {
    expect(scaleLinear(domain[0]!, domain[1]!, range[0]!, range[1]!)(value)).toBe(px);
  });
});

describe('extent', () => {
  it.each([
    {
      series: [
        [1, null, 3],
        [null, -2],
      ],
      want: { min: -2, max: 3 },
    },
    { series: [[null, null], []], want: null },
    { series: [[NaN, 4, Infinity]], want: { min: 4, max: 4 } },
    { series: [], want: null },
  ])('of $series is $want', ({ series, want }) => {
    expect(extent(series)).toEqual(want);
  });
});

describe('timeDomain', () => {
  it.each([
    { times: [1000, 2000, 5000], step: 1000, want: [1000, 5000] },
    { times: [60_000], step: 30_000, want: [45_000, 75_000] },
    { times: [], step: 1000, want: [0, 1] },
  ])('of $times is $want', ({ times, step, want }) => {
    expect(timeDomain(times, step)).toEqual(want);
  });
});

describe('nearestIndex', () => {
  const times = [0, 10, 20, 30];
  it.each([
    [-5, 0],
    [0, 0],
    [4, 0],
    [6, 1],
    [26, 3],
    [25, 2],
    [24, 2],
    [99, 3],
  ])('finds the time nearest %s at index %s (the earlier one on a tie)', (t, index) => {
    expect(nearestIndex(times, t)).toBe(index);
  });

  it('answers -1 without times and 0 for one', () => {
    expect(nearestIndex([], 5)).toBe(-1);
    expect(nearestIndex([7], 500)).toBe(0);
  });
});

describe('linePath', () => {
  it.each([
    { name: 'joins points', xs: [0, 10, 20], ys: [5, 6, 7], d: 'M0,5L10,6L20,7', dots: [] },
    { name: 'breaks at a null', xs: [0, 10, 20, 30, 40], ys: [1, 2, null, 3, 4], d: 'M0,1L10,2M30,3L40,4', dots: [] },
    { name: 'keeps a lone point as a dot', xs: [0, 10, 20], ys: [null, 2, null], d: '', dots: [[10, 2]] },
    { name: 'treats NaN as a gap', xs: [0, 10, 20, 30], ys: [1, NaN, 3, 4], d: 'M20,3L30,4', dots: [[0, 1]] },
    { name: 'rounds to a tenth of a pixel', xs: [0.123, 1.26], ys: [2.04, 3.99], d: 'M0.1,2L1.3,4', dots: [] },
    { name: 'draws nothing of nothing', xs: [], ys: [], d: '', dots: [] },
  ])('$name', ({ xs, ys, d, dots }) => {
    expect(linePath(xs, ys)).toEqual({ d, dots });
  });

  it('builds a path in time linear in its points', () => {
    // Ten runs of points between gaps: 1,250 and 10,000 points, timed side by side; the larger may
    // take at most 20 times as long (linear work: 8; quadratic, in all points or in a run's: 64).
    const series = (n: number, gapEvery: number) => {
      const xs = Array.from({ length: n }, (_, i) => i);
      return { xs, ys: xs.map((i) => (i % gapEvery === 0 ? null : Math.sin(i))) };
    };
    const inputs = new Map([1_250, 10_000].map((n) => [n, series(n, n / 10)]));
    expect(timeGrowth((n) => linePath(inputs.get(n)!.xs, inputs.get(n)!.ys), 1_250, 10_000)).toBeLessThan(20);
    const { xs, ys } = series(10_000, 100);
    expect(linePath(xs, ys).d.split('M')).toHaveLength(101);
  });
});

describe('timeTicks', () => {
  it.each([
    {
      name: 'a quarter hour in 5-minute steps',
      from: '2026-11-22T10:07:00Z',
      to: '2026-11-22T10:22:00Z',
      count: 4,
      offset: UTC,
      labels: ['10:10', '10:15', '10:20'],
    },
    {
      name: 'an hour in 10-minute steps, on the local clock',
      from: '2026-11-22T09:58:00Z',
      to: '2026-11-22T10:58:00Z',
      count: 6,
      offset: CEST,
      labels: ['12:00', '12:10', '12:20', '12:30', '12:40', '12:50'],
    },
    {
      name: 'a minute in seconds',
      from: '2026-11-22T10:00:00Z',
      to: '2026-11-22T10:01:00Z',
      count: 4,
      offset: UTC,
      labels: ['10:00:00', '10:00:15', '10:00:30', '10:00:45', '10:01:00'],
    },
    {
      name: 'a day in hours, midnight as a date',
      from: '2026-11-22T18:30:00Z',
      to: '2026-11-23T06:30:00Z',
      count: 4,
      offset: UTC,
      labels: ['21:00', 'Nov 23', '03:00', '06:00'],
    },
    {
      name: 'a week in days',
      from: '2026-11-16T12:00:00Z',
      to: '2026-11-23T12:00:00Z',
      count: 7,
      offset: UTC,
      labels: ['Nov 17', 'Nov 18', 'Nov 19', 'Nov 20', 'Nov 21', 'Nov 22', 'Nov 23'],
    },
  ])('labels $name', ({ from, to, count, offset, labels }) => {
    const ticks = timeTicks(at(from), at(to), count, offset);
    expect(ticks.map((t) => t.label)).toEqual(labels);
    for (const tick of ticks) {
      expect(tick.t).toBeGreaterThanOrEqual(at(from));
      expect(tick.t).toBeLessThanOrEqual(at(to));
    }
  });

  it('gives one tick for a range of one instant', () => {
    expect(timeTicks(at('2026-11-22T10:00:00Z'), at('2026-11-22T10:00:00Z'), 5, UTC)).toEqual([{ t: at('2026-11-22T10:00:00Z'), label: '10:00' }]);
  });
});

describe('niceStep', () => {
  it.each([
    [0.2, 0.2],
    [(1.8 - 1.2) / 3, 0.2],
    [0.21, 0.5],
    [3, 5],
    [7, 10],
    [1000, 1000],
    [0.0004, 0.0005],
  ])('takes %s up to the round step %s', (raw, step) => {
    expect(niceStep(raw)).toBeCloseTo(step, 12);
  });
});
