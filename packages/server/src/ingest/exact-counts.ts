import type { ExactCounts, MetricPointRecord } from '@spoor/model';

/**
 * Histogram and summary counts are uint64s, and a double holds every integer only up to 2^53: a
 * count of 2^53 + 1 read as a number is 2^53. The decoders read a count past it as its decimal
 * text, hold it in the point's number field until the point is read (`pendingCount`), and then
 * `settleCounts` makes the field its double again and keeps the text in `exactCounts`, as a
 * sum's or gauge's `intValue` keeps its integer.
 */

/** A count as read: a number when a double holds it exactly, else its decimal text. */
export type CountRead = number | string;

/** A uint64 read as a bigint (or decimal text), as `CountRead`. */
export function countRead(value: bigint | string): CountRead {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : String(value);
}

/** A `CountRead` put in a number field until `settleCounts` makes it one. */
export function pendingCount(value: CountRead): number {
  return value as number;
}

/** Makes every count `pendingCount` left as text a double again, keeping the text in `exactCounts`. */
export function settleCounts(point: MetricPointRecord): void {
  let exact: ExactCounts | undefined;
  const one = (value: number | null): [number | null, string | undefined] => (typeof value === 'string' ? [Number(value), value] : [value, undefined]);
  const list = (values: number[] | null | undefined): string[] | undefined => {
    if (values === null || values === undefined || !values.some((v) => typeof v === 'string')) return undefined;
    const texts = values.map(String);
    for (let i = 0; i < values.length; i++) values[i] = Number(values[i]);
    return texts;
  };
  const [count, countText] = one(point.count);
  const [zeroCount, zeroText] = one(point.zeroCount);
  point.count = count;
  point.zeroCount = zeroCount;
  const buckets = list(point.bucketCounts);
  const positive = list(point.positive?.bucketCounts);
  const negative = list(point.negative?.bucketCounts);
  if (countText !== undefined) (exact ??= {}).count = countText;
  if (buckets !== undefined) (exact ??= {}).bucketCounts = buckets;
  if (zeroText !== undefined) (exact ??= {}).zeroCount = zeroText;
  if (positive !== undefined) (exact ??= {}).positive = positive;
  if (negative !== undefined) (exact ??= {}).negative = negative;
  if (exact !== undefined) point.exactCounts = exact;
}
