import { describe, expect, it } from 'vitest';
import type { RecordBatch, Store } from '../../src/store/store.js';
import { logDataFromStored } from '../../src/store/stored-trace.js';
import { ALL, T0, log, logQuery, point, sid, span, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

/** The contract of the services list, logs and metric points every `Store` adapter passes. */
export function describeLogMetricContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store logs and metrics contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    const write = (batch: Partial<RecordBatch>) => store.writer.write(recordBatch(batch), null);
    /** A trace's logs as `getTrace` reads them with its spans. */
    const readTraceLogs = async (projectId: string, traceId: string) => (await store.traces.getTrace(projectId, traceId))?.logs.map(logDataFromStored);

    it('lists the services that sent spans, logs or metric points, with their counts', async () => {
      await write({
        spans: [
          span({ traceId: tid(30), serviceName: 'a' }),
          span({ traceId: tid(31), serviceName: 'a', status: { code: 'error', message: '' } }),
          span({ traceId: tid(32), serviceName: 'b' }),
        ],
        logs: [
          log({ logId: 'l1', serviceName: 'a', timeUs: T0 + 5 }),
          log({ logId: 'l2', serviceName: 'cron', timeUs: T0 + 9 }),
          log({ logId: 'l3', serviceName: 'cron', timeUs: T0 - 9 }),
        ],
        metricPoints: [point({ serviceName: 'gauges', timeUs: T0 + 7 }), point({ serviceName: 'b', timeUs: T0 - 1 })],
      });
      expect(await store.traces.listServices('default', ALL)).toEqual([
        { name: 'a', spanCount: 2, errorCount: 1, logCount: 1, metricPointCount: 0, lastSeenUs: T0 + 5 },
        { name: 'b', spanCount: 1, errorCount: 0, logCount: 0, metricPointCount: 1, lastSeenUs: T0 },
        { name: 'cron', spanCount: 0, errorCount: 0, logCount: 2, metricPointCount: 0, lastSeenUs: T0 + 9 },
        { name: 'gauges', spanCount: 0, errorCount: 0, logCount: 0, metricPointCount: 1, lastSeenUs: T0 + 7 },
      ]);
      expect((await store.traces.listServices('default', { fromUs: T0 + 6, toUs: null })).map((s) => [s.name, s.logCount, s.metricPointCount])).toEqual([
        ['cron', 1, 0],
        ['gauges', 0, 1],
      ]);
      expect(await store.traces.listServices('p2', ALL)).toEqual([]);
    });

    it('returns logs newest first with every field, filtered by severity, service, trace and text', async () => {
      const logs = [
        log({ logId: 'a1', timeUs: T0, severityNumber: 9, body: 'cache warm', serviceName: 'web' }),
        log({ logId: 'a2', timeUs: T0 + 1, severityNumber: 17, body: { msg: 'payment failed', code: 402 }, traceId: tid(40), spanId: sid(1) }),
        log({ logId: 'a3', timeUs: T0 + 2, severityNumber: 13, body: 'slow retrieval 100%' }),
      ];
      await write({ logs });
      expect(await store.logs.listLogs(logQuery(), null, 10)).toEqual([logs[2], logs[1], logs[0]]);
      const ids = async (q: Parameters<typeof logQuery>[0]) => (await store.logs.listLogs(logQuery(q), null, 10)).map((l) => l.logId);
      expect(await ids({ minSeverity: 13 })).toEqual(['a3', 'a2']);
      expect(await ids({ service: 'web' })).toEqual(['a1']);
      expect(await ids({ traceId: tid(40) })).toEqual(['a2']);
      expect(await ids({ text: 'PAYMENT' })).toEqual(['a2']);
      expect(await ids({ text: '100%' })).toEqual(['a3']);
      expect(
        await ids({})
          .then(() => store.logs.listLogs(logQuery(), { timeUs: T0 + 1, id: 'a2' }, 10))
          .then((r) => r.map((l) => l.logId)),
      ).toEqual(['a1']);
    });

    it("returns a trace's logs with its spans", async () => {
      const s = span({ traceId: tid(41) });
      const l = log({ traceId: tid(41), spanId: s.spanId, timeUs: T0 + 1 });
      await write({ spans: [s], logs: [l, log({ logId: 'other', traceId: tid(42) })] });
      expect(await readTraceLogs('default', tid(41))).toEqual([l]);
    });

    it('stores metric points of every type and lists metrics', async () => {
      const points = [
        point({ name: 'requests', type: 'sum', temporality: 'cumulative', isMonotonic: true, value: 12, timeUs: T0 + 2 }),
        point({
          name: 'latency',
          type: 'histogram',
          temporality: 'delta',
          count: 6,
          sum: 3.5,
          min: 0.1,
          max: 2,
          bucketCounts: [1, 2, 3],
          explicitBounds: [0.5, 1],
        }),
        point({
          name: 'size',
          type: 'exponential_histogram',
          temporality: 'delta',
          count: 3,
          sum: 9,
          scale: 2,
          zeroCount: 1,
          zeroThreshold: 0,
          positive: { offset: -1, bucketCounts: [1, 1] },
          negative: { offset: 0, bucketCounts: [] },
        }),
        point({
          name: 'rpc',
          type: 'summary',
          count: 4,
          sum: 8,
          quantiles: [
            { quantile: 0.5, value: 2 },
            { quantile: 0.99, value: 3 },
          ],
        }),
        point({
          name: 'queue',
          type: 'gauge',
          value: 3.25,
          exemplars: [{ timeUs: T0, value: 3.25, traceId: tid(50), spanId: sid(5), filteredAttributes: { a: 1 } }],
        }),
      ];
      await write({ metricPoints: points });
      for (const p of points) {
        expect(await store.metrics.listMetricPoints({ projectId: 'default', range: ALL, name: p.name, service: null, limit: 10, cursor: null }, 0, 10)).toEqual(
          [p],
        );
      }
      expect((await store.metrics.listMetrics('default', ALL)).map((m) => [m.name, m.type, m.pointCount])).toEqual([
        ['latency', 'histogram', 1],
        ['queue', 'gauge', 1],
        ['requests', 'sum', 1],
        ['rpc', 'summary', 1],
        ['size', 'exponential_histogram', 1],
      ]);
    });
  });
}
