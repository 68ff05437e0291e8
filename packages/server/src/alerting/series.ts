import type { MetricPointRecord, MetricSeriesFn } from '@spoor/model';
import { fnMismatch, metricSeries } from '../query/metric-series.js';
import { groupValue } from '../query/metric-streams.js';
import type { AlertLabel, AlertMatcher, AlertSeriesFn, AlertSeriesRow, AlertSeriesSource, Store } from '../store/store.js';
import type { Aggregate } from './expr/ast.js';
import { LABELS } from './expr/catalogue.js';
import { compileRegex } from '../regex.js';

/**
 * What an alert rule reads, as data that crosses to the database thread: one aggregate of a
 * source over buckets of time, per group of labels. Spans, logs and error events are aggregated
 * by the store in SQL; app metrics from their stored points, here, with the chart code.
 */
export interface SeriesSpec {
  /** `null` for spans, logs and errors; the metric name for an app metric. */
  metric: string | null;
  source: AlertSeriesSource | 'metric';
  fn: string;
  matchers: AlertMatcher[];
  by: AlertLabel[];
}

/** `buckets` windows of `stepUs` from `startUs`, as in `AlertSeriesQuery`. */
export interface SeriesRange {
  startUs: number;
  stepUs: number;
  buckets: number;
}

/** The store-facing form of an aggregate: which labels are built-ins and which attribute keys. */
export function seriesSpecOf(aggregate: Aggregate): SeriesSpec {
  const { source } = aggregate;
  const builtins = LABELS[source.kind];
  const label = (name: string): AlertLabel => ({ name, attribute: builtins === null || !builtins.includes(name) });
  return {
    metric: source.kind === 'metric' ? source.name : null,
    source: source.kind,
    fn: aggregate.fn,
    matchers: aggregate.matchers.map((m) => ({ ...label(m.label), op: m.op, value: m.value })),
    by: aggregate.by.map(label),
  };
}

/** Reads rule series from a store: the database thread's side of alert evaluation. */
export class SeriesReader {
  constructor(private readonly store: Pick<Store, 'alertSeries' | 'metrics'>) {}

  /** `background`: an alert round's read (`AlertSeriesQuery.background`). */
  async read(projectId: string, spec: SeriesSpec, range: SeriesRange, background = false): Promise<AlertSeriesRow[]> {
    if (spec.metric === null) {
      return this.store.alertSeries.read({
        projectId,
        source: spec.source as AlertSeriesSource,
        fn: spec.fn as AlertSeriesFn,
        matchers: spec.matchers,
        by: spec.by,
        ...range,
        background,
      });
    }
    const endUs = range.startUs + range.buckets * range.stepUs;
    // The store reads one service's points only; `service.name` means the service too.
    const service = spec.matchers.find((m) => (m.name === 'service' || m.name === 'service.name') && m.op === '=')?.value ?? null;
    // Counters need the point before each window, so one window more is read.
    const points = await this.store.metrics.readMetricPoints(projectId, [spec.metric], { fromUs: range.startUs - range.stepUs, toUs: endUs + 1 }, service);
    return metricRows(points, spec, range);
  }
}

/**
 * An app metric's values per group and bucket: points are filtered by the matchers, split by
 * their `by` values, and each part computed as one chart series whose instants are the buckets'
 * ends. The window of an instant `t` is `(t - step, t]`, as on metric charts. A function that
 * does not fit the metric's type (the `rate` of a gauge) is an error.
 */
export function metricRows(points: readonly MetricPointRecord[], spec: SeriesSpec, range: SeriesRange): AlertSeriesRow[] {
  const fn = spec.fn as MetricSeriesFn;
  if (points.length > 0) {
    // A function that does not fit the metric's type would give no data forever: say why instead.
    const mismatch = fnMismatch(fn, points.reduce((a, b) => (b.timeUs > a.timeUs ? b : a)).type);
    if (mismatch !== null) throw new Error(`metric ${spec.metric}: ${mismatch}`);
  }
  const matchers = spec.matchers.map((m) => ({ ...m, test: matcherTest(m) }));
  const parts = new Map<string, { labels: Array<string | null>; points: MetricPointRecord[] }>();
  for (const p of points) {
    if (!matchers.every((m) => m.test(groupValue(p, m.name)))) continue;
    const labels = spec.by.map((l) => groupValue(p, l.name));
    const key = JSON.stringify(labels);
    let part = parts.get(key);
    if (part === undefined) parts.set(key, (part = { labels, points: [] }));
    part.points.push(p);
  }
  const times = Array.from({ length: range.buckets }, (_, k) => range.startUs + (k + 1) * range.stepUs);
  const rows: AlertSeriesRow[] = [];
  for (const { labels, points: own } of parts.values()) {
    const computed = metricSeries(own, { fn, fromUs: times[0]!, toUs: times.at(-1)!, stepUs: range.stepUs, windowUs: range.stepUs, groupBy: null, times });
    const values = computed.series[0]?.values ?? [];
    values.forEach((value, bucket) => {
      if (value !== null) rows.push({ labels, bucket, value });
    });
  }
  return rows;
}

/** `!=` and `!~` hold for an absent label, as in Prometheus, where absent reads as empty. */
function matcherTest(m: AlertMatcher): (value: string | null) => boolean {
  switch (m.op) {
    case '=':
      return (value) => value === m.value;
    case '!=':
      return (value) => value !== m.value;
    case '=~': {
      const re = compileRegex(m.value);
      return (value) => value !== null && re.test(value);
    }
    case '!~': {
      const re = compileRegex(m.value);
      return (value) => value === null || !re.test(value);
    }
  }
}
