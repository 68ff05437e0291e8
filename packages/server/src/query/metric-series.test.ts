import type { MetricPointRecord, MetricSeriesFn, MetricType } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { fnMismatch, MAX_METRIC_SERIES, metricSeries, type MetricSeriesQuery } from './metric-series.js';

const S = 1_000_000;

function point(overrides: Partial<MetricPointRecord>): MetricPointRecord {
  return {
    projectId: 'p',
    name: 'm',
    description: '',
    unit: '',
    type: 'sum',
    temporality: 'cumulative',
    isMonotonic: true,
    serviceName: 'svc',
    resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: '' },
    scope: { name: '', version: '', attributes: {}, droppedAttributesCount: 0 },
    attributes: {},
    startTimeUs: null,
    timeUs: 0,
    flags: 0,
    value: null,
    intValue: null,
    count: null,
    sum: null,
    min: null,
    max: null,
    bucketCounts: null,
    explicitBounds: null,
    scale: null,
    zeroCount: null,
    zeroThreshold: null,
    positive: null,
    negative: null,
    quantiles: null,
    exemplars: [],
    ...overrides,
  };
}

/** Points of one series: [seconds, value] pairs. */
function series(pairs: Array<[number, number]>, extra: Partial<MetricPointRecord> = {}): MetricPointRecord[] {
  return pairs.map(([t, value]) => point({ timeUs: t * S, value, ...extra }));
}

interface Range {
  from: number;
  to: number;
  step: number;
  window: number;
  groupBy?: string;
}

function query(fn: MetricSeriesFn, r: Range): MetricSeriesQuery {
  return { fn, fromUs: r.from * S, toUs: r.to * S, stepUs: r.step * S, windowUs: r.window * S, groupBy: r.groupBy ?? null };
}

/** The values of the only series. */
function values(points: MetricPointRecord[], fn: MetricSeriesFn, r: Range): Array<number | null> {
  const out = metricSeries(points, query(fn, r));
  expect(out.series).toHaveLength(1);
  return out.series[0]!.values;
}

describe('evaluation instants', () => {
  it('are the multiples of the step inside the range, both ends included', () => {
    const out = metricSeries(series([[5, 1]], { type: 'gauge' }), query('avg', { from: 5, to: 30, step: 10, window: 10 }));
    expect(out.times).toEqual([10 * S, 20 * S, 30 * S]);
    expect(out.series[0]!.values).toEqual([1, null, null]);
  });

  it('rejects a step that is not positive', () => {
    expect(() => metricSeries([], query('avg', { from: 0, to: 10, step: 0, window: 10 }))).toThrow(RangeError);
  });

  it('returns no series without points', () => {
    expect(metricSeries([], query('rate', { from: 0, to: 10, step: 10, window: 10 })).series).toEqual([]);
  });
});

