import type { MetricSeriesResponse } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { chartFromMetricSeries } from './app-metric-series';

const response = (overrides: Partial<MetricSeriesResponse>): MetricSeriesResponse => ({
  name: 'http.server.duration',
  fn: 'p95',
  type: 'histogram',
  unit: 'ms',
  windowMs: 60_000,
  stepMs: 60_000,
  groupBy: null,
  times: ['2026-11-22T10:01:00.000000Z', '2026-11-22T10:02:00.000000Z'],
  series: [{ key: null, values: [12, null] }],
  droppedSeries: 0,
  ...overrides,
});

describe('chartFromMetricSeries', () => {
  it('names an ungrouped line after the function and keeps its gaps', () => {
    expect(chartFromMetricSeries(response({}))).toEqual({
      times: [Date.parse('2026-11-22T10:01:00Z'), Date.parse('2026-11-22T10:02:00Z')],
      stepMs: 60_000,
      series: [{ name: 'p95', values: [12, null] }],
    });
  });

  it('names grouped lines after their label value', () => {
    const data = chartFromMetricSeries(
      response({
        groupBy: 'service',
        series: [
          { key: 'api', values: [1, 2] },
          { key: null, values: [3, 4] },
        ],
      }),
    );
    expect(data.series.map((s) => s.name)).toEqual(['api', '(none)']);
  });
});
