import { SPOOR_SERVICE_NAME, TIMESERIES_METRICS, type LlmFields, type SpanFilter, type SpanGroupBy, type TimeseriesMetric } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import type { Store, TimeseriesRow, RecordBatch } from '../../src/store/store.js';
import { T0, emptyLlm, resource, sid, span, spanFilter, tid } from '../support/record-fixtures.js';
import { describeErrorGroupContract } from './store-contract-errors.js';
import { describeRealtimeCompareContract } from './store-contract-realtime-compare.js';
import { describeSessionContract } from './store-contract-sessions.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

const MS = 1_000;
const SEC = 1_000_000;
const failed = { code: 'error', message: 'failed' } as const;
const llm = (over: Partial<LlmFields>): LlmFields => ({ ...emptyLlm(), ...over });
/** Floating-point sums and means: equal to 9 decimal places. */
const close = (n: number) => expect.closeTo(n, 9);

/**
 * The contract of the analytics reads every `Store` adapter passes: span statistics and time
 * series here; realtime counts, release comparisons and metric points, sessions and error groups
 * in their own files. Expected values are worked out by hand in the comments beside them.
 */
export function describeAnalyticsContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store analytics contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    const write = (batch: Partial<RecordBatch>) => store.writer.write(recordBatch(batch), null);

    describe('spanStats', () => {
      /** Span i starts i seconds after T0. */
      const at = (i: number, durationMs: number) => ({ startTimeUs: T0 + i * SEC, endTimeUs: T0 + i * SEC + durationMs * MS });
      const worker = { serviceName: 'worker', category: 'llm', kind: 'client', parentSpanId: sid(1) } as const;
      const search = { name: 'search', serviceName: 'api', category: 'tool', kind: 'internal', parentSpanId: sid(1) } as const;
      /**
       * A workflow root; five `chat` LLM calls of 10..50 ms (one failed); three `search` tool calls
       * of 5, 5 and 20 ms (one failed). `service.version` is on the resource of some spans and on
       * the span itself of others. Project p2 has a `chat` span of its own.
       */
      const seed = () =>
        write({
          spans: [
            span({
              spanId: sid(1),
              name: 'root',
              serviceName: 'api',
              ...at(0, 100),
              category: 'workflow',
              kind: 'server',
              sessionId: 'sess-a',
              resource: resource('api', { 'service.version': '1.0' }),
            }),
            span({
              spanId: sid(2),
              name: 'chat',
              ...worker,
              ...at(1, 10),
              attributes: { tier: 'gold' },
              resource: resource('worker', { 'service.version': '1.0' }),
              llm: llm({
                provider: 'openai',
                requestModel: 'gpt-4o',
                responseModel: 'gpt-4o-2024-08-06',
                inputTokens: 100,
                outputTokens: 10,
                totalTokens: 110,
                cacheReadInputTokens: 40,
                costUsd: 0.01,
              }),
            }),
            span({
              spanId: sid(3),
              name: 'chat',
              ...worker,
              ...at(2, 20),
              status: failed,
              resource: resource('worker', { 'service.version': '1.0' }),
              llm: llm({ provider: 'openai', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06', inputTokens: 200, outputTokens: 20, costUsd: 0.02 }),
            }),
            span({
              spanId: sid(4),
              name: 'chat',
              ...worker,
              ...at(3, 30),
              attributes: { 'service.version': '2.0' },
              llm: llm({
                provider: 'anthropic',
                requestModel: 'claude-3',
                responseModel: 'claude-3-20240229',
                inputTokens: 300,
                outputTokens: 30,
                totalTokens: 330,
                reasoningTokens: 7,
              }),
            }),
            span({
              spanId: sid(5),
              name: 'chat',
              ...worker,
              ...at(4, 40),
              status: { code: 'ok', message: '' },
              attributes: { 'service.version': '2.0' },
              llm: llm({ responseModel: 'claude-3', costUsd: 0.03, costSource: 'reported' }),
            }),
            span({ spanId: sid(6), name: 'chat', ...worker, ...at(5, 50), llm: llm({ provider: 'openai', requestModel: 'gpt-4o' }) }),
            span({
              spanId: sid(7),
              ...search,
              ...at(6, 5),
              attributes: { tier: 'gold' },
              sessionId: 'sess-a',
              resource: resource('api', { 'service.version': '1.0' }),
            }),
            span({ spanId: sid(8), ...search, ...at(7, 5), status: failed }),
            span({ spanId: sid(9), ...search, ...at(8, 20), attributes: { retries: 2 } }),
            span({ projectId: 'p2', traceId: tid(2), spanId: sid(1), name: 'chat', ...at(1, 1) }),
          ],
        });
      const stats = (groupBy: SpanGroupBy, filter: Partial<SpanFilter> = {}, limit = 100) =>
        store.analytics.spanStats({ filter: spanFilter(filter), groupBy, limit });
      const keys = async (groupBy: SpanGroupBy) => (await stats(groupBy)).map((g) => [g.key, g.count]);
      const counts = async (filter: Partial<SpanFilter>) => Object.fromEntries((await stats({ column: 'name' }, filter)).map((g) => [g.key, g.count]));

      it('aggregates each group exactly: errors, interpolated percentiles, token sums and cost', async () => {
        await seed();
        expect(await stats({ column: 'name' })).toEqual([
          // 10, 20, 30, 40, 50 ms: p95 at rank 3.8 = 40 + 0.8 * 10, p99 at 3.96 = 40 + 0.96 * 10.
          // Total tokens fall back to input + output (220 for the call without a total).
          {
            key: 'chat',
            count: 5,
            errorCount: 1,
            avgUs: 30_000,
            p50Us: 30_000,
            p95Us: close(48_000),
            p99Us: close(49_600),
            maxUs: 50_000,
            inputTokens: 600,
            outputTokens: 60,
            totalTokens: 660,
            cacheReadInputTokens: 40,
            cacheCreationInputTokens: null,
            reasoningTokens: 7,
            costUsd: close(0.06),
            // The claude-3 call has tokens and no price: the cost leaves it out, and says so.
            unpricedCalls: 1,
          },
          // 5, 5, 20 ms: p95 at rank 1.9 = 5 + 0.9 * 15, p99 at 1.98 = 5 + 0.98 * 15. No tokens at all: null, not 0.
          {
            key: 'search',
            count: 3,
            errorCount: 1,
            avgUs: 10_000,
            p50Us: 5_000,
            p95Us: close(18_500),
            p99Us: close(19_700),
            maxUs: 20_000,
            inputTokens: null,
            outputTokens: null,
            totalTokens: null,
            cacheReadInputTokens: null,
            cacheCreationInputTokens: null,
            reasoningTokens: null,
            costUsd: null,
            unpricedCalls: 0,
          },
          {
            key: 'root',
            count: 1,
            errorCount: 0,
            avgUs: 100_000,
            p50Us: 100_000,
            p95Us: 100_000,
            p99Us: 100_000,
            maxUs: 100_000,
            inputTokens: null,
            outputTokens: null,
            totalTokens: null,
            cacheReadInputTokens: null,
            cacheCreationInputTokens: null,
            reasoningTokens: null,
            costUsd: null,
            unpricedCalls: 0,
          },
        ]);
        expect((await stats({ column: 'model' })).map((g) => [g.key, g.unpricedCalls])).toEqual([
          [null, 0],
          ['gpt-4o', 0],
          ['claude-3', 1],
        ]);
        expect((await stats({ column: 'name' }, {}, 2)).map((g) => g.key)).toEqual(['chat', 'search']);
      });

      it('groups by service, model (request model first), provider, kind, category and a span-or-resource attribute', async () => {
        await seed();
        expect(await keys({ column: 'service' })).toEqual([
          ['worker', 5],
          ['api', 4],
        ]);
        // Two calls asked for gpt-4o and got a dated model; one answered claude-3 without saying what it asked for.
        expect(await keys({ column: 'model' })).toEqual([
          [null, 4],
          ['gpt-4o', 3],
          ['claude-3', 2],
        ]);
        expect(await keys({ column: 'provider' })).toEqual([
          [null, 5],
          ['openai', 3],
          ['anthropic', 1],
        ]);
        expect(await keys({ column: 'kind' })).toEqual([
          ['client', 5],
          ['internal', 3],
          ['server', 1],
        ]);
        expect(await keys({ column: 'category' })).toEqual([
          ['llm', 5],
          ['tool', 3],
          ['workflow', 1],
        ]);
        expect(await keys({ column: 'session' })).toEqual([
          [null, 7],
          ['sess-a', 2],
        ]);
        // On the resource of spans 1, 2, 3 and 7; on spans 4 and 5 themselves; on no others.
        expect(await keys({ attribute: 'service.version' })).toEqual([
          ['1.0', 4],
          [null, 3],
          ['2.0', 2],
        ]);
        expect((await stats({ attribute: 'service.version' })).find((g) => g.key === '2.0')).toMatchObject({
          avgUs: 35_000,
          inputTokens: 300,
          costUsd: close(0.03),
        });
        expect((await stats({ attribute: 'service.version' }, { attributes: [{ key: 'tier', value: 'gold' }] })).map((g) => [g.key, g.count])).toEqual([
          ['1.0', 2],
        ]);
        // No span has these keys: every span is in the group of the absent value, as for any other key.
        for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
          expect(await keys({ attribute: key }), key).toEqual([[null, 9]]);
          expect(await counts({ attributes: [{ key, value: 'x' }] }), key).toEqual({});
        }
      });

      it('applies every span filter, to each span', async () => {
        await seed();
        expect(await counts({ service: 'api' })).toEqual({ search: 3, root: 1 });
        expect(await counts({ spanName: 'search' })).toEqual({ search: 3 });
        expect(await counts({ text: 'HA' })).toEqual({ chat: 5 });
        expect(await counts({ text: '%' })).toEqual({});
        expect(await counts({ status: 'error' })).toEqual({ chat: 1, search: 1 });
        expect(await counts({ status: 'ok' })).toEqual({ chat: 4, search: 2, root: 1 });
        expect(await counts({ minDurationMs: 30 })).toEqual({ chat: 3, root: 1 });
        expect(await counts({ maxDurationMs: 10 })).toEqual({ chat: 1, search: 2 });
        expect(await counts({ minDurationMs: 19.5, maxDurationMs: 20 })).toEqual({ chat: 1, search: 1 });
        expect(await counts({ attributes: [{ key: 'tier', value: 'gold' }] })).toEqual({ chat: 1, search: 1 });
        expect(await counts({ attributes: [{ key: 'retries', value: '2' }] })).toEqual({ search: 1 });
        expect(await counts({ attributes: [{ key: 'service.version', value: '1.0' }] })).toEqual({ chat: 2, search: 1, root: 1 });
        expect(
          await counts({
            attributes: [
              { key: 'service.version', value: '2.0' },
              { key: 'tier', value: 'gold' },
            ],
          }),
        ).toEqual({});
        expect(await counts({ sessionId: 'sess-a' })).toEqual({ search: 1, root: 1 });
        expect(await counts({ model: 'gpt-4o' })).toEqual({ chat: 3 });
        expect(await counts({ model: 'gpt-4o-2024-08-06' })).toEqual({ chat: 2 });
        expect(await counts({ model: 'claude-3' })).toEqual({ chat: 2 });
        expect(await counts({ kind: 'internal' })).toEqual({ search: 3 });
        expect(await counts({ category: 'workflow' })).toEqual({ root: 1 });
        expect(await counts({ rootOnly: true })).toEqual({ root: 1 });
        // On the start time, from inclusive, to exclusive.
        expect(await counts({ range: { fromUs: T0 + SEC, toUs: T0 + 3 * SEC } })).toEqual({ chat: 2 });
        expect(await counts({ range: { fromUs: T0 + 6 * SEC, toUs: null } })).toEqual({ search: 3 });
        expect(await counts({ service: 'worker', status: 'error' })).toEqual({ chat: 1 });
      });

      it("keeps Spoor's own spans (a judge's call) apart: out of the app's statistics and cost, alone in its own", async () => {
        await seed();
        const app = await stats({ column: 'name' }, { origin: 'app' });
        await write({
          spans: [
            span({ traceId: tid(3), spanId: sid(1), name: 'judge relevance', serviceName: SPOOR_SERVICE_NAME, ...at(2, 7), category: 'workflow' }),
            span({
              traceId: tid(3),
              spanId: sid(2),
              parentSpanId: sid(1),
              name: 'chat',
              serviceName: SPOOR_SERVICE_NAME,
              ...at(2, 5),
              category: 'llm',
              kind: 'client',
              llm: llm({ provider: 'openai', requestModel: 'gpt-4o-mini', inputTokens: 50, outputTokens: 5, costUsd: 0.5 }),
            }),
          ],
        });
        expect(await stats({ column: 'name' }, { origin: 'app' })).toEqual(app);
        expect(await counts({ origin: 'spoor' })).toEqual({ 'judge relevance': 1, chat: 1 });
        expect((await stats({ column: 'model' }, { origin: 'spoor', category: 'llm' })).map((g) => [g.key, g.costUsd])).toEqual([['gpt-4o-mini', close(0.5)]]);
        expect(await counts({ origin: 'all' })).toEqual({ chat: 6, search: 3, root: 1, 'judge relevance': 1 });
      });

      it('keeps projects apart', async () => {
        await seed();
        expect(await counts({ projectId: 'p2' })).toEqual({ chat: 1 });
        expect(await counts({ projectId: 'p3' })).toEqual({});
      });
    });

    describe('spanTimeseries', () => {
      const RANGE = { fromUs: T0, toUs: T0 + 40 * SEC };
      const STEP = 10 * SEC;
      const s = (n: number, name: string, startS: number, durationMs: number, over: Parameters<typeof span>[0] = {}) =>
        span({ traceId: tid(10 + n), spanId: sid(1), name, startTimeUs: T0 + startS * SEC, endTimeUs: T0 + startS * SEC + durationMs * MS, ...over });
      /** Buckets of 10 s: [0 s) holds spans 1 and 2, [10 s) none, [20 s) 3 and 4 (tier gold), [30 s) 5, 6 and 7. */
      const seed = () =>
        write({
          spans: [
            s(1, 'chat', 0, 10, { llm: llm({ requestModel: 'gpt-4o', inputTokens: 10, outputTokens: 5, costUsd: 0.5 }) }),
            s(2, 'chat', 5, 30, { status: failed, llm: llm({ requestModel: 'gpt-4o', inputTokens: 20 }) }),
            s(3, 'tool', 25, 20, { attributes: { tier: 'gold' } }),
            s(4, 'chat', 27, 40, { resource: resource('checkout', { tier: 'gold' }), llm: llm({ requestModel: 'claude', outputTokens: 7, costUsd: 0.25 }) }),
            s(5, 'embed', 31, 8, { status: failed, llm: llm({ requestModel: 'embed-3', inputTokens: 3 }) }),
            s(6, 'tool', 38, 4),
            s(7, 'tool', 33, 6, { status: failed }),
            // Outside the range, or another project's.
            s(8, 'chat', 40, 1),
            s(9, 'chat', -1, 1),
            s(10, 'chat', 1, 1, { projectId: 'p2' }),
          ],
        });
      const series = async (metric: TimeseriesMetric, groupBy: SpanGroupBy | null = null, limit = 10, range = RANGE): Promise<TimeseriesRow[]> => {
        const rows = await store.analytics.spanTimeseries({ filter: spanFilter({ range }), metric, stepUs: STEP, groupBy, limit });
        return rows.sort((x, y) => x.bucketUs - y.bucketUs || String(x.key).localeCompare(String(y.key)));
      };

      it('computes every metric per step-aligned bucket, and leaves out empty buckets', async () => {
        await seed();
        const expected: Record<TimeseriesMetric, [number, number, number]> = {
          count: [2, 2, 3],
          errors: [1, 0, 2],
          error_rate: [0.5, 0, 2 / 3],
          avg: [20_000, 30_000, 6_000],
          // Two spans interpolate at q; three (4, 6, 8 ms) at 2q between the nearest two.
          p50: [20_000, 30_000, 6_000],
          p95: [29_000, 39_000, 7_800],
          p99: [29_800, 39_800, 7_960],
          tokens: [35, 7, 3],
          cost: [0.5, 0.25, 0],
        };
        for (const metric of TIMESERIES_METRICS) {
          const [b0, b20, b30] = expected[metric];
          expect(await series(metric), metric).toEqual([
            { bucketUs: T0, key: null, value: close(b0) },
            { bucketUs: T0 + 20 * SEC, key: null, value: close(b20) },
            { bucketUs: T0 + 30 * SEC, key: null, value: close(b30) },
          ]);
        }
      });

      it('aligns buckets to the step since the epoch, not to the start of the range', async () => {
        await seed();
        const rows = await series('count', null, 10, { fromUs: T0 + 3 * SEC, toUs: T0 + 40 * SEC });
        expect(rows.map((r) => [r.bucketUs - T0, r.value])).toEqual([
          [0, 1],
          [20 * SEC, 2],
          [30 * SEC, 3],
        ]);
      });

      it('gives each group its own rows, and keeps the groups with most spans, spans without a key included', async () => {
        await seed();
        const rows = (r: TimeseriesRow[]) => r.map((x) => [(x.bucketUs - T0) / SEC, x.key, x.value]);
        expect(rows(await series('p50', { column: 'name' }))).toEqual([
          [0, 'chat', 20_000],
          [20, 'chat', 40_000],
          [20, 'tool', 20_000],
          [30, 'embed', 8_000],
          [30, 'tool', 5_000],
        ]);
        // No model: 3 spans; gpt-4o: 2; claude and embed-3: 1 each.
        expect(rows(await series('count', { column: 'model' }, 2))).toEqual([
          [0, 'gpt-4o', 2],
          [20, null, 1],
          [30, null, 2],
        ]);
        // On span 3 itself, on the resource of span 4.
        expect(rows(await series('avg', { attribute: 'tier' }))).toEqual([
          [0, null, 20_000],
          [20, 'gold', 30_000],
          [30, null, 6_000],
        ]);
      });
    });
  });

  describeRealtimeCompareContract(adapter, open);
  describeSessionContract(adapter, open);
  describeErrorGroupContract(adapter, open);
}
