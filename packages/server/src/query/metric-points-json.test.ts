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

  it("writes counts and exemplars' integers past 2^53 with all their digits, their strings in exactCounts and intValue", () => {
    const big = String(2n ** 53n + 1n);
    const max = String(2n ** 64n - 1n);
    const exemplars = [
      { timeUs: 1, value: Number(big), intValue: big, traceId: null, spanId: null, filteredAttributes: {} },
      { timeUs: 2, value: 0.5, traceId: null, spanId: null, filteredAttributes: {} },
    ];
    const histogram = metricPointFromRecord(
      point({
        type: 'histogram',
        count: Number(max),
        sum: 1,
        bucketCounts: [Number(big), 3],
        explicitBounds: [1],
        exemplars,
        exactCounts: { count: max, bucketCounts: [big, '3'] },
      }),
    );
    const text = pointJson(histogram);
    expect(text).toContain(`"count":${max},`);
    expect(text).toContain(`"bucketCounts":[${big},3],`);
    expect(text).toContain(`"value":${big},"intValue":"${big}"`);
    expect(text).toContain(`"exactCounts":{"count":"${max}","bucketCounts":["${big}","3"]}`);
    expect(JSON.parse(text)).toEqual(histogram);
    const exp = metricPointFromRecord(
      point({
        type: 'exponential_histogram',
        count: Number(big),
        zeroCount: Number(big),
        positive: { offset: 2, bucketCounts: [Number(big)] },
        negative: { offset: 0, bucketCounts: [1] },
        exactCounts: { count: big, zeroCount: big, positive: [big] },
      }),
    );
    const expText = pointJson(exp);
    expect(expText).toContain(`"zeroCount":${big},`);
    expect(expText).toContain(`"positive":{"offset":2,"bucketCounts":[${big}]},"negative":{"offset":0,"bucketCounts":[1]}`);
    expect(JSON.parse(expText)).toEqual(exp);
  });

  it('is a page of points and the next cursor', () => {
    const points = [intPoint(2n ** 63n - 1n), metricPointFromRecord(point({ value: 1.5 }))];
    const text = new TextDecoder().decode(metricPointsJson(points, 'c"1'));
    expect(JSON.parse(text)).toEqual({ points, nextCursor: 'c"1' });
    expect(text).toContain('"value":9223372036854775807,');
    expect(JSON.parse(new TextDecoder().decode(metricPointsJson([], null)))).toEqual({ points: [], nextCursor: null });
  });
});
