import type { MetricSeriesFn, MetricType } from '@spoor/model';

/**
 * The functions `GET /api/metrics/series` accepts for each metric type (the server's
 * `fnMismatch` rejects the rest with a 400), the sensible first choice, and how each reads.
 * Pure; tested in app-metric-fns.test.ts.
 */

const BY_TYPE: Record<MetricType, readonly MetricSeriesFn[]> = {
  gauge: ['last', 'avg', 'min', 'max', 'sum'],
  sum: ['rate', 'increase', 'last', 'avg', 'min', 'max', 'sum'],
  histogram: ['p50', 'p90', 'p95', 'p99', 'avg', 'rate', 'increase'],
  exponential_histogram: ['p50', 'p90', 'p95', 'p99', 'avg', 'rate', 'increase'],
  summary: ['p50', 'p90', 'p95', 'p99', 'avg', 'rate', 'increase'],
};

/** The functions that fit a metric of `type`, the default first. */
export function fnsFor(type: MetricType): readonly MetricSeriesFn[] {
  return BY_TYPE[type] ?? BY_TYPE.gauge;
}

/** `asked` when it fits `type`, else the type's default: a gauge's latest value, a counter's rate, a histogram's p95. */
export function fnFor(type: MetricType, asked: string | null): MetricSeriesFn {
  const fns = fnsFor(type);
  const found = fns.find((fn) => fn === asked);
  if (found !== undefined) return found;
  return type === 'gauge' ? 'last' : type === 'sum' ? 'rate' : 'p95';
}

const LABELS: Record<MetricSeriesFn, string> = {
  rate: 'rate (per second)',
  increase: 'increase (per step)',
  avg: 'average',
  min: 'minimum',
  max: 'maximum',
  sum: 'sum',
  last: 'latest value',
  p50: 'p50 (median)',
  p90: 'p90',
  p95: 'p95',
  p99: 'p99',
};

/** How a function reads in the picker; of a histogram, `avg` is the mean observation and `rate` counts observations. */
export function fnLabel(fn: MetricSeriesFn, type: MetricType): string {
  if (type !== 'gauge' && type !== 'sum') {
    if (fn === 'avg') return 'mean observation';
    if (fn === 'rate') return 'observations per second';
    if (fn === 'increase') return 'observations per step';
  }
  return LABELS[fn];
}
