import type { MetricPointRecord, MetricSeriesFn, MetricType } from '@spoor/model';
import { histogramQuantiles } from './histogram-quantile.js';
import { buildStreams, typeFamily, windowBounds, type Stream } from './metric-streams.js';

/** What {@link metricSeries} computes; times in epoch µs. */
export interface MetricSeriesQuery {
  fn: MetricSeriesFn;
  fromUs: number;
  toUs: number;
  stepUs: number;
  windowUs: number;
  /** A label to split the chart by; see {@link metricSeries}. */
  groupBy: string | null;
  /**
   * Evaluation instants, ascending, instead of the multiples of `stepUs` in `[fromUs, toUs]`:
   * alert rules evaluate at "now", which is no multiple of anything.
   */
  times?: readonly number[];
}

export interface ComputedSeries {
  /** Evaluation instants (window ends), epoch µs: the multiples of `stepUs` in `[fromUs, toUs]`. */
  times: number[];
  series: Array<{ key: string | null; values: Array<number | null> }>;
  /** Groups left out past {@link MAX_METRIC_SERIES}. */
  droppedSeries: number;
}

export const MAX_METRIC_SERIES = 50;
/** More instants than a chart can show is a caller's mistake (a step too small for the range). */
export const MAX_METRIC_INSTANTS = 10_000;

/** OTLP `DataPointFlags.FLAG_NO_RECORDED_VALUE`: the point marks a gap, its values mean nothing. */
const NO_RECORDED_VALUE = 1;

/** One NaN or infinity in a prefix sum would spoil every later window of its series. */
const finite = (x: number | null): boolean => x !== null && Number.isFinite(x);

const QUANTILES: Partial<Record<MetricSeriesFn, number>> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

/** Why `fn` does not fit a metric of `type`, as a sentence for a 400, or `null` when it does. */
export function fnMismatch(fn: MetricSeriesFn, type: MetricType): string | null {
  const quantile = QUANTILES[fn] !== undefined;
  if (type === 'gauge') {
    if (fn === 'rate' || fn === 'increase') return `${fn} needs a counter (a sum), not a gauge; use avg, min, max or last`;
    if (quantile) return `${fn} needs a histogram or summary; a gauge has one value per point: use max or avg`;
  } else if (type === 'sum') {
    if (quantile) return `${fn} needs a histogram or summary, not a sum; use rate or increase`;
  } else if (fn === 'min' || fn === 'max' || fn === 'sum' || fn === 'last') {
    return `${fn} needs a gauge or sum; of a ${type} use p50, p90, p95 or p99, avg (mean observation) or rate (observations per second)`;
  }
  return null;
}

/**
 * An app-metric chart from the stored OTLP points of one metric name, in the spirit of PromQL's
 * `rate`, `*_over_time` and `histogram_quantile`, but simpler. Points may come in any order.
 *
 * - A series is one service + point attribute set + resource attribute set (and type).
 * - Values are computed at evaluation instants `t`, the multiples of `stepUs` in
 *   `[fromUs, toUs]`; the value at `t` covers the window `(t - windowUs, t]`.
 * - `groupBy` names a label: `service`/`service.name` is the service, otherwise a point
 *   attribute, then a resource attribute. Series without it group under the key `null`; no
 *   `groupBy` gives one series with the key `null`.
 * - Only points of the type family (histograms of both kinds together) of the newest point are
 *   used, and only those with the values the function needs (finite, and not flagged "no
 *   recorded value"). Check {@link fnMismatch} first. Unspecified temporality reads as cumulative.
 * - Functions:
 *   - `increase` of a counter (`sum`): the sum of its increments in the window. Cumulative: each
 *     point minus its predecessor, the predecessor of the window's first point being the last
 *     point at or before `t - windowUs` (so fetch from `fromUs - windowUs`). A monotonic value
 *     that drops, or a changed `startTimeUs`, is a reset: the increment is the new value itself.
 *     A series whose first point reports a `startTimeUs` at or after `fromUs - windowUs` (inside
 *     the fetched range) counted from 0 there. Non-monotonic sums take plain differences (so negative), resets only by start
 *     time. Delta: the sum of the point values. No extrapolation to the window's edges, so
 *     increments before a series' first point are not guessed at. Grouped series are summed.
 *   - `rate`: `increase` per second of window.
 *   - Of histograms and summaries, `increase`/`rate` count observations (from `count`).
 *   - `avg`, `min`, `max` over all points' values in the window of the group's series; `sum` of
 *     all those values; `last`: the sum of each series' last value in the window.
 *   - `avg` of a histogram or summary: the mean observation, increase of `sum` over increase of
 *     `count`.
 *   - `p50`/`p95`/`p99` of histograms: see {@link histogramQuantiles}. Of summaries: the
 *     average of the quantile over the series' last points in the window that report it. A
 *     quantile cannot be merged, so this is an approximation.
 * - A window without data (no point, or for counters no increment) is `null`.
 * - At most {@link MAX_METRIC_SERIES} series are returned: those with the largest sum of absolute
 *   values over the chart, largest first; `droppedSeries` counts the rest.
 */