describe('counters (cumulative sums)', () => {
  const counter = series([
    [10, 100],
    [20, 110],
    [30, 130],
    [40, 5],
    [50, 15],
  ]);
  const r = { from: 10, to: 50, step: 10, window: 10 };

  it.each<[string, MetricSeriesFn, Range, Array<number | null>]>([
    ['increase: differences from the point before each window; a drop is a restart from 0', 'increase', r, [null, 10, 20, 5, 10]],
    ['rate: the increase per second of window', 'rate', r, [null, 1, 2, 0.5, 1]],
    ['a wider window adds the increments of every point in it', 'increase', { ...r, from: 50, window: 20 }, [15]],
    ['a window that reaches the first point but not its predecessor has no value', 'increase', { ...r, to: 10 }, [null]],
  ])('%s', (_name, fn, range, expected) => {
    expect(values(counter, fn, range)).toEqual(expected);
  });

  it('treats a new start time as a restart even when the value grew', () => {
    const pts = [
      ...series(
        [
          [10, 50],
          [20, 60],
        ],
        { startTimeUs: 1 * S },
      ),
      ...series([[30, 80]], { startTimeUs: 25 * S }),
    ];
    expect(values(pts, 'increase', { from: 20, to: 30, step: 10, window: 10 })).toEqual([10, 80]);
  });

  it('counts from zero a series that started inside the fetched range, not one that started before it', () => {
    const fresh = series(
      [
        [10, 7],
        [20, 9],
      ],
      { startTimeUs: 5 * S },
    );
    expect(values(fresh, 'increase', { from: 10, to: 20, step: 10, window: 10 })).toEqual([7, 2]);
    // Fetched from 10 s: the start at 5 s is outside, and the 7 may be older than the data.
    expect(values(fresh, 'increase', { from: 20, to: 20, step: 10, window: 10 })).toEqual([2]);
  });

  it('takes the increments of an integer counter past 2^53 exactly, where doubles are 256 apart, and after a reset', () => {
    const base = 2n ** 60n;
    const pts = [0n, 100n, 200n, 150n, 250n].map((add, i) => point({ timeUs: (i + 1) * 10 * S, value: Number(base + add), intValue: String(base + add) }));
    // Doubles read 2^60 + 100 as 2^60 and 2^60 + 200 as 2^60 + 256: increments of 0 and 256. The
    // fall to 2^60 + 150 (2^60 + 256 too) was no reset; and once the reset's increment, the whole
    // value, was in the running sums, the next 100 vanished in their rounding.
    expect(values(pts, 'increase', { from: 10, to: 50, step: 10, window: 10 })).toEqual([null, 100, 100, Number(base + 150n), 100]);
  });

  it('sums the point values of a delta counter in (t - window, t]', () => {
    const pts = series(
      [
        [10, 3],
        [15, 4],
        [20, 5],
      ],
      { temporality: 'delta' },
    );
    expect(values(pts, 'increase', { from: 10, to: 20, step: 10, window: 10 })).toEqual([3, 9]);
    expect(values(pts, 'rate', { from: 20, to: 20, step: 10, window: 5 })).toEqual([1]);
  });

  it('takes plain differences of a non-monotonic sum, so a drop is negative', () => {
    const pts = series(
      [
        [10, 10],
        [20, 4],
        [30, 6],
      ],
      { isMonotonic: false },
    );
    expect(values(pts, 'increase', { from: 20, to: 30, step: 10, window: 10 })).toEqual([-6, 2]);
  });

  it('counts observations for the rate of a histogram, and its avg is the mean observation', () => {
    const pts = [
      point({ type: 'histogram', timeUs: 10 * S, count: 10, sum: 100, bucketCounts: [10], explicitBounds: [] }),
      point({ type: 'histogram', timeUs: 20 * S, count: 14, sum: 180, bucketCounts: [14], explicitBounds: [] }),
    ];
    const r2 = { from: 20, to: 20, step: 10, window: 10 };
    expect(values(pts, 'rate', r2)).toEqual([0.4]);
    expect(values(pts, 'avg', r2)).toEqual([20]);
  });

  it('sees one series in attributes that arrive in a different key order', () => {
    const pts = [point({ timeUs: 10 * S, value: 1, attributes: { a: 1, b: 2 } }), point({ timeUs: 20 * S, value: 4, attributes: { b: 2, a: 1 } })];
    expect(values(pts, 'increase', { from: 20, to: 20, step: 10, window: 10 })).toEqual([3]);
  });

  it('gives the same answer for points in any order', () => {
    const a = series(
      [
        [10, 1],
        [20, 5],
        [30, 2],
        [40, 9],
      ],
      { attributes: { k: 'a' } },
    );
    const b = series(
      [
        [12, 0],
        [22, 3],
        [32, 8],
      ],
      { attributes: { k: 'b' } },
    );
    const r2 = { from: 10, to: 40, step: 10, window: 15 };
    const sorted = metricSeries([...a, ...b], query('increase', r2));
    expect(metricSeries([b[2]!, a[3]!, a[0]!, b[0]!, a[2]!, b[1]!, a[1]!], query('increase', r2))).toEqual(sorted);
  });
});

