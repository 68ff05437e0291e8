import type { MetricPoint, MetricPointListResponse } from '@spoor/model';
import type { JsonUtf8 } from '../json.js';
import { JsonWriter } from './json-bytes.js';

/**
 * `MetricPointListResponse` as JSON text, each integer point's `value` written with every digit
 * of its `intValue`. `JSON.stringify` can only write the double, and past 2^53 that is another
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

/** One point's JSON; `value` as the exact integer when the double is not it. */
export function pointJson(point: MetricPoint): string {
  const { intValue, value } = point;
  if (intValue === null || value === null || Number.isSafeInteger(value)) return JSON.stringify(point);
  // The fields before `value` and after it, written in their order around the exact digits.
  const entries = Object.entries(point);
  const at = entries.findIndex(([key]) => key === 'value');
  const head = JSON.stringify(Object.fromEntries(entries.slice(0, at)));
  const tail = JSON.stringify(Object.fromEntries(entries.slice(at + 1)));
  return `${head.length > 2 ? `${head.slice(0, -1)},` : '{'}"value":${intValue}${tail.length > 2 ? `,${tail.slice(1)}` : '}'}`;
}
