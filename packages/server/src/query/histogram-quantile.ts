import type { MetricPointRecord } from '@spoor/model';
import { isTerm, type Stream } from './metric-streams.js';

/** Bucket i of the axis covers (lower[i], upper[i]]. */
export interface BucketAxis {
  upper: Float64Array;
  lower: Float64Array;
}

/**
 * The estimate of quantile `q` from bucket counts: the bucket holding rank q × total, linearly
 * interpolated inside it. The lowest bucket starts at the smallest `min` the group reported in
 * the whole query (else at 0); the +Inf bucket answers the highest finite bound. Negative
 * counts (a reset not detected) are read as 0. `null` without observations.
 */
export function bucketQuantile(q: number, counts: Float64Array, axis: BucketAxis): number | null {
  let total = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) total += counts[i]!;
  if (total === 0) return null;
  const rank = q * total;
  let cum = 0;
  let last = -1;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (!(c > 0)) continue;
    last = i;
    if (cum + c >= rank) {
      if (axis.upper[i] === Infinity) return i > 0 ? axis.upper[i - 1]! : null;
      return axis.lower[i]! + ((axis.upper[i]! - axis.lower[i]!) * (rank - cum)) / c;
    }
    cum += c;
  }
  // Only reachable by rounding: the rank is past the last bucket.
  return axis.upper[last] === Infinity ? (last > 0 ? axis.upper[last - 1]! : null) : axis.upper[last]!;
}

/** Upper bound of positive exponential bucket `k - 1`, i.e. base^k at `scale`. */
function expBound(k: number, scale: number): number {
  return Math.pow(2, k * Math.pow(2, -scale));
}

/** The first axis position whose upper bound is at least `bound`. */
function position(upper: Float64Array, bound: number): number {
  let a = 0;
  let b = upper.length - 1;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (upper[m]! < bound) a = m + 1;
    else b = m;
  }
  return a;
}

/** Equal content; `null` is an empty list. Points of one series rarely share their arrays, but nearly always their bounds. */
function sameNumbers(a: readonly number[] | null, b: readonly number[] | null): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Where the buckets of each point of one stream land on the axis. */
interface StreamMaps {
  /** Explicit buckets, or positive exponential buckets. */
  main: Array<Int32Array | null>;
  negative: Array<Int32Array | null>;
}

interface GroupAxis extends BucketAxis {
  maps: StreamMaps[];
  zero: number;
}

function buildAxis(points: readonly MetricPointRecord[], streams: readonly Stream[]): GroupAxis {
  let minScale = Infinity;
  let min = Infinity;
  const explicitKeys = new Set<string>();
  const bounds: number[] = [];
  for (const s of streams) {
    let lastBounds: number[] | null | undefined;
    for (const i of s.idx) {
      if (i < 0) continue;
      const p = points[i]!;
      if (p.min !== null && p.min < min) min = p.min;
      if (p.type === 'exponential_histogram') minScale = Math.min(minScale, p.scale!);
      else if (lastBounds === undefined || !sameNumbers(p.explicitBounds, lastBounds)) {
        lastBounds = p.explicitBounds;
        const key = (lastBounds ?? []).join(',');
        if (!explicitKeys.has(key)) {
          explicitKeys.add(key);
          bounds.push(...(lastBounds ?? []), Infinity);
        }
      }
    }
  }
  if (minScale !== Infinity) {
    let pLo = Infinity,
      pHi = -Infinity,
      nLo = Infinity,
      nHi = -Infinity;
    for (const s of streams) {
      for (const i of s.idx) {
        const p = points[i]!;
        if (i < 0 || p.type !== 'exponential_histogram') continue;
        const d = p.scale! - minScale;
        if (p.positive !== null && p.positive.bucketCounts.length > 0) {
          pLo = Math.min(pLo, p.positive.offset >> d);
          pHi = Math.max(pHi, (p.positive.offset + p.positive.bucketCounts.length - 1) >> d);
        }
        if (p.negative !== null && p.negative.bucketCounts.length > 0) {
          nLo = Math.min(nLo, p.negative.offset >> d);
          nHi = Math.max(nHi, (p.negative.offset + p.negative.bucketCounts.length - 1) >> d);
        }
      }
    }
    // One extra bound below each range, so the first bucket's lower edge is exact.
    for (let k = pLo; k <= pHi + 1; k++) bounds.push(expBound(k, minScale));
    for (let k = nLo; k <= nHi + 1; k++) bounds.push(-expBound(k, minScale));
    bounds.push(0);
  }
  bounds.sort((x, y) => x - y);
  const unique = bounds.filter((b, i) => i === 0 || b !== bounds[i - 1]);
  const upper = Float64Array.from(unique);
  const lower = new Float64Array(upper.length);
  // The lowest bucket starts at the smallest reported `min`, else at 0 (at its bound if that is negative).
  lower[0] = Math.min(min !== Infinity ? min : 0, upper[0]!);
  for (let i = 1; i < upper.length; i++) lower[i] = upper[i - 1]!;
  const maps = streams.map((s) => mapStream(points, s, upper, minScale));
  return { upper, lower, maps, zero: position(upper, 0) };
}