describe('grouping', () => {
  const pts = [
    ...series(
      [
        [10, 0],
        [20, 10],
      ],
      { attributes: { route: 'a' }, serviceName: 'x' },
    ),
    ...series(
      [
        [10, 0],
        [20, 5],
      ],
      { attributes: { route: 'a' }, serviceName: 'y' },
    ),
    ...series(
      [
        [10, 0],
        [20, 1],
      ],
      { attributes: {}, resource: { attributes: { route: 'b' }, droppedAttributesCount: 0, schemaUrl: '' } },
    ),
    ...series(
      [
        [10, 0],
        [20, 2],
      ],
      { attributes: { other: 1 } },
    ),
  ];
  const r = { from: 20, to: 20, step: 10, window: 10 };

  it.each<[string | undefined, Array<[string | null, number]>]>([
    [undefined, [[null, 18]]],
    [
      'route',
      [
        ['a', 15],
        [null, 2],
        ['b', 1],
      ],
    ],
    [
      'service',
      [
        ['x', 10],
        ['y', 5],
        ['svc', 3],
      ],
    ],
    ['constructor', [[null, 18]]],
  ])('groupBy %s sums the series of each value, largest first', (groupBy, expected) => {
    const out = metricSeries(pts, query('increase', { ...r, groupBy }));
    expect(out.series.map((s) => [s.key, s.values[0]])).toEqual(expected);
  });

  it(`keeps the ${MAX_METRIC_SERIES} largest groups and counts the rest`, () => {
    const many = Array.from({ length: 60 }, (_, i) => point({ type: 'gauge', timeUs: 10 * S, value: i + 1, attributes: { i } }));
    const out = metricSeries(many, query('last', { from: 10, to: 10, step: 10, window: 10, groupBy: 'i' }));
    expect(out.series).toHaveLength(MAX_METRIC_SERIES);
    expect(out.series[0]).toEqual({ key: '59', values: [60] });
    expect(out.series.at(-1)!.values).toEqual([11]);
    expect(out.droppedSeries).toBe(10);
  });
});

describe('gauges', () => {
  const pts = [
    ...series(
      [
        [1, 5],
        [2, 1],
        [3, 9],
      ],
      { type: 'gauge' },
    ),
    ...series([[2, 4]], { type: 'gauge', attributes: { b: true } }),
  ];
  const r = { from: 3, to: 6, step: 3, window: 3 };

  it.each<[MetricSeriesFn, number]>([
    ['avg', 4.75],
    ['min', 1],
    ['max', 9],
    ['sum', 19],
    ['last', 13],
  ])('%s over every point of every series in the window; an empty window is null', (fn, expected) => {
    expect(values(pts, fn, r)).toEqual([expected, null]);
  });

  it('skips non-finite values and points flagged "no recorded value", so later windows are unharmed', () => {
    const pts = [
      ...series(
        [
          [1, 2],
          [2, NaN],
          [4, 6],
        ],
        { type: 'gauge' },
      ),
      point({ type: 'gauge', timeUs: 5 * S, value: 100, flags: 1 }),
    ];
    expect(values(pts, 'sum', { from: 3, to: 6, step: 3, window: 3 })).toEqual([2, 6]);
  });

  it('computes min and max of sliding windows like a direct scan', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const pts2 = Array.from({ length: 400 }, () => point({ type: 'gauge', timeUs: Math.floor(random() * 1000) * S, value: Math.round(random() * 100) }));
    const r2 = { from: 0, to: 1000, step: 7, window: 25 };
    for (const fn of ['min', 'max'] as const) {
      const got = values(pts2, fn, r2);
      const expected = metricSeries(pts2, query('min', r2)).times.map((t) => {
        const inWindow = pts2.filter((p) => p.timeUs > t - 25 * S && p.timeUs <= t).map((p) => p.value!);
        return inWindow.length === 0 ? null : fn === 'min' ? Math.min(...inWindow) : Math.max(...inWindow);
      });
      expect(got).toEqual(expected);
    }
  });
});

function hist(t: number, bounds: number[], counts: number[], extra: Partial<MetricPointRecord> = {}): MetricPointRecord {
  return point({
    type: 'histogram',
    temporality: 'delta',
    timeUs: t * S,
    explicitBounds: bounds,
    bucketCounts: counts,
    count: counts.reduce((a, b) => a + b, 0),
    ...extra,
  });
}

