import type { MetricPoint } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { point } from '../../test/support/record-fixtures.js';
import { metricPointFromRecord } from './convert.js';
import { metricPointsJson, pointJson } from './metric-points-json.js';

const intPoint = (n: bigint, overrides: Partial<Parameters<typeof point>[0]> = {}): MetricPoint =>
  metricPointFromRecord(point({ type: 'sum', value: Number(n), intValue: String(n), attributes: { value: 1, n: { value: 2 } }, ...overrides }));

describe('the metric points answer', () => {
  it.each([2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n])('writes the value of an integer point of %s with all its digits', (n) => {
    const p = intPoint(n);
    const text = pointJson(p);
    expect(text).toContain(`,"value":${n},"intValue":"${n}",`);
    // The rest is what JSON.stringify writes, in the same order; a double reader gets the double.
    expect(text.replace(`"value":${n}`, `"value":${JSON.stringify(p.value)}`)).toBe(JSON.stringify(p));
    expect(JSON.parse(text)).toEqual(p);
  });

  it('writes a double point and an integer point a double holds as JSON.stringify does', () => {
    for (const p of [intPoint(42n), intPoint(-(2n ** 53n) + 1n), metricPointFromRecord(point({ value: 0.1 })), metricPointFromRecord(point({ value: null }))]) {
      expect(pointJson(p)).toBe(JSON.stringify(p));
    }
  });

  it('is a page of points and the next cursor', () => {
    const points = [intPoint(2n ** 63n - 1n), metricPointFromRecord(point({ value: 1.5 }))];
    const text = new TextDecoder().decode(metricPointsJson(points, 'c"1'));
    expect(JSON.parse(text)).toEqual({ points, nextCursor: 'c"1' });
    expect(text).toContain('"value":9223372036854775807,');
    expect(JSON.parse(new TextDecoder().decode(metricPointsJson([], null)))).toEqual({ points: [], nextCursor: null });
  });
});
