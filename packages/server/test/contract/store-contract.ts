import type { LlmFields, ModelPrice, TraceQuery } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import type { RecordBatch, Store } from '../../src/store/store.js';
import { logDataFromStored, spanRecordFromStored } from '../../src/store/stored-trace.js';
import { rowsOf } from '../../src/store/trace-timings.js';
import { ALL, T0, emptyLlm, log, logQuery, point, query, sid, span, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

/**
 * The contract every `Store` adapter passes. An adapter's test calls this with a factory that
 * opens a fresh, empty store; `close` is called after each test.
 */
export function describeStoreContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    const write = (batch: Partial<RecordBatch>, position: string | null = null) =>
      store.writer.write(recordBatch(batch), position === null ? null : { serverId: 'server-1', position });
    /** `getTrace` with the stored JSON texts parsed back into records. */
    const readTrace = async (projectId: string, traceId: string, spanId?: string) => {
      const found = await store.traces.getTrace(projectId, traceId, spanId);
      return found === null ? null : { spans: found.spans.map(spanRecordFromStored), logs: found.logs.map(logDataFromStored) };
    };

    it('returns every field of a written span unchanged', async () => {
      const s = span({
        attributes: {
          str: 'a',
          int: 42,
          big: '9007199254740993',
          dbl: 1.5,
          yes: true,
          list: [1, 'two', false],
          map: { k: { n: null } },
          'say "hi"': 'C:\\dir\\"quoted"\n\r\t\u0000\u001f\u2028 naïve 日本 😀',
          brackets: '}]{"timeUs":1},[',
        },
        events: [
          { timeUs: T0 + 5, name: 'exception', attributes: { 'exception.type': 'TypeError' }, droppedAttributesCount: 1 },
          { timeUs: T0 + 6, name: 'line\nbreak "quoted"', attributes: { nested: [{ timeUs: 1 }, ['}']] }, droppedAttributesCount: 0 },
        ],
        links: [{ traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), traceState: 'a=b', attributes: { why: 'retry' }, droppedAttributesCount: 0, flags: 1 }],
        status: { code: 'error', message: 'boom' },
        traceState: 'vendor=1',
        flags: 257,
        droppedAttributesCount: 2,
        droppedEventsCount: 3,
        droppedLinksCount: 4,
        sessionId: 'sess-1',
        userId: 'user-7',
        category: 'llm',
        llm: {
          provider: 'openai',
          operation: 'chat',
          requestModel: 'gpt-4o',
          responseModel: 'gpt-4o-2024-08-06',
          inputTokens: 100,
          outputTokens: 20,
          totalTokens: 120,
          cacheReadInputTokens: 60,
          cacheCreationInputTokens: null,
          reasoningTokens: 5,
          costUsd: 0.0125,
          costSource: 'price_table',
          timeToFirstTokenMs: 230,
          finishReasons: ['stop'],
        },
      });
      await write({ spans: [s] });
      const found = await readTrace('default', s.traceId);
      expect(found?.spans).toEqual([s]);
    });

    it('reads a cost or time to first token that is NaN or infinite as unknown (null)', async () => {
      const s = span({ llm: { ...emptyLlm(), requestModel: 'm', costUsd: Number.NaN, timeToFirstTokenMs: Infinity } });
      await write({ spans: [s] });
      expect((await readTrace('default', s.traceId))?.spans[0]?.llm).toEqual({ ...s.llm, costUsd: null, timeToFirstTokenMs: null });
    });

    it('reads one span of a trace with its logs alone, and no span for an id the trace lacks', async () => {
      const spans = [span({ spanId: sid(1) }), span({ spanId: sid(2), parentSpanId: sid(1), name: 'child' }), span({ spanId: sid(3), parentSpanId: sid(1) })];
      const logs = [
        log({ logId: 'l1', traceId: tid(1), spanId: sid(2) }),
        log({ logId: 'l2', traceId: tid(1), spanId: sid(3) }),
        log({ logId: 'l3', traceId: tid(1), spanId: null }),
      ];
      await write({ spans, logs });
      const one = await readTrace('default', tid(1), sid(2));
      expect(one?.spans).toEqual([spans[1]]);
      expect(one?.logs.map((l) => l.logId)).toEqual(['l1']);
      expect(await store.traces.getTrace('default', tid(1), sid(9))).toEqual({ spans: [], logs: [] });
      expect(await store.traces.getTrace('default', tid(2), sid(2))).toBeNull();
    });

    it('returns the category, user id and cost source of spans of every kind', async () => {
      const spans = [
        span({ spanId: sid(1), category: 'agent', userId: 'user-1', llm: null }),
        span({ spanId: sid(2), parentSpanId: sid(1), category: 'tool', userId: null }),
        span({
          spanId: sid(3),
          parentSpanId: sid(1),
          category: 'llm',
          userId: 'user-1',
          llm: { ...emptyLlm(), requestModel: 'gpt-4o', inputTokens: 10, outputTokens: 2, costUsd: 0.75, costSource: 'reported' },
        }),
        span({
          spanId: sid(4),
          parentSpanId: sid(1),
          category: 'embedding',
          llm: { ...emptyLlm(), operation: 'embeddings', requestModel: 'text-embedding-3-small', inputTokens: 8, costUsd: null, costSource: null },
        }),
      ];
      await write({ spans });
      const found = await readTrace('default', tid(1));
      const bySpan = new Map(found!.spans.map((s) => [s.spanId, s]));
      for (const s of spans) expect(bySpan.get(s.spanId)).toEqual(s);
    });

    it('lists the models of LLM spans that have tokens and no cost', async () => {
      const llm = (over: Partial<LlmFields>): LlmFields => ({ ...emptyLlm(), provider: 'acme', operation: 'chat', ...over });
      await write({
        spans: [
          // Grouped by the response model, whatever the request model said.
          span({
            traceId: tid(80),
            spanId: sid(1),
            startTimeUs: T0,
            llm: llm({ requestModel: 'acme-1', responseModel: 'acme-1-0613', inputTokens: 10, outputTokens: 5 }),
          }),
          span({
            traceId: tid(80),
            spanId: sid(2),
            startTimeUs: T0 + 50,
            llm: llm({ requestModel: 'acme-one', responseModel: 'acme-1-0613', inputTokens: 20, outputTokens: 7 }),
          }),
          // No response model: the request model names it; a missing count sums as 0.
          span({ traceId: tid(81), spanId: sid(1), startTimeUs: T0 + 10, llm: llm({ provider: null, requestModel: 'beta', outputTokens: 3 }) }),
          // Priced: not listed.
          span({
            traceId: tid(82),
            spanId: sid(1),
            llm: llm({ requestModel: 'gamma', inputTokens: 1, outputTokens: 1, costUsd: 0.1, costSource: 'price_table' }),
          }),
          span({
            traceId: tid(82),
            spanId: sid(2),
            llm: llm({ requestModel: 'acme-1-0613', inputTokens: 1, outputTokens: 1, costUsd: 0.2, costSource: 'reported' }),
          }),
          // No tokens: nothing to price, not listed.
          span({ traceId: tid(83), spanId: sid(1), llm: llm({ requestModel: 'delta' }) }),
          // Not an LLM span.
          span({ traceId: tid(84), spanId: sid(1) }),
          // Out of the range, on either side.
          span({ traceId: tid(85), spanId: sid(1), startTimeUs: T0 - 1, llm: llm({ requestModel: 'acme-1-0613', inputTokens: 100, outputTokens: 100 }) }),
          span({ traceId: tid(85), spanId: sid(2), startTimeUs: T0 + 1_000, llm: llm({ requestModel: 'epsilon', inputTokens: 100, outputTokens: 100 }) }),
          // Another project's.
          span({ projectId: 'p2', traceId: tid(86), spanId: sid(1), llm: llm({ requestModel: 'acme-1-0613', inputTokens: 1000, outputTokens: 1000 }) }),
          span({ projectId: 'p2', traceId: tid(86), spanId: sid(2), llm: llm({ requestModel: 'zeta', inputTokens: 1, outputTokens: 1 }) }),
        ],
      });
      expect(await store.prices.listUnpricedModels('default', { fromUs: T0, toUs: T0 + 1_000 })).toEqual([
        { model: 'acme-1-0613', provider: 'acme', spanCount: 2, inputTokens: 30, outputTokens: 12, lastSeenUs: T0 + 50 },
        { model: 'beta', provider: null, spanCount: 1, inputTokens: 0, outputTokens: 3, lastSeenUs: T0 + 10 },
      ]);
      // Without a range, the out-of-range spans count too; most spans first.
      expect((await store.prices.listUnpricedModels('default', ALL)).map((m) => [m.model, m.spanCount])).toEqual([
        ['acme-1-0613', 3],
        ['beta', 1],
        ['epsilon', 1],
      ]);
      expect((await store.prices.listUnpricedModels('p2', ALL)).map((m) => [m.model, m.spanCount, m.inputTokens])).toEqual([
        ['acme-1-0613', 1, 1000],
        ['zeta', 1, 1],
      ]);
      expect(await store.prices.listUnpricedModels('p3', ALL)).toEqual([]);
    });

    it('stores, replaces and deletes prices set through the API, per project', async () => {
      const acme: ModelPrice = {
        model: 'acme-1',
        provider: 'acme',
        aliases: ['acme-1-0613', 'acme-1-latest'],
        input: 1.5,
        output: 6,
        cacheRead: 0.15,
        cacheWrite: 1.875,
        reasoning: 7.25,
        longContext: { aboveInputTokens: 200_000, input: 3, output: 12, cacheRead: 0.3, cacheWrite: 3.75 },
      };
      const beta: ModelPrice = { model: 'beta', provider: 'b-corp', input: 0.1, output: 0.4 };
      expect(await store.prices.listModelPrices('default')).toEqual([]);
      await store.prices.putModelPrice('default', beta, T0);
      await store.prices.putModelPrice('default', acme, T0 + 1);
      expect(await store.prices.listModelPrices('default')).toStrictEqual([acme, beta]);

      // Put again: replaces the whole price (the aliases and longContext go with it).
      const acme2: ModelPrice = { model: 'acme-1', provider: 'acme', input: 2, output: 8 };
      await store.prices.putModelPrice('default', acme2, T0 + 2);
      expect(await store.prices.listModelPrices('default')).toStrictEqual([acme2, beta]);

      // Projects are apart.
      const theirs: ModelPrice = { model: 'acme-1', provider: 'acme', input: 99, output: 99 };
      expect(await store.prices.listModelPrices('p2')).toEqual([]);
      await store.prices.putModelPrice('p2', theirs, T0 + 3);
      expect(await store.prices.listModelPrices('p2')).toStrictEqual([theirs]);
      expect(await store.prices.listModelPrices('default')).toStrictEqual([acme2, beta]);

      expect(await store.prices.deleteModelPrice('default', 'acme-1')).toBe(true);
      expect(await store.prices.deleteModelPrice('default', 'acme-1')).toBe(false);
      expect(await store.prices.deleteModelPrice('default', 'never-set')).toBe(false);
      expect(await store.prices.deleteModelPrice('p2', 'beta')).toBe(false);
      expect(await store.prices.listModelPrices('default')).toStrictEqual([beta]);
      expect(await store.prices.listModelPrices('p2')).toStrictEqual([theirs]);
    });

    it('keeps the ingest position committed with the last batch', async () => {
      expect(await store.writer.readPosition('server-1')).toBeNull();
      await write({ spans: [span()] }, '3:1024');
      await write({ logs: [log()] }, '3:2048');
      await write({ logs: [log({ logId: 'l2' })] }, null);
      expect(await store.writer.readPosition('server-1')).toBe('3:2048');
      expect(await store.writer.readPosition('server-2')).toBeNull();
    });

    it("reads a trace's span times, ids and names as columns", async () => {
      // An id above 2^63 and one with a zero high word check both halves of the 64-bit ids.
      const spans = [
        span({ spanId: 'ffffffff00000001', name: 'run', category: 'workflow', startTimeUs: T0, endTimeUs: T0 + 900 }),
        span({
          spanId: '00000000fffffffe',
          parentSpanId: 'ffffffff00000001',
          name: 'call',
          serviceName: 'llm-gw',
          category: 'llm',
          startTimeUs: T0 + 10,
          endTimeUs: T0 + 800,
        }),
        span({ spanId: sid(3), parentSpanId: '00000000fffffffe', name: 'tool', category: 'tool', startTimeUs: T0 + 20, endTimeUs: T0 + 20 }),
        span({ spanId: sid(6), parentSpanId: '00000000fffffffe', name: 'tool', category: 'tool', startTimeUs: T0 + 30, endTimeUs: T0 + 40 }),
      ];
      await write({ spans });
      await write({ spans: [span({ traceId: tid(2), spanId: sid(4) }), span({ projectId: 'other', spanId: sid(5) })] });
      const timings = await store.traces.getTraceTimings('default', tid(1));
      const bySpan = (a: { spanId: string }, b: { spanId: string }) => a.spanId.localeCompare(b.spanId);
      expect(rowsOf(timings!).sort(bySpan)).toEqual(
        spans
          .map(({ spanId, parentSpanId, name, serviceName, category, startTimeUs, endTimeUs }) => ({
            spanId,
            parentSpanId,
            name,
            serviceName,
            category,
            startTimeUs,
            endTimeUs,
          }))
          .sort(bySpan),
      );
      expect(timings!.labelCount).toBe(3); // the two 'tool' spans share one
      expect(await store.traces.getTraceTimings('default', tid(9))).toBeNull();
      expect(await store.traces.getTraceTimings('other', tid(2))).toBeNull();
    });

    it('answers null for a trace it does not have', async () => {
      expect(await store.traces.getTrace('default', 'a'.repeat(32))).toBeNull();
    });

    it('keeps projects apart in every read', async () => {
      const mine = span({ projectId: 'p1', traceId: tid(1) });
      const theirs = span({ projectId: 'p2', traceId: tid(2), serviceName: 'other' });
      await write({ spans: [mine, theirs], logs: [log({ projectId: 'p2' })], metricPoints: [point({ projectId: 'p2' })] });
      expect(await store.traces.getTrace('p1', tid(2))).toBeNull();
      expect((await store.traces.listTraces(query({ projectId: 'p1' }), null, 10)).map((t) => t.traceId)).toEqual([tid(1)]);
      expect((await store.traces.listServices('p1', ALL)).map((s) => s.name)).toEqual(['checkout']);
      expect(await store.logs.listLogs(logQuery({ projectId: 'p1' }), null, 10)).toEqual([]);
      expect(await store.metrics.listMetrics('p1', ALL)).toEqual([]);
    });

    it('summarizes a trace whose spans arrived in several batches', async () => {
      const trace = tid(3);
      await write({
        spans: [
          span({
            traceId: trace,
            spanId: sid(2),
            parentSpanId: sid(1),
            name: 'child',
            startTimeUs: T0 + 10,
            endTimeUs: T0 + 500,
            status: { code: 'error', message: '' },
          }),
        ],
      });
      let [summary] = await store.traces.listTraces(query(), null, 10);
      // Until the root arrives, the earliest span names the trace.
      expect(summary).toMatchObject({ traceId: trace, rootName: 'child', spanCount: 1, errorCount: 1 });
      await write({ spans: [span({ traceId: trace, spanId: sid(1), name: 'root', serviceName: 'gateway', startTimeUs: T0, endTimeUs: T0 + 300 })] });
      [summary] = await store.traces.listTraces(query(), null, 10);
      expect(summary).toMatchObject({
        traceId: trace,
        rootName: 'root',
        serviceName: 'gateway',
        startTimeUs: T0,
        endTimeUs: T0 + 500,
        spanCount: 2,
        errorCount: 1,
      });
    });

    it('lists a trace with the session and user its spans name, from whichever batch brought them', async () => {
      const trace = tid(4);
      await write({ spans: [span({ traceId: trace, spanId: sid(1), name: 'root' })] });
      expect((await store.traces.listTraces(query(), null, 10))[0]).toMatchObject({ traceId: trace, sessionId: null, userId: null });
      await write({ spans: [span({ traceId: trace, spanId: sid(2), parentSpanId: sid(1), name: 'chat', sessionId: 'conv-9', userId: 'u-3' })] });
      expect((await store.traces.listTraces(query(), null, 10))[0]).toMatchObject({ traceId: trace, sessionId: 'conv-9', userId: 'u-3' });
    });

    it('sums tokens and cost over the LLM spans of a trace, and keeps them null when none are known', async () => {
      const llm = (inputTokens: number | null, costUsd: number | null) => ({ ...span().llm!, inputTokens, outputTokens: 1, costUsd });
      await write({
        spans: [
          span({ traceId: tid(4), spanId: sid(1), llm: { ...emptyLlm(), ...llm(10, 0.5) } }),
          span({ traceId: tid(4), spanId: sid(2), parentSpanId: sid(1), llm: { ...emptyLlm(), ...llm(5, null) } }),
          span({ traceId: tid(5), spanId: sid(1) }),
        ],
      });
      const rows = await store.traces.listTraces(query(), null, 10);
      // The second call has no price: the cost is the first's alone, and says one call is left out.
      expect(rows.find((r) => r.traceId === tid(4))).toMatchObject({ inputTokens: 15, outputTokens: 2, costUsd: 0.5, unpricedCalls: 1 });
      expect(rows.find((r) => r.traceId === tid(5))).toMatchObject({ inputTokens: null, outputTokens: null, costUsd: null, unpricedCalls: 0 });
    });

    it('filters traces by service, span name, text, status, duration, attribute, session, model and time', async () => {
      await write({
        spans: [
          span({ traceId: tid(10), name: 'GET /cart', serviceName: 'web', attributes: { 'http.method': 'GET', code: 200 }, endTimeUs: T0 + 1_000 }),
          span({
            traceId: tid(11),
            name: 'retrieval',
            serviceName: 'rag',
            status: { code: 'error', message: 'x' },
            endTimeUs: T0 + 5_000_000,
            sessionId: 's-9',
          }),
          span({
            traceId: tid(12),
            name: 'chat gpt-4o',
            serviceName: 'rag',
            startTimeUs: T0 + 60_000_000,
            endTimeUs: T0 + 61_000_000,
            resource: { attributes: { 'service.name': 'rag', region: 'eu' }, droppedAttributesCount: 0, schemaUrl: '' },
            llm: { ...emptyLlm(), requestModel: 'gpt-4o' },
          }),
        ],
      });
      const ids = async (q: Partial<TraceQuery>) => (await store.traces.listTraces(query(q), null, 10)).map((t) => t.traceId).sort();
      expect(await ids({ service: 'rag' })).toEqual([tid(11), tid(12)]);
      expect(await ids({ spanName: 'retrieval' })).toEqual([tid(11)]);
      expect(await ids({ text: 'CART' })).toEqual([tid(10)]);
      expect(await ids({ text: '%' })).toEqual([]);
      expect(await ids({ status: 'error' })).toEqual([tid(11)]);
      expect(await ids({ status: 'ok' })).toEqual([tid(10), tid(12)]);
      expect(await ids({ minDurationMs: 2_000 })).toEqual([tid(11)]);
      expect(await ids({ maxDurationMs: 2 })).toEqual([tid(10)]);
      expect(await ids({ attributes: [{ key: 'http.method', value: 'GET' }] })).toEqual([tid(10)]);
      expect(await ids({ attributes: [{ key: 'code', value: '200' }] })).toEqual([tid(10)]);
      expect(await ids({ attributes: [{ key: 'region', value: 'eu' }] })).toEqual([tid(12)]);
      expect(await ids({ attributes: [{ key: 'http.method', value: 'POST' }] })).toEqual([]);
      expect(await ids({ sessionId: 's-9' })).toEqual([tid(11)]);
      expect(await ids({ model: 'gpt-4o' })).toEqual([tid(12)]);
      expect(await ids({ range: { fromUs: T0 + 30_000_000, toUs: null } })).toEqual([tid(12)]);
      expect(await ids({ range: { fromUs: null, toUs: T0 + 30_000_000 } })).toEqual([tid(10), tid(11)]);
    });

    it('pages traces newest first without repeating or skipping one', async () => {
      // Two traces share a start time, so the trace id must break the tie.
      const starts = [T0, T0 + 1, T0 + 1, T0 + 2, T0 + 3];
      await write({ spans: starts.map((start, i) => span({ traceId: tid(20 + i), startTimeUs: start, endTimeUs: start + 10 })) });
      const seen: string[] = [];
      let after = null;
      for (;;) {
        const rows = await store.traces.listTraces(query(), after, 2);
        if (rows.length === 0) break;
        seen.push(...rows.map((r) => r.traceId));
        const last = rows.at(-1)!;
        after = { timeUs: last.startTimeUs, id: last.traceId };
      }
      expect(seen).toEqual([tid(24), tid(23), tid(22), tid(21), tid(20)]);
    });

    it('deletes records of each kind older than a cutoff', async () => {
      await write({
        spans: [span({ traceId: tid(60), startTimeUs: T0 - 100, endTimeUs: T0 - 50 }), span({ traceId: tid(61) })],
        logs: [log({ logId: 'old', timeUs: T0 - 100 }), log({ logId: 'new' })],
        metricPoints: [point({ timeUs: T0 - 100 }), point({ timeUs: T0 + 1 })],
      });
      expect(await store.retention.deleteOlderThan('spans', T0)).toBe(1);
      expect(await store.retention.deleteOlderThan('traceParts', T0)).toBe(1);
      expect(await store.traces.getTrace('default', tid(60))).toBeNull();
      expect((await store.traces.listTraces(query(), null, 10)).map((t) => t.traceId)).toEqual([tid(61)]);
      expect(await store.retention.deleteOlderThan('logs', T0)).toBe(1);
      expect((await store.logs.listLogs(logQuery(), null, 10)).map((l) => l.logId)).toEqual(['new']);
      expect(await store.retention.deleteOlderThan('metricPoints', T0)).toBe(1);
      expect(await store.metrics.listMetricPoints({ projectId: 'default', range: ALL, name: 'm', service: null, limit: 10, cursor: null }, 0, 10)).toHaveLength(
        1,
      );
    });
  });
}