function expo(t: number, scale: number, positive: [number, number[]], extra: Partial<MetricPointRecord> = {}): MetricPointRecord {
  const count = positive[1].reduce((a, b) => a + b, 0) + (extra.zeroCount ?? 0);
  return point({
    type: 'exponential_histogram',
    temporality: 'delta',
    timeUs: t * S,
    scale,
    zeroCount: 0,
    positive: { offset: positive[0], bucketCounts: positive[1] },
    count,
    ...extra,
  });
}

describe('percentiles of histograms', () => {
  const r = { from: 10, to: 10, step: 10, window: 10 };
  const at = (pts: MetricPointRecord[], fn: MetricSeriesFn): number | null => values(pts, fn, r)[0]!;

  it.each<[string, MetricPointRecord[], MetricSeriesFn, number]>([
    // Buckets (-inf,1] (1,2] (2,4] (4,inf]; rank 5 of 10 lies 1 of 4 into (2,4].
    ['interpolates inside the bucket holding the rank', [hist(10, [1, 2, 4], [2, 2, 4, 2])], 'p50', 2.5],
    ['answers the highest finite bound from the +Inf bucket', [hist(10, [1, 2, 4], [2, 2, 4, 2])], 'p95', 4],
    ['starts the lowest bucket at 0', [hist(10, [1, 2, 4], [10, 0, 0, 0])], 'p50', 0.5],
    ['starts the lowest bucket at the reported min', [hist(10, [1, 2, 4], [10, 0, 0, 0], { min: 0.5 })], 'p50', 0.75],
    [
      'merges the buckets of series with the same bounds',
      [hist(10, [1, 2, 4], [4, 0, 0, 0]), hist(10, [1, 2, 4], [0, 0, 4, 0], { attributes: { b: 1 } })],
      'p95',
      3.8,
    ],
    // (1,4] lands in the union bucket (2,4], (-inf,2] in (1,2]: merged 0,4,4,0 over (-inf,1] (1,2] (2,4] (4,inf].
    [
      'merges different bounds over their union, each count at its upper bound',
      [hist(10, [1, 4], [0, 4, 0]), hist(10, [2], [4, 0], { attributes: { b: 1 } })],
      'p95',
      3.8,
    ],
    ['merges different bounds: the median', [hist(10, [1, 4], [0, 4, 0]), hist(10, [2], [4, 0], { attributes: { b: 1 } })], 'p50', 2],
    // Scale 0: bucket i covers (2^i, 2^(i+1)]; 2 zeros, 4 in (1,2], 4 in (2,4].
    ['reads exponential buckets as (base^i, base^(i+1)] with the zero bucket at 0', [expo(10, 0, [0, [4, 4]], { zeroCount: 2 })], 'p50', 1.75],
    ['exponential p95', [expo(10, 0, [0, [4, 4]], { zeroCount: 2 })], 'p95', 3.75],
    // Scale 1 buckets (1,√2] and (√2,2] fold into (1,2] at scale 0.
    [
      'downscales exponential series to the smallest scale before merging',
      [expo(10, 1, [0, [2, 2]]), expo(10, 0, [1, [4]], { attributes: { b: 1 } })],
      'p95',
      3.8,
    ],
    ['counts negative exponential buckets below zero', [expo(10, 0, [0, [2]], { negative: { offset: 0, bucketCounts: [2] } })], 'p95', 1.9],
  ])('%s', (_name, pts, fn, expected) => {
    expect(at(pts, fn)).toBeCloseTo(expected, 12);
  });

  it('takes the bucket increments of cumulative histograms in the window', () => {
    const pts = [hist(10, [1, 2, 4], [1, 1, 1, 1], { temporality: 'cumulative' }), hist(20, [1, 2, 4], [3, 1, 5, 1], { temporality: 'cumulative' })];
    // Increments 2,0,4,0: rank 3 lies 1 of 4 into (2,4].
    expect(values(pts, 'p50', { from: 10, to: 20, step: 10, window: 10 })).toEqual([null, 2.5]);
  });

  it('takes a cumulative exponential histogram that lowered its scale as a continuation, not a reset', () => {
    const pts = [expo(10, 1, [0, [1, 1]], { temporality: 'cumulative' }), expo(20, 0, [0, [4, 2]], { temporality: 'cumulative' })];
    // At scale 0: 2 then 4 in (1,2], 0 then 2 in (2,4]; increments 2 and 2.
    expect(values(pts, 'p95', { from: 20, to: 20, step: 10, window: 10 })[0]).toBeCloseTo(3.8, 12);
  });

  it('restarts a cumulative histogram whose counts drop', () => {
    const pts = [hist(10, [1], [5, 5], { temporality: 'cumulative' }), hist(20, [1], [0, 2], { temporality: 'cumulative' })];
    expect(values(pts, 'p50', { from: 20, to: 20, step: 10, window: 10 })).toEqual([1]);
  });

  it('has no value in a window without observations', () => {
    expect(values([hist(10, [1], [0, 0])], 'p50', r)).toEqual([null]);
  });
});

