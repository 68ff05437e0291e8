import type { TimeseriesResponse } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { chartByFrom, chartFromTimeseries, chartScope, mergeTimeseries, percentileFrom, timeseriesParams } from './stats-charts';

const filter = { service: null, from: '2026-11-22T10:00:00.000Z', to: '2026-11-22T11:00:00.000Z' };

describe('timeseriesParams', () => {
  it.each([
    { chart: 'throughput', metric: 'count', by: 'total', want: { root: 'true' } },
    { chart: 'errors', metric: 'error_rate', by: 'service', want: { root: 'true', groupBy: 'service' } },
    { chart: 'latency', metric: 'p95', by: 'model', want: { category: 'llm', groupBy: 'model' } },
    { chart: 'tokens', metric: 'tokens', by: 'total', want: {} },
    { chart: 'cost', metric: 'cost', by: 'service', want: { groupBy: 'service' } },
    { chart: 'cost', metric: 'cost', by: 'model', want: { category: 'llm', groupBy: 'model' } },
  ] as const)('asks $chart by $by for spans $want', ({ chart, metric, by, want }) => {
    expect(timeseriesParams(chart, metric, by, filter)).toEqual({
      metric,
      from: filter.from,
      to: filter.to,
      service: null,
      groupBy: by === 'total' ? null : by,
      ...want,
    });
  });

  it('passes the service filter on', () => {
    expect(timeseriesParams('tokens', 'tokens', 'total', { ...filter, service: 'rag' })['service']).toBe('rag');
  });
});

describe('chartByFrom and chartScope', () => {
  it.each([
    [null, 'total'],
    ['service', 'service'],
    ['model', 'model'],
    ['name', 'total'],
  ])('reads %s as %s', (value, by) => {
    expect(chartByFrom(value)).toBe(by);
  });

  it.each([
    [null, 'p95'],
    ['p50', 'p50'],
    ['p99', 'p99'],
    ['p90', 'p95'],
  ])('reads the percentile %s as %s', (value, percentile) => {
    expect(percentileFrom(value)).toBe(percentile);
  });

  it.each([
    ['throughput', 'total', 'Requests (root spans)'],
    ['latency', 'service', 'Requests (root spans), by service'],
    ['tokens', 'total', 'All spans'],
    ['cost', 'model', 'LLM calls, by model'],
  ] as const)('describes %s %s as %s', (chart, by, text) => {
    expect(chartScope(chart, by)).toBe(text);
  });
});

const times = ['2026-11-22T10:00:00.000000Z', '2026-11-22T10:00:30.000000Z', '2026-11-22T10:01:00.000000Z'];
const answer = (overrides: Partial<TimeseriesResponse>): TimeseriesResponse => ({
  metric: 'count',
  groupBy: null,
  stepMs: 30_000,
  times,
  series: [{ key: null, values: [1, 0, 3] }],
  ...overrides,
});

describe('chartFromTimeseries', () => {
  it('turns counts per 30 s bucket into a rate per minute and keeps the total', () => {
    expect(chartFromTimeseries(answer({}), { ratePerMs: 60_000, additive: true })).toEqual({
      times: times.map((t) => Date.parse(t)),
      stepMs: 30_000,
      series: [{ name: 'Total', values: [2, 0, 6] }],
      total: 4,
    });
  });

  it('names groups by key, and spans without one "(none)"', () => {
    const data = chartFromTimeseries(
      answer({
        groupBy: 'service',
        series: [
          { key: 'rag', values: [1, 1, 1] },
          { key: null, values: [0, 2, 0] },
        ],
      }),
    );
    expect(data.series.map((s) => s.name)).toEqual(['rag', '(none)']);
    expect(data.total).toBeNull();
  });

  it('keeps the gaps of a latency', () => {
    expect(chartFromTimeseries(answer({ metric: 'p95', series: [{ key: null, values: [120, null, 80] }] })).series[0]!.values).toEqual([120, null, 80]);
  });

  it.each([
    { name: 'an additive metric of only zeros', additive: true, values: [0, 0, 0], lines: 0 },
    { name: 'a rate of only zeros', additive: false, values: [0, 0, 0], lines: 1 },
    { name: 'an additive metric with a value', additive: true, values: [0, 0.5, 0], lines: 1 },
  ])('gives $lines lines for $name', ({ additive, values, lines }) => {
    expect(chartFromTimeseries(answer({ series: [{ key: null, values }] }), { additive }).series).toHaveLength(lines);
  });
});

describe('mergeTimeseries', () => {
  it("puts answers side by side on the first one's buckets, a missing bucket as a gap", () => {
    const p50 = answer({ metric: 'p50', series: [{ key: null, values: [10, null, 30] }] });
    const p95 = answer({ metric: 'p95', times: times.slice(1), series: [{ key: null, values: [50, 90] }] });
    expect(
      mergeTimeseries([
        { name: 'p50', response: p50 },
        { name: 'p95', response: p95 },
      ]).series,
    ).toEqual([
      { name: 'p50', values: [10, null, 30] },
      { name: 'p95', values: [null, 50, 90] },
    ]);
  });

  it('is empty without answers', () => {
    expect(mergeTimeseries([]).series).toEqual([]);
  });
});