export function metricSeries(points: readonly MetricPointRecord[], query: MetricSeriesQuery): ComputedSeries {
  const { fn, fromUs, toUs, stepUs, windowUs } = query;
  if (!(stepUs > 0 && windowUs > 0 && Number.isFinite(fromUs) && Number.isFinite(toUs))) {
    throw new RangeError('metricSeries needs finite times and a positive step and window');
  }
  const times: number[] = query.times === undefined ? [] : [...query.times];
  if (query.times === undefined) {
    for (let t = Math.ceil(fromUs / stepUs) * stepUs; t <= toUs; t += stepUs) {
      if (times.length === MAX_METRIC_INSTANTS) throw new RangeError(`metricSeries computes at most ${MAX_METRIC_INSTANTS} instants`);
      times.push(t);
    }
  }
  let newest: MetricPointRecord | null = null;
  for (const p of points) if (newest === null || p.timeUs > newest.timeUs) newest = p;
  if (newest === null || times.length === 0 || fnMismatch(fn, newest.type) !== null) return { times, series: [], droppedSeries: 0 };
  const family = typeFamily(newest.type);
  const byValue = family === 'gauge' || (family === 'sum' && fn !== 'rate' && fn !== 'increase');
  const q = QUANTILES[fn];
  const keep = (p: MetricPointRecord): boolean =>
    typeFamily(p.type) === family &&
    (p.flags & NO_RECORDED_VALUE) === 0 &&
    (byValue
      ? finite(p.value)
      : q === undefined
        ? family === 'sum'
          ? finite(p.value)
          : finite(p.count) && (fn !== 'avg' || finite(p.sum))
        : family === 'summary'
          ? p.quantiles !== null
          : p.type === 'histogram'
            ? p.bucketCounts !== null
            : p.scale !== null);
  const counterLike = !byValue && !(q !== undefined && family === 'summary');
  const streams = buildStreams(points, { groupBy: query.groupBy, keep, zeroFromUs: counterLike ? times[0]! - windowUs : null });

  const groups = new Map<string | null, Float64Array>();
  if (q !== undefined && family === 'histogram') {
    const members = new Map<string | null, Stream[]>();
    for (const s of streams) {
      const list = members.get(s.group);
      if (list === undefined) members.set(s.group, [s]);
      else list.push(s);
    }
    for (const [key, list] of members) groups.set(key, histogramQuantiles(points, list, times, windowUs, q));
  } else {
    const accs = new Map<string | null, Acc>();
    const mode: Mode = fn === 'min' || fn === 'max' ? fn : fn === 'avg' || q !== undefined ? 'mean' : 'sum';
    const lo = new Int32Array(times.length);
    const hi = new Int32Array(times.length);
    for (const s of streams) {
      let acc = accs.get(s.group);
      if (acc === undefined) accs.set(s.group, (acc = newAcc(times.length, mode)));
      windowBounds(s.times, times, windowUs, lo, hi);
      if (byValue) valueWindows(points, s, fn, lo, hi, acc);
      else if (q !== undefined) summaryWindows(points, s, q, lo, hi, acc);
      else counterWindows(points, s, fn, family, lo, hi, acc);
    }
    const perSecond = fn === 'rate' ? 1e6 / windowUs : 1;
    for (const [key, acc] of accs) groups.set(key, finalize(acc, mode, perSecond));
  }
  return rank(times, groups);
}

