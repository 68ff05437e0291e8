import type { TimeseriesMetric, TimeseriesResponse } from '@spoor/model';
import type { Params } from '../api';
import type { ChartSeries } from '../charts/line-chart-model';

/**
 * The span charts of the metrics page: which `GET /api/stats/timeseries` request each line comes
 * from, and the answer turned into chart data. Pure; tested in stats-charts.test.ts.
 *
 * What is counted depends on the split. Throughput, error rate and latency are of requests (root
 * spans) in total and by service, which is what a user waits for; by model they are of LLM
 * calls (`category=llm`), since a request has no model. Tokens and cost are carried by LLM spans:
 * all spans in total and by service, LLM calls by model (so spans without a model do not show up
 * as a "(none)" line of zeros).
 */

export type ChartBy = 'total' | 'service' | 'model';

export const CHART_BY_OPTIONS: ReadonlyArray<readonly [ChartBy, string]> = [
  ['total', 'Total'],
  ['service', 'By service'],
  ['model', 'By model'],
];

/** The split a URL value asks for; anything unknown is the total. */
export function chartByFrom(value: string | null): ChartBy {
  return value === 'service' || value === 'model' ? value : 'total';
}

export type Percentile = 'p50' | 'p95' | 'p99';

export const PERCENTILE_OPTIONS: ReadonlyArray<readonly [Percentile, string]> = [
  ['p50', 'p50'],
  ['p95', 'p95'],
  ['p99', 'p99'],
];

/** The percentile of a split latency chart; p95 unless the URL says p50 or p99. */
export function percentileFrom(value: string | null): Percentile {
  return value === 'p50' || value === 'p99' ? value : 'p95';
}

export type StatsChartKey = 'throughput' | 'errors' | 'latency' | 'tokens' | 'cost';

/** The span filter every chart of the page shares: the service picker and the time range (ISO). */
export interface ChartFilter {
  service: string | null;
  from: string | null;
  to: string | null;
}

const REQUEST_CHARTS: ReadonlySet<StatsChartKey> = new Set(['throughput', 'errors', 'latency']);

/** Query parameters of one timeseries request. */
export function timeseriesParams(chart: StatsChartKey, metric: TimeseriesMetric, by: ChartBy, filter: ChartFilter): Params {
  const scope = by === 'model' ? { category: 'llm' } : REQUEST_CHARTS.has(chart) ? { root: 'true' } : {};
  return {
    metric,
    from: filter.from,
    to: filter.to,
    service: filter.service,
    groupBy: by === 'total' ? null : by,
    ...scope,
  };
}

/** What a chart's lines count, for the note under its title. */
export function chartScope(chart: StatsChartKey, by: ChartBy): string {
  if (by === 'model') return 'LLM calls, by model';
  const what = REQUEST_CHARTS.has(chart) ? 'Requests (root spans)' : 'All spans';
  return by === 'service' ? `${what}, by service` : what;
}

export interface StatsChartData {
  times: number[];
  stepMs: number;
  series: ChartSeries[];
  /** The sum of the raw values over the range (counts, tokens, dollars); `null` for rates and latencies. */
  total: number | null;
}

export interface ConvertOptions {
  /** Turn a per-bucket sum into a rate per this many ms (60,000: per minute). */
  ratePerMs?: number;
  /** The name of an ungrouped line. */
  totalName?: string;
  /** Counts, tokens, cost: a range of zeros is "no data", and the note shows a total. */
  additive?: boolean;
}

/** The name of a group's line: its key, or `(none)` for spans without one. */
export const groupName = (key: string | null): string => key ?? '(none)';

/** An API answer as chart data. Additive metrics with nothing but zeros give no series (the empty state). */
export function chartFromTimeseries(response: TimeseriesResponse, options: ConvertOptions = {}): StatsChartData {
  const { ratePerMs, totalName = 'Total', additive = false } = options;
  const times = response.times.map((t) => Date.parse(t));
  const factor = ratePerMs === undefined ? 1 : ratePerMs / response.stepMs;
  let total = 0;
  const series = response.series.map((s) => {
    for (const v of s.values) total += v ?? 0;
    return {
      name: response.groupBy === null ? totalName : groupName(s.key),
      values: s.values.map((v) => (v === null ? null : v * factor)),
    };
  });
  const allZero = series.every((s) => s.values.every((v) => v === null || v === 0));
  return { times, stepMs: response.stepMs, series: additive && allZero ? [] : series, total: additive ? total : null };
}

/**
 * Several ungrouped answers as the lines of one chart (p50, p95, p99), aligned on the first
 * answer's buckets; a bucket another answer lacks is a gap.
 */
export function mergeTimeseries(parts: ReadonlyArray<{ name: string; response: TimeseriesResponse }>): StatsChartData {
  const first = parts[0];
  if (first === undefined) return { times: [], stepMs: 60_000, series: [], total: null };
  const times = first.response.times;
  const series = parts.map(({ name, response }) => {
    const at = new Map(response.times.map((t, i) => [t, response.series[0]?.values[i] ?? null]));
    return { name, values: times.map((t) => at.get(t) ?? null) };
  });
  return { times: times.map((t) => Date.parse(t)), stepMs: first.response.stepMs, series, total: null };
}