describe('percentiles of summaries', () => {
  const a = point({
    type: 'summary',
    timeUs: 10 * S,
    count: 1,
    sum: 1,
    quantiles: [
      { quantile: 0.5, value: 10 },
      { quantile: 0.95, value: 30 },
    ],
  });
  const b = point({ type: 'summary', timeUs: 10 * S, count: 1, sum: 1, attributes: { b: 1 }, quantiles: [{ quantile: 0.5, value: 20 }] });

  it.each<[MetricSeriesFn, number | null]>([
    ['p50', 15],
    ['p95', 30],
    ['p99', null],
  ])('%s averages the quantile over the series that report it', (fn, expected) => {
    expect(values([a, b], fn, { from: 10, to: 10, step: 10, window: 10 })).toEqual([expected]);
  });
});

describe('a chart equals its instants computed one at a time', () => {
  let seed = 11;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const counters = Array.from({ length: 300 }, () =>
    point({ timeUs: Math.floor(random() * 600) * S, value: Math.floor(random() * 50), attributes: { s: Math.floor(random() * 4) } }),
  );
  const histograms = Array.from({ length: 300 }, () =>
    hist(
      Math.floor(random() * 600),
      [1, 2, 5],
      [0, 0, 0, 0].map(() => Math.floor(random() * 4)),
      { attributes: { s: Math.floor(random() * 3) } },
    ),
  );
  const cumulative = histograms.map((p, i) => ({ ...p, temporality: 'cumulative' as const, bucketCounts: p.bucketCounts!.map((c) => c + i) }));

  it.each<[string, MetricPointRecord[], MetricSeriesFn]>([
    ['counter increase (with resets)', counters, 'increase'],
    ['delta histogram p95', histograms, 'p95'],
    ['cumulative histogram p50', cumulative, 'p50'],
  ])('%s', (_name, pts, fn) => {
    const r = { from: 0, to: 600, step: 13, window: 40 };
    const chart = values(pts, fn, r);
    const oneByOne = metricSeries(pts, query(fn, r)).times.map((t) => values(pts, fn, { ...r, from: t / S, to: t / S })[0]);
    expect(chart).toEqual(oneByOne);
    expect(chart.filter((v) => v !== null).length).toBeGreaterThan(10);
  });
});

describe('fnMismatch', () => {
  it.each<[MetricSeriesFn, MetricType, boolean]>([
    ['rate', 'gauge', false],
    ['increase', 'sum', true],
    ['rate', 'histogram', true],
    ['avg', 'gauge', true],
    ['last', 'sum', true],
    ['p95', 'sum', false],
    ['p95', 'gauge', false],
    ['p99', 'exponential_histogram', true],
    ['p50', 'summary', true],
    ['max', 'histogram', false],
    ['avg', 'summary', true],
  ])('%s of a %s fits: %s', (fn, type, fits) => {
    const reason = fnMismatch(fn, type);
    expect(reason === null).toBe(fits);
    if (reason !== null) expect(reason).toMatch(fn);
  });
});