type Mode = 'sum' | 'mean' | 'min' | 'max';

/** Per instant: `a` the running total (or extreme), `b` the count (the denominator of a mean); `b = 0` means no data. */
interface Acc {
  a: Float64Array;
  b: Float64Array;
}

function newAcc(n: number, mode: Mode): Acc {
  const a = new Float64Array(n);
  if (mode === 'min') a.fill(Infinity);
  if (mode === 'max') a.fill(-Infinity);
  return { a, b: new Float64Array(n) };
}

function finalize(acc: Acc, mode: Mode, factor: number): Float64Array {
  const out = new Float64Array(acc.a.length);
  for (let k = 0; k < out.length; k++) {
    const b = acc.b[k]!;
    out[k] = b === 0 ? NaN : (mode === 'mean' ? acc.a[k]! / b : acc.a[k]!) * factor;
  }
  return out;
}

/** Gauges, and the raw values of sums. */
function valueWindows(points: readonly MetricPointRecord[], s: Stream, fn: MetricSeriesFn, lo: Int32Array, hi: Int32Array, acc: Acc): void {
  const n = s.idx.length;
  const values = new Float64Array(n);
  for (let j = 0; j < n; j++) values[j] = points[s.idx[j]!]!.value!;
  if (fn === 'min' || fn === 'max') {
    slidingExtreme(values, lo, hi, fn === 'max' ? 1 : -1, acc);
    return;
  }
  const prefix = new Float64Array(n + 1);
  for (let j = 0; j < n; j++) prefix[j + 1] = prefix[j]! + values[j]!;
  for (let k = 0; k < lo.length; k++) {
    const l = lo[k]!;
    const h = hi[k]!;
    if (h === l) continue;
    // The difference of prefix sums over an empty-change window is exactly 0, a running sum's would drift.
    acc.a[k] = acc.a[k]! + (fn === 'last' ? values[h - 1]! : prefix[h]! - prefix[l]!);
    acc.b[k] = acc.b[k]! + (fn === 'avg' ? h - l : 1);
  }
}

/** Max (`sign` 1) or min (-1) of each window with a monotonic deque: O(n + instants) per series. */
function slidingExtreme(values: Float64Array, lo: Int32Array, hi: Int32Array, sign: number, acc: Acc): void {
  const deque = new Int32Array(values.length);
  let head = 0;
  let tail = 0;
  let next = 0;
  for (let k = 0; k < lo.length; k++) {
    for (; next < hi[k]!; next++) {
      while (tail > head && sign * values[deque[tail - 1]!]! <= sign * values[next]!) tail--;
      deque[tail++] = next;
    }
    while (head < tail && deque[head]! < lo[k]!) head++;
    if (head === tail) continue;
    const v = values[deque[head]!]!;
    acc.a[k] = sign > 0 ? Math.max(acc.a[k]!, v) : Math.min(acc.a[k]!, v);
    acc.b[k] = acc.b[k]! + 1;
  }
}

/**
 * Prefix sums of a cumulative or delta field's increments along a series; position 0, and a
 * virtual zero, have none. Resets are told by `startTimeUs` and, when given, a drop of `resetBy`.
 */
function increments(points: readonly MetricPointRecord[], s: Stream, field: 'value' | 'count' | 'sum', resetBy: 'value' | 'count' | null): Prefix {
  const n = s.idx.length;
  const prefix: Prefix = { hi: new Float64Array(n + 1), lo: new Float64Array(n + 1) };
  for (let j = 0; j < n; j++) {
    const i = s.idx[j]!;
    let inc = 0;
    if (i >= 0) {
      const cur = points[i]!;
      const v = cur[field] ?? 0;
      const pi = j > 0 ? s.idx[j - 1]! : -2;
      if (s.delta || pi === -1) inc = v;
      else if (pi >= 0) {
        const prev = points[pi]!;
        const restarted = prev.startTimeUs !== null && cur.startTimeUs !== null && prev.startTimeUs !== cur.startTimeUs;
        const change = field === 'value' ? valueChange(cur, prev) : v - (prev[field] ?? 0);
        const dropped = resetBy === null ? false : resetBy === field ? change < 0 : (cur[resetBy] ?? 0) < (prev[resetBy] ?? 0);
        inc = restarted || dropped ? v : change;
      }
    }
    addTo(prefix, j, inc);
  }
  return prefix;
}

