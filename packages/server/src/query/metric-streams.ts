import type { AttributeValue, Attributes, MetricPointRecord, MetricType } from '@spoor/model';

/**
 * One time series of a metric: the points of one service, point attribute set and resource
 * attribute set, oldest first. Indices point into the caller's array, so no point is copied.
 */
export interface Stream {
  /** The value of the query's `groupBy` label, or `null` (no `groupBy`, or the label is absent). */
  group: string | null;
  type: MetricType;
  /** Delta temporality (of the newest point): each point is an increment by itself. */
  delta: boolean;
  /** Point indices by time. `-1` at index 0 is a virtual zero at the series' start time. */
  idx: Int32Array;
  times: Float64Array;
}

/** Histograms of both kinds merge with each other; other types only with themselves. */
export function typeFamily(type: MetricType): string {
  return type === 'exponential_histogram' ? 'histogram' : type;
}

/** A value of any shape as text that does not depend on the order of object keys. */
export function stableJson(value: AttributeValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(value[k]!)}`).join(',')}}`;
}

/** `service` and `service.name` mean the service; otherwise a point attribute, then a resource one. */
export function groupValue(p: MetricPointRecord, groupBy: string | null): string | null {
  if (groupBy === null) return null;
  if (groupBy === 'service' || groupBy === 'service.name') return p.serviceName;
  // hasOwn: a label called `constructor` must not find Object.prototype.constructor.
  const v = Object.hasOwn(p.attributes, groupBy)
    ? p.attributes[groupBy]
    : Object.hasOwn(p.resource.attributes, groupBy)
      ? p.resource.attributes[groupBy]
      : null;
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : stableJson(v);
}

export interface StreamOptions {
  groupBy: string | null;
  /** Which points the function can use (its value fields are set). */
  keep: (p: MetricPointRecord) => boolean;
  /**
   * For counter-like functions: a cumulative series whose first point says it started (its
   * `startTimeUs`) at or after this time, and not after the point, gets a virtual zero there, so
   * what it counted before its first report is not lost. `null`: no virtual zeros. Earlier
   * start times are ignored, since the series may have points before the fetched range.
   */
  zeroFromUs: number | null;
}

interface Builder {
  first: MetricPointRecord;
  idx: number[];
}

/**
 * Splits points into series. Points are bucketed by a hash of service, type, attributes and
 * resource attributes, then compared with the bucket's series: no key string is built per
 * point, which at 200k points was most of the time.
 */
export function buildStreams(points: readonly MetricPointRecord[], options: StreamOptions): Stream[] {
  const byHash = new Map<number, Builder[]>();
  const builders: Builder[] = [];
  // The store shares one resource object among the points of a source, so its hash is kept per object.
  const resourceHashes = new Map<object, number>();
  const keyHashes = new Map<string, number>();
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (!options.keep(p)) continue;
    let resourceHash = resourceHashes.get(p.resource);
    if (resourceHash === undefined) resourceHashes.set(p.resource, (resourceHash = hashAttributes(p.resource.attributes, keyHashes)));
    const h =
      (hashString(hashString(FNV, p.serviceName), p.type) ^
        Math.imul(hashAttributes(p.attributes, keyHashes), 0x9e3779b1) ^
        Math.imul(resourceHash, 0x85ebca6b)) |
      0;
    let bucket = byHash.get(h);
    if (bucket === undefined) byHash.set(h, (bucket = []));
    let b: Builder | undefined;
    for (let c = 0; c < bucket.length && b === undefined; c++) if (sameSeries(bucket[c]!.first, p)) b = bucket[c];
    if (b === undefined) {
      b = { first: p, idx: [] };
      bucket.push(b);
      builders.push(b);
    }
    b.idx.push(i);
  }
  return builders.map((b) => finish(points, b, options));
}

const FNV = 0x811c9dc5;

function hashString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

function hashValue(v: AttributeValue | undefined): number {
  if (typeof v === 'string') return hashString(FNV, v);
  if (typeof v === 'number') return (v | 0) ^ Math.imul((v * 1e6) | 0, 0x9e3779b1);
  if (typeof v === 'boolean') return v ? 1 : 2;
  if (v === null || v === undefined) return 3;
  return hashString(FNV, stableJson(v));
}

/** Per-attribute hashes added up, so the order of keys does not matter. Keys repeat, so their hashes are kept. */
function hashAttributes(a: Attributes, keyHashes: Map<string, number>): number {
  let h = 0;
  for (const k in a) {
    let kh = keyHashes.get(k);
    if (kh === undefined) keyHashes.set(k, (kh = Math.imul(hashString(FNV, k), 31)));
    h = (h + (kh ^ hashValue(a[k]))) | 0;
  }
  return h;
}

function sameValue(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return stableJson(a) === stableJson(b);
}

function sameAttributes(a: Attributes, b: Attributes): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    if (!Object.hasOwn(b, k) || !sameValue(a[k], b[k])) return false;
    n++;
  }
  for (const _k in b) n--;
  return n === 0;
}

function sameSeries(a: MetricPointRecord, b: MetricPointRecord): boolean {
  return (
    a.serviceName === b.serviceName &&
    a.type === b.type &&
    sameAttributes(a.attributes, b.attributes) &&
    (a.resource === b.resource || sameAttributes(a.resource.attributes, b.resource.attributes))
  );
}

function finish(points: readonly MetricPointRecord[], b: Builder, options: StreamOptions): Stream {
  const list = b.idx;
  let sorted = true;
  for (let j = 1; j < list.length && sorted; j++) sorted = points[list[j - 1]!]!.timeUs <= points[list[j]!]!.timeUs;
  // Index order breaks ties, so points with equal times keep their arrival order.
  if (!sorted) list.sort((x, y) => points[x]!.timeUs - points[y]!.timeUs || x - y);
  const first = points[list[0]!]!;
  const delta = points[list[list.length - 1]!]!.temporality === 'delta';
  const start = first.startTimeUs;
  const zero = options.zeroFromUs !== null && !delta && start !== null && start > 0 && start >= options.zeroFromUs && start <= first.timeUs;
  const shift = zero ? 1 : 0;
  const idx = new Int32Array(list.length + shift);
  const times = new Float64Array(list.length + shift);
  if (zero) {
    idx[0] = -1;
    times[0] = start;
  }
  for (let j = 0; j < list.length; j++) {
    idx[j + shift] = list[j]!;
    times[j + shift] = points[list[j]!]!.timeUs;
  }
  return { group: groupValue(b.first, options.groupBy), type: b.first.type, delta, idx, times };
}

/**
 * For each instant `instants[k]`, the stream positions `[lo[k], hi[k])` whose times lie in the
 * window `(instant - windowUs, instant]`. Instants ascend, so both ends only move forward.
 */
export function windowBounds(times: Float64Array, instants: readonly number[], windowUs: number, lo: Int32Array, hi: Int32Array): void {
  const n = times.length;
  let l = 0;
  let h = 0;
  for (let k = 0; k < instants.length; k++) {
    const t = instants[k]!;
    while (h < n && times[h]! <= t) h++;
    while (l < h && times[l]! <= t - windowUs) l++;
    lo[k] = l;
    hi[k] = h;
  }
}

/** Whether a counter stream's position counts as an increment: delta points always; cumulative ones when they have a predecessor. */
export function isTerm(s: Stream, j: number): boolean {
  return s.delta ? s.idx[j]! >= 0 : j > 0;
}
