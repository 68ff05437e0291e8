import type { MetricSeriesResponse } from '@spoor/model';
import type { ChartSeries } from '../charts/line-chart-model';
import { groupName } from './stats-charts';

/** `GET /api/metrics/series` as chart data. Pure; tested in app-metric-series.test.ts. */

export interface AppMetricChartData {
  times: number[];
  stepMs: number;
  series: ChartSeries[];
}

/** One line named after the function (`p95`) ungrouped, else one per label value (`(none)` without it). */
export function chartFromMetricSeries(response: MetricSeriesResponse): AppMetricChartData {
  return {
    times: response.times.map((t) => Date.parse(t)),
    stepMs: response.stepMs,
    series: response.series.map((s) => ({ name: response.groupBy === null ? response.fn : groupName(s.key), values: s.values })),
  };
}