function mapStream(points: readonly MetricPointRecord[], s: Stream, upper: Float64Array, minScale: number): StreamMaps {
  const cache = new Map<string, Int32Array>();
  const cached = (key: string, make: () => Int32Array): Int32Array => {
    let m = cache.get(key);
    if (m === undefined) cache.set(key, (m = make()));
    return m;
  };
  const main: Array<Int32Array | null> = [];
  const negative: Array<Int32Array | null> = [];
  let lastBounds: number[] | null | undefined;
  let lastMap: Int32Array | null = null;
  for (const i of s.idx) {
    const p = i < 0 ? null : points[i]!;
    if (p === null) {
      main.push(null);
      negative.push(null);
    } else if (p.type !== 'exponential_histogram') {
      if (lastBounds === undefined || !sameNumbers(p.explicitBounds, lastBounds)) {
        const b = p.explicitBounds ?? [];
        lastBounds = p.explicitBounds;
        lastMap = cached(`e${b.join(',')}`, () => Int32Array.from([...b, Infinity], (x) => position(upper, x)));
      }
      main.push(lastMap);
      negative.push(null);
    } else {
      const scale = p.scale!;
      const d = scale - minScale;
      const side = (sign: 1 | -1, b: MetricPointRecord['positive']): Int32Array | null => {
        if (b === null || b.bucketCounts.length === 0) return null;
        return cached(`${sign}:${scale}:${b.offset}:${b.bucketCounts.length}`, () =>
          Int32Array.from(b.bucketCounts, (_c, j) => {
            const k = (b.offset + j) >> d;
            return position(upper, sign > 0 ? expBound(k + 1, minScale) : -expBound(k, minScale));
          }),
        );
      };
      main.push(side(1, p.positive));
      negative.push(side(-1, p.negative));
    }
  }
  return { main, negative };
}

/** A reset between two cumulative histogram points: restart, fewer observations, a changed layout, a shrunk bucket. */
function histogramReset(prev: MetricPointRecord, cur: MetricPointRecord): boolean {
  if (prev.startTimeUs !== null && cur.startTimeUs !== null && prev.startTimeUs !== cur.startTimeUs) return true;
  if ((cur.count ?? 0) < (prev.count ?? 0) || cur.type !== prev.type) return true;
  if (cur.type === 'exponential_histogram') {
    // A cumulative exponential histogram only ever lowers its scale.
    return cur.scale! > prev.scale! || (cur.zeroCount ?? 0) < (prev.zeroCount ?? 0);
  }
  if (!sameNumbers(prev.explicitBounds, cur.explicitBounds)) return true;
  const pc = prev.bucketCounts!;
  const cc = cur.bucketCounts!;
  if (pc.length !== cc.length) return true;
  for (let i = 0; i < cc.length; i++) if (cc[i]! < pc[i]!) return true;
  return false;
}

