import type { MetricPoint, MetricPointListResponse } from '@spoor/model';
import type { JsonUtf8 } from '../json.js';
import { JsonWriter } from './json-bytes.js';

/**
 * `MetricPointListResponse` as JSON text, each integer point's `value` written with every digit
 * of its `intValue`, and counts and exemplars' integers past 2^53 so too (`pointJson`).
 * `JSON.stringify` can only write the double, and past 2^53 that is another
 * number (`9223372036854775807` sent, `9223372036854775808` written): a reader of the answer
 * (`jq`, Python, Go's `json.Number`) would see a value that was never sent.
 */
export function metricPointsJson(points: readonly MetricPoint[], nextCursor: string | null): JsonUtf8<MetricPointListResponse> {
  // A gauge point with a few attributes is some 640 characters of JSON, a histogram's some 730.
  const out = new JsonWriter<MetricPointListResponse>(points.length * 700 + 64);
  out.write('{"points":[');
  for (let i = 0; i < points.length; i++) {
    if (i > 0) out.write(',');
    out.write(pointJson(points[i]!));
  }
  out.write(`],"nextCursor":${JSON.stringify(nextCursor)}}`);
  return out.finish();
}

/** Stands for an exact number in the copy `JSON.stringify` writes: `"\u0000exact:N"` there. */
const MARK = '\u0000exact:';
const MARKED = /"\\u0000exact:(\d+)"/g;

/**
 * One point's JSON; the numbers a double would round written with every digit instead: an integer
 * point's `value` (its `intValue`), counts past 2^53 (`exactCounts`), and exemplars' integers.
 */
export function pointJson(point: MetricPoint): string {
  const { intValue, value, exactCounts: counts } = point;
  const exactValue = intValue !== null && value !== null && !Number.isSafeInteger(value);
  const exemplarInts = point.exemplars.some((e) => e.intValue !== undefined);
  if (!exactValue && counts === undefined && !exemplarInts) return JSON.stringify(point);
  const plain = JSON.stringify(point);
  // A text field of exactly a mark (a NUL, then `exact:`) could be taken for one: never sent, but then the doubles stand.
  if (plain.includes('\\u0000exact:')) return plain;
  const digits: string[] = [];
  const mark = (text: string): string => `${MARK}${digits.push(text) - 1}`;
  // The same keys in the same order, the exact numbers as marks.
  const copy: Record<string, unknown> = { ...point };
  if (exactValue) copy.value = mark(intValue);
  if (counts?.count !== undefined) copy.count = mark(counts.count);
  if (counts?.zeroCount !== undefined) copy.zeroCount = mark(counts.zeroCount);
  if (counts?.bucketCounts !== undefined) copy.bucketCounts = counts.bucketCounts.map(mark);
  if (counts?.positive !== undefined && point.positive !== null) copy.positive = { ...point.positive, bucketCounts: counts.positive.map(mark) };
  if (counts?.negative !== undefined && point.negative !== null) copy.negative = { ...point.negative, bucketCounts: counts.negative.map(mark) };
  if (exemplarInts) copy.exemplars = point.exemplars.map((e) => (e.intValue === undefined ? e : { ...e, value: mark(e.intValue) }));
  return JSON.stringify(copy).replace(MARKED, (_, i: string) => digits[Number(i)]!);
}