/**
 * Prefix sums as two doubles each, `hi + lo`: `hi` the rounded sum, `lo` what rounding left out
 * (Knuth's TwoSum). One large increment (a counter past 2^53 counted from zero) made every later
 * sum a multiple of 256 or more, and the small increments after it vanished from the windows
 * that subtract two such sums; kept this way, they do not.
 */
interface Prefix {
  hi: Float64Array;
  lo: Float64Array;
}

/** Position `j + 1` of `prefix` is position `j` plus `inc`. */
function addTo(prefix: Prefix, j: number, inc: number): void {
  const a = prefix.hi[j]!;
  const sum = a + inc;
  const b = sum - a;
  prefix.hi[j + 1] = sum;
  prefix.lo[j + 1] = prefix.lo[j]! + (a - (sum - b)) + (inc - b);
}

/** The sum of the increments after position `from` up to `to`. */
function between(prefix: Prefix, from: number, to: number): number {
  return prefix.hi[to]! - prefix.hi[from]! + (prefix.lo[to]! - prefix.lo[from]!);
}

/**
 * `cur.value - prev.value`, exactly for integer points past 2^53, where doubles are 2 or more
 * apart: a counter at 2^60 that grows by 100 a scrape grew by 0 or 256 in doubles (their
 * spacing there), and read as reset when it went down by less than that. The change itself is
 * small, so it is exact as a double. Points that both fit take the plain difference.
 */
function valueChange(cur: MetricPointRecord, prev: MetricPointRecord): number {
  const a = cur.value ?? 0;
  const b = prev.value ?? 0;
  if (cur.intValue === null || prev.intValue === null || (Number.isSafeInteger(a) && Number.isSafeInteger(b))) return a - b;
  return Number(BigInt(cur.intValue) - BigInt(prev.intValue));
}

/** `rate`/`increase` of sums and of observation counts, and the mean observation of histograms and summaries. */
function counterWindows(points: readonly MetricPointRecord[], s: Stream, fn: MetricSeriesFn, family: string, lo: Int32Array, hi: Int32Array, acc: Acc): void {
  const monotonic = points[s.idx[s.idx.length - 1]!]!.isMonotonic !== false;
  const mean = fn === 'avg';
  const top = increments(points, s, family === 'sum' ? 'value' : mean ? 'sum' : 'count', family === 'sum' ? (monotonic ? 'value' : null) : 'count');
  const bottom = mean ? increments(points, s, 'count', 'count') : null;
  for (let k = 0; k < lo.length; k++) {
    const first = s.delta ? lo[k]! : Math.max(lo[k]!, 1);
    const h = hi[k]!;
    if (h <= first) continue;
    acc.a[k] = acc.a[k]! + between(top, first, h);
    acc.b[k] = acc.b[k]! + (bottom === null ? 1 : between(bottom, first, h));
  }
}

function summaryWindows(points: readonly MetricPointRecord[], s: Stream, q: number, lo: Int32Array, hi: Int32Array, acc: Acc): void {
  for (let k = 0; k < lo.length; k++) {
    if (hi[k] === lo[k]) continue;
    const found = points[s.idx[hi[k]! - 1]!]!.quantiles!.find((x) => Math.abs(x.quantile - q) < 1e-9);
    if (found === undefined) continue;
    acc.a[k] = acc.a[k]! + found.value;
    acc.b[k] = acc.b[k]! + 1;
  }
}

function rank(times: number[], groups: Map<string | null, Float64Array>): ComputedSeries {
  const ranked = [...groups].map(([key, values]) => {
    let total = 0;
    for (const v of values) if (!Number.isNaN(v)) total += Math.abs(v);
    return { key, values, total };
  });
  ranked.sort((x, y) => y.total - x.total || (x.key ?? '').localeCompare(y.key ?? ''));
  const kept = ranked.slice(0, MAX_METRIC_SERIES);
  return {
    times,
    series: kept.map(({ key, values }) => ({ key, values: Array.from(values, (v) => (Number.isNaN(v) ? null : v)) })),
    droppedSeries: ranked.length - kept.length,
  };
}