function addPoint(acc: Float64Array, p: MetricPointRecord, main: Int32Array | null, negative: Int32Array | null, zero: number, sign: number): void {
  if (p.type === 'exponential_histogram') {
    acc[zero] = acc[zero]! + sign * (p.zeroCount ?? 0);
    if (main !== null) for (let b = 0, c = p.positive!.bucketCounts; b < c.length; b++) acc[main[b]!] = acc[main[b]!]! + sign * c[b]!;
    if (negative !== null) for (let b = 0, c = p.negative!.bucketCounts; b < c.length; b++) acc[negative[b]!] = acc[negative[b]!]! + sign * c[b]!;
  } else if (main !== null) {
    const c = p.bucketCounts!;
    for (let b = 0; b < c.length && b < main.length; b++) acc[main[b]!] = acc[main[b]!]! + sign * c[b]!;
  }
}

/**
 * Percentile `q` of a group of histogram series in each window `(instant - windowUs, instant]`,
 * from the sum of the series' bucket increments there: a delta point's counts, or a cumulative
 * point's counts minus its predecessor's (its own counts after a reset: a new start time, fewer
 * observations, changed bounds, a shrunk bucket; or after a virtual zero). Estimated by
 * {@link bucketQuantile}. NaN where no series has an increment in the window.
 *
 * All buckets of the group are put on one axis: the sorted union of every upper bound seen.
 * When the series share their bounds this is exact; when they differ, each bucket's count is
 * treated as lying in the union bucket that ends at the bucket's own upper bound, which
 * narrows wide buckets. Exponential histograms are first downscaled to the group's smallest
 * scale (exact: bucket i at scale s is bucket i >> (s - s') at scale s' < s), then bucket i
 * covers (base^i, base^(i+1)] with base = 2^(2^-scale); negative bucket i covers
 * [-base^(i+1), -base^i), and the zero bucket sits at 0. Windows slide, so each point is added
 * once and removed once.
 */
export function histogramQuantiles(
  points: readonly MetricPointRecord[],
  streams: readonly Stream[],
  instants: readonly number[],
  windowUs: number,
  q: number,
): Float64Array {
  const out = new Float64Array(instants.length).fill(NaN);
  if (streams.length === 0) return out;
  const axis = buildAxis(points, streams);
  const acc = new Float64Array(axis.upper.length);
  const apply = (si: number, j: number, sign: number): void => {
    const s = streams[si]!;
    const m = axis.maps[si]!;
    const cur = points[s.idx[j]!]!;
    addPoint(acc, cur, m.main[j]!, m.negative[j]!, axis.zero, sign);
    const pi = s.delta ? -1 : s.idx[j - 1]!;
    if (pi >= 0 && !histogramReset(points[pi]!, cur)) addPoint(acc, points[pi]!, m.main[j - 1]!, m.negative[j - 1]!, axis.zero, -sign);
  };
  const lo = new Int32Array(streams.length);
  const hi = new Int32Array(streams.length);
  let terms = 0;
  for (let k = 0; k < instants.length; k++) {
    const t = instants[k]!;
    for (let si = 0; si < streams.length; si++) {
      const s = streams[si]!;
      const n = s.times.length;
      let l = lo[si]!;
      let h = hi[si]!;
      // Leave before entering, so a point the window skips over is never added at all.
      for (; l < n && s.times[l]! <= t - windowUs; l++) {
        if (l < h && isTerm(s, l)) {
          apply(si, l, -1);
          terms--;
        }
      }
      if (h < l) h = l;
      for (; h < n && s.times[h]! <= t; h++) {
        if (isTerm(s, h)) {
          apply(si, h, 1);
          terms++;
        }
      }
      lo[si] = l;
      hi[si] = h;
    }
    if (terms > 0) out[k] = bucketQuantile(q, acc, axis) ?? NaN;
  }
  return out;
}
