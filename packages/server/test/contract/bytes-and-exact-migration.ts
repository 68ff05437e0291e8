import { expect } from 'vitest';
import type { Store, WriteBatch } from '../../src/store/store.js';
import { batchOf } from '../../src/store/tables.js';
import { ALL, T0, log, logQuery, point } from '../support/record-fixtures.js';

/**
 * What every engine's migration past bytes bodies (`logs.body_bytes`) and exact integer points
 * (`metric_points.int_value`) keeps: a log and a point stored before it read as they did, and new
 * ones keep a bytes body and an exact 64-bit integer (`big`, as text).
 */
export const recordsBeforeBytesAndExact = (): WriteBatch =>
  batchOf({ spans: [], logs: [log({ logId: 'old', body: 'AAE=' })], metricPoints: [point({ name: 'old', value: 7 })] });

/** Writes a new log and point on the migrated `store` and checks both old and new read back as they should. */
export async function expectBytesAndExactAfterMigration(store: Store, big: string): Promise<void> {
  const bytes = log({ logId: 'new', timeUs: T0 + 1, body: 'AAE=', bodyBytes: true });
  const exact = point({ name: 'new', value: Number(big), intValue: big });
  await store.writer.write(batchOf({ spans: [], logs: [bytes], metricPoints: [exact] }), null);
  expect(await store.logs.listLogs(logQuery(), null, 10)).toEqual([bytes, log({ logId: 'old', body: 'AAE=' })]);
  const points = (name: string) => store.metrics.listMetricPoints({ projectId: 'default', range: ALL, name, service: null, limit: 10, cursor: null }, 0, 10);
  expect(await points('old')).toEqual([point({ name: 'old', value: 7 })]);
  expect(await points('new')).toEqual([exact]);
}

/** A histogram point as one stored before exact counts were kept. */
const histogramBefore = (): ReturnType<typeof point> =>
  point({ name: 'old-counts', type: 'histogram', temporality: 'delta', count: 3, sum: 1, bucketCounts: [1, 2], explicitBounds: [1] });

/** What every engine's migration past exact counts (`metric_points.exact_counts`) starts from: a histogram point stored before it. */
export const recordsBeforeExactCounts = (): WriteBatch => batchOf({ spans: [], logs: [], metricPoints: [histogramBefore()] });

/** Writes a point with counts past 2^53 on the migrated `store`; the old point reads as it did, the new one exactly. */
export async function expectExactCountsAfterMigration(store: Store): Promise<void> {
  const big = String(2n ** 53n + 1n);
  const exact = point({
    name: 'new-counts',
    type: 'histogram',
    temporality: 'delta',
    timeUs: T0 + 1,
    count: Number(big),
    sum: 1,
    bucketCounts: [Number(big)],
    explicitBounds: [],
    exactCounts: { count: big, bucketCounts: [big] },
  });
  await store.writer.write(batchOf({ spans: [], logs: [], metricPoints: [exact] }), null);
  const points = (name: string) => store.metrics.listMetricPoints({ projectId: 'default', range: ALL, name, service: null, limit: 10, cursor: null }, 0, 10);
  expect(await points('old-counts')).toEqual([histogramBefore()]);
  expect(await points('new-counts')).toEqual([exact]);
}
