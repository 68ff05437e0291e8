import type { InstrumentationScope, Resource } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { ALL, T0, log, logQuery, point, span } from '../support/record-fixtures.js';
import type { RecordBatch, Store } from '../../src/store/store.js';
import { logDataFromStored, spanRecordFromStored } from '../../src/store/stored-trace.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

/**
 * The contract that a store keeps what arrived exactly and whole: integer metric points, and
 * histogram and summary counts, past 2^53, the schema URLs of resources and scopes, and whether a log body was bytes.
 */
export function describeExactRecordsContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store exact records contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    const write = (batch: Partial<RecordBatch>) => store.writer.write(recordBatch(batch), null);
    const points = (name: string) => store.metrics.listMetricPoints({ projectId: 'default', range: ALL, name, service: null, limit: 10, cursor: null }, 0, 10);

    it('keeps integer metric points exact over the whole int64 range, beside their doubles', async () => {
      const ints = ['9223372036854775807', '-9223372036854775808', '9007199254740993', '42', '0'];
      const written = [
        ...ints.map((n, i) =>
          point({ name: 'bytes', type: 'sum', temporality: 'cumulative', isMonotonic: true, timeUs: T0 + i, value: Number(n), intValue: n }),
        ),
        point({ name: 'bytes', type: 'sum', temporality: 'cumulative', isMonotonic: true, timeUs: T0 + 9, value: 0.5, intValue: null }),
      ];
      await write({ metricPoints: written });
      // Newest first.
      expect(await points('bytes')).toEqual([...written].reverse());
      const read = await store.metrics.readMetricPoints('default', ['bytes'], ALL, null);
      expect(read.map((p) => [p.intValue, p.value])).toEqual(written.map((p) => [p.intValue, p.value]));
    });

    it('keeps histogram and summary counts, bucket counts, zero counts and exemplar integers past 2^53 exactly', async () => {
      const BIG = String(2n ** 53n + 1n);
      const MAX = String(2n ** 64n - 1n);
      const exemplar = { timeUs: T0, value: Number(BIG), intValue: BIG, traceId: null, spanId: null, filteredAttributes: {} };
      const written = [
        point({
          name: 'counts',
          type: 'histogram',
          temporality: 'cumulative',
          timeUs: T0,
          count: Number(MAX),
          sum: 1,
          bucketCounts: [Number(BIG), 1],
          explicitBounds: [1],
          exemplars: [exemplar],
          exactCounts: { count: MAX, bucketCounts: [BIG, '1'] },
        }),
        point({
          name: 'counts',
          type: 'exponential_histogram',
          temporality: 'delta',
          timeUs: T0 + 1,
          count: Number(BIG),
          sum: 1,
          scale: 0,
          zeroCount: Number(BIG),
          zeroThreshold: 0,
          positive: { offset: 1, bucketCounts: [Number(BIG)] },
          negative: { offset: 0, bucketCounts: [2] },
          exactCounts: { count: BIG, zeroCount: BIG, positive: [BIG] },
        }),
        point({ name: 'counts', type: 'summary', timeUs: T0 + 2, count: Number(BIG), sum: 1, quantiles: [], exactCounts: { count: BIG } }),
        point({ name: 'counts', type: 'summary', timeUs: T0 + 3, count: 3, sum: 1, quantiles: [] }),
      ];
      await write({ metricPoints: written });
      expect(await points('counts')).toEqual([...written].reverse());
      const read = await store.metrics.readMetricPoints('default', ['counts'], ALL, null);
      expect(read.map((p) => p.exactCounts)).toEqual(written.map((p) => p.exactCounts));
      expect(read.map((p) => p.exemplars[0]?.intValue)).toEqual([BIG, undefined, undefined, undefined]);
      expect('exactCounts' in read[3]!).toBe(false);
    });

    it('keeps the schema URLs of resources and scopes on spans, logs and metric points', async () => {
      const resource: Resource = {
        attributes: { 'service.name': 'checkout' },
        droppedAttributesCount: 0,
        schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
      };
      const scope: InstrumentationScope = {
        name: 'lib',
        version: '1',
        attributes: {},
        droppedAttributesCount: 0,
        schemaUrl: 'https://example.com/lib/schemas/2',
      };
      const s = span({ resource, scope });
      const l = log({ traceId: s.traceId, resource, scope });
      const p = point({ resource, scope, value: 1 });
      await write({ spans: [s], logs: [l], metricPoints: [p] });
      const trace = await store.traces.getTrace('default', s.traceId);
      expect(trace?.spans.map(spanRecordFromStored)).toEqual([s]);
      expect(trace?.logs.map(logDataFromStored)).toEqual([l]);
      expect(await store.logs.listLogs(logQuery(), null, 10)).toEqual([l]);
      expect(await points(p.name)).toEqual([p]);
    });

    it('marks a log whose body was bytes, in the log list and in its trace', async () => {
      const s = span();
      const bytes = log({ logId: 'bytes', traceId: s.traceId, timeUs: T0 + 1, body: 'AAEC/v8=', bodyBytes: true });
      const text = log({ logId: 'text', traceId: s.traceId, timeUs: T0, body: 'AAEC/v8=' });
      await write({ spans: [s], logs: [bytes, text] });
      expect(await store.logs.listLogs(logQuery(), null, 10)).toEqual([bytes, text]);
      const trace = await store.traces.getTrace('default', s.traceId);
      expect(trace?.logs.map((l) => [l.logId, l.bodyBytes])).toEqual([
        ['text', undefined],
        ['bytes', true],
      ]);
      expect(trace?.logs.map(logDataFromStored)).toEqual([text, bytes]);
    });
  });
}
