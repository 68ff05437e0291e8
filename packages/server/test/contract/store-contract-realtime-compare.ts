import { SPOOR_SERVICE_NAME, type LlmFields, type TimeRange } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import type { Store, RecordBatch } from '../../src/store/store.js';
import { ALL, T0, emptyLlm, point, resource, sid, span, spanFilter, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

const MS = 1_000;
const SEC = 1_000_000;
const failed = { code: 'error', message: 'failed' } as const;
const llm = (over: Partial<LlmFields>): LlmFields => ({ ...emptyLlm(), ...over });
/** Floating-point sums and means: equal to 9 decimal places. */
const close = (n: number) => expect.closeTo(n, 9);

/**
 * The contract of the analytics reads of the moment and of two sides every `Store` adapter
 * passes: realtime counts, release comparisons and metric points. Expected values are worked out
 * by hand in the comments beside them.
 */
export function describeRealtimeCompareContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store realtime, comparison and metric point contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    const write = (batch: Partial<RecordBatch>) => store.writer.write(recordBatch(batch), null);

    it('counts the realtime windows by end time, of one service or all', async () => {
      const NOW = T0 + 1_000 * SEC;
      /** A span that ended `agoS` seconds before NOW after running `durationS` seconds. */
      const ended = (n: number, service: string, agoS: number, durationS: number, over: Parameters<typeof span>[0] = {}) =>
        span({
          traceId: tid(20 + n),
          spanId: sid(over.parentSpanId === undefined ? 1 : 2),
          serviceName: service,
          startTimeUs: NOW - (agoS + durationS) * SEC,
          endTimeUs: NOW - agoS * SEC,
          ...over,
        });
      const child = { parentSpanId: sid(1) };
      await write({
        spans: [
          ended(1, 'api', 10, 2),
          ended(2, 'api', 100, 4, { status: failed }),
          ended(3, 'web', 30, 1),
          ended(4, 'api', 20, 1, { ...child, attributes: { 'cache.hit': true }, llm: llm({ inputTokens: 100, outputTokens: 50, costUsd: 0.1 }) }),
          ended(5, 'api', 200, 1, { ...child, attributes: { 'cache.hit': false }, llm: llm({ inputTokens: 1_000, outputTokens: 1, costUsd: 0.2 }) }),
          // Tokens and no price: left out of the cost, counted as unpriced.
          ended(6, 'web', 5, 1, { ...child, attributes: { 'cache.hit': false }, llm: llm({ inputTokens: 7 }) }),
          // Ended more than 300 s ago, or after NOW, or in another project.
          ended(7, 'api', 301, 1, { status: failed, attributes: { 'cache.hit': true }, llm: llm({ inputTokens: 9, costUsd: 5 }) }),
          ended(8, 'api', -1, 30, { status: failed, attributes: { 'cache.hit': true }, llm: llm({ inputTokens: 9, costUsd: 5 }) }),
          ended(9, 'api', 1, 1, { projectId: 'p2', llm: llm({ inputTokens: 9, costUsd: 5 }) }),
          // Spoor's own call (a judge's): not the app's traffic.
          ended(10, SPOOR_SERVICE_NAME, 3, 1, { status: failed, llm: llm({ inputTokens: 9, costUsd: 5 }) }),
        ],
      });
      expect(await store.analytics.realtime('default', null, NOW)).toEqual({
        roots60: 2,
        roots300: 3,
        errors300: 1,
        durationUs300: 7 * SEC,
        tokens60: 157,
        cost300: close(0.3),
        unpriced300: 1,
        cacheHits: 1,
        cacheMisses: 2,
      });
      expect(await store.analytics.realtime('default', 'api', NOW)).toEqual({
        roots60: 1,
        roots300: 2,
        errors300: 1,
        durationUs300: 6 * SEC,
        tokens60: 150,
        cost300: close(0.3),
        unpriced300: 0,
        cacheHits: 1,
        cacheMisses: 1,
      });
      expect(await store.analytics.realtime('default', 'web', NOW)).toEqual({
        roots60: 1,
        roots300: 1,
        errors300: 0,
        durationUs300: SEC,
        tokens60: 7,
        cost300: 0,
        unpriced300: 1,
        cacheHits: 0,
        cacheMisses: 1,
      });
      expect(await store.analytics.realtime('p3', null, NOW)).toEqual({
        roots60: 0,
        roots300: 0,
        errors300: 0,
        durationUs300: 0,
        tokens60: 0,
        cost300: 0,
        unpriced300: 0,
        cacheHits: 0,
        cacheMisses: 0,
      });
    });

    it('compares two releases per span name with rank sums, tie terms and cost moments', async () => {
      const release = (version: string) => resource('app', { 'service.version': version });
      const call = (n: number, name: string, version: string, durationMs: number, costUsd: number | null, over: Parameters<typeof span>[0] = {}) =>
        span({
          traceId: tid(30),
          spanId: sid(n),
          name,
          serviceName: 'app',
          resource: release(version),
          startTimeUs: T0 + n * SEC,
          endTimeUs: T0 + n * SEC + durationMs * MS,
          llm: llm({ costUsd }),
          ...over,
        });
      await write({
        spans: [
          // a = 1.0: 10, 20, 20, 40 ms; the 10 ms call carries its version itself.
          call(1, 'chat', '', 10, 0.1, { resource: resource('app'), attributes: { 'service.version': '1.0' } }),
          call(2, 'chat', '1.0', 20, null),
          call(3, 'chat', '1.0', 20, 0.3),
          call(4, 'chat', '1.0', 40, 0.2, { status: failed }),
          // b = 1.1: 20, 30, 50 ms, and an `embed` only b has.
          call(5, 'chat', '1.1', 20, 0.2),
          call(6, 'chat', '1.1', 30, 0.4, { status: failed }),
          call(7, 'chat', '1.1', 50, null, { status: failed }),
          call(8, 'embed', '1.1', 5, null),
          // Neither side, or another project's.
          call(9, 'chat', '2.0', 1, 9),
          call(10, 'chat', '', 1, 9, { resource: resource('app') }),
          call(11, 'chat', '1.0', 1, 9, { projectId: 'p2' }),
        ],
      });
      const compare = async (limit: number) =>
        (await store.analytics.compareSpans({ filter: spanFilter(), by: { attribute: 'service.version' }, a: '1.0', b: '1.1', limit })).sort(
          (x, y) => x.name.localeCompare(y.name) || x.side.localeCompare(y.side),
        );
      // Together: 10 (rank 1), 20 a, 20 a, 20 b (ranks 2-4, 3 each), 30 (5), 40 (6), 50 (7). Three tied: 3³ - 3 = 24.
      // Cost, no cost as 0: a = 0.1, 0, 0.3, 0.2 (mean 0.15, squares 0.05 / 3); b = 0.2, 0.4, 0 (mean 0.2, squares 0.08 / 2).
      const chat = [
        {
          name: 'chat',
          side: 'a',
          count: 4,
          errorCount: 1,
          avgUs: 22_500,
          p50Us: 20_000,
          p95Us: close(37_000),
          rankSum: 13,
          tieTerm: 24,
          costCount: 3,
          costMean: close(0.15),
          costVariance: close(0.05 / 3),
        },
        {
          name: 'chat',
          side: 'b',
          count: 3,
          errorCount: 2,
          avgUs: close(100_000 / 3),
          p50Us: 30_000,
          p95Us: close(48_000),
          rankSum: 15,
          tieTerm: 24,
          costCount: 2,
          costMean: close(0.2),
          costVariance: close(0.04),
        },
      ];
      expect(await compare(10)).toEqual([
        ...chat,
        {
          name: 'embed',
          side: 'b',
          count: 1,
          errorCount: 0,
          avgUs: 5_000,
          p50Us: 5_000,
          p95Us: 5_000,
          rankSum: 1,
          tieTerm: 0,
          costCount: 0,
          costMean: 0,
          costVariance: null,
        },
      ]);
      // The names with most spans (both sides together) first.
      expect(await compare(1)).toEqual(chat);
    });

    it('ranks each name apart, ties across sides averaged, and takes the side from the resource before the span', async () => {
      // Three names, 90 spans with many tied durations within and across sides. Half of the spans
      // name their version on the resource, the other half on the span (their resource has none);
      // spans 0, 10, 20 ... also carry the other version on the span, which their resource overrides.
      const versions = ['1.0', '1.1'] as const;
      const names = ['plan', 'chat', 'search'] as const;
      const spans = Array.from({ length: 90 }, (_, n) => {
        const version = versions[(n * 7) % 5 < 2 ? 0 : 1]!;
        const onResource = n % 2 === 0;
        const decoy: Record<string, string> = n % 10 === 0 ? { 'service.version': version === '1.0' ? '1.1' : '1.0' } : {};
        return {
          name: names[n % 3]!,
          version,
          durationMs: ((n * 37) % 11) + (n % 3),
          costUsd: n % 4 === 0 ? null : (n % 5) / 10,
          record: span({
            traceId: tid(40),
            spanId: sid(100 + n),
            name: names[n % 3],
            serviceName: 'app',
            startTimeUs: T0 + n * SEC,
            endTimeUs: T0 + n * SEC + (((n * 37) % 11) + (n % 3)) * MS,
            status: n % 6 === 0 ? failed : { code: 'ok', message: '' },
            resource: onResource ? resource('app', { 'service.version': version }) : resource('app'),
            attributes: onResource ? decoy : { 'service.version': version },
            llm: llm({ costUsd: n % 4 === 0 ? null : (n % 5) / 10 }),
          }),
        };
      });
      await write({ spans: spans.map((s) => s.record) });
      // The expected records, ranked here the slow way: every pair of durations compared.
      const expected = names.flatMap((name) => {
        const mine = spans.filter((s) => s.name === name);
        const tieTerm = [...new Set(mine.map((s) => s.durationMs))]
          .map((d) => mine.filter((s) => s.durationMs === d).length)
          .reduce((sum, t) => sum + t ** 3 - t, 0);
        return versions.map((version, i) => {
          const side = mine.filter((s) => s.version === version);
          const durations = side.map((s) => s.durationMs * MS).sort((x, y) => x - y);
          const costs = side.map((s) => s.costUsd ?? 0);
          const mean = costs.reduce((x, y) => x + y, 0) / costs.length;
          return {
            name,
            side: i === 0 ? 'a' : 'b',
            count: side.length,
            errorCount: side.filter((s) => s.record.status.code === 'error').length,
            avgUs: close(durations.reduce((x, y) => x + y, 0) / durations.length),
            rankSum: side.reduce(
              (sum, s) => sum + 1 + mine.filter((o) => o.durationMs < s.durationMs).length + (mine.filter((o) => o.durationMs === s.durationMs).length - 1) / 2,
              0,
            ),
            tieTerm,
            costCount: side.filter((s) => s.costUsd !== null).length,
            costMean: close(mean),
            costVariance: close(costs.reduce((sum, c) => sum + (c - mean) ** 2, 0) / (costs.length - 1)),
          };
        });
      });
      const records = (await store.analytics.compareSpans({ filter: spanFilter(), by: { attribute: 'service.version' }, a: '1.0', b: '1.1', limit: 10 })).sort(
        (x, y) => names.indexOf(x.name as never) - names.indexOf(y.name as never) || x.side.localeCompare(y.side),
      );
      expect(records).toEqual(expected.map((e) => expect.objectContaining(e)));
      expect(records.every((r) => r.tieTerm > 0 && r.rankSum % 0.5 === 0)).toBe(true);
      // A column decides the side by itself: every span is on service app, none on service web.
      expect(await store.analytics.compareSpans({ filter: spanFilter(), by: { column: 'service' }, a: 'app', b: 'web', limit: 10 })).toHaveLength(3);
    });

    it('reads the points of several metrics oldest first, by range and service', async () => {
      const p = (name: string, timeUs: number, service = 'checkout', projectId = 'default') =>
        point({ projectId, name, timeUs, serviceName: service, resource: resource(service), attributes: { at: timeUs - T0 }, value: timeUs - T0 });
      const a1 = p('a', T0 + 2);
      const b1 = p('b', T0 + 1);
      const a2 = p('a', T0 + 3, 'web');
      const c1 = p('c', T0);
      const a0 = p('a', T0 - 10);
      await write({ metricPoints: [a1, b1, a2, c1, a0, p('a', T0 + 1, 'checkout', 'p2')] });
      const read = (names: string[], range: TimeRange = { fromUs: T0, toUs: T0 + 10 }, service: string | null = null) =>
        store.metrics.readMetricPoints('default', names, range, service);
      expect(await read(['a', 'b'])).toEqual([b1, a1, a2]);
      expect(await read(['a', 'b'], { fromUs: T0, toUs: T0 + 3 })).toEqual([b1, a1]);
      expect(await read(['a'], ALL)).toEqual([a0, a1, a2]);
      expect(await read(['a', 'c'], ALL, 'web')).toEqual([a2]);
      expect(await read([])).toEqual([]);
      expect(await store.metrics.readMetricPoints('p3', ['a'], ALL, null)).toEqual([]);
    });
  });
}
