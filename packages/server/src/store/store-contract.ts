import type { LogRecordData, MetricPointRecord, SpanRecord, TraceQuery } from '@spoor/model';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store, WriteBatch } from './store.js';

/**
 * The contract every `Store` adapter passes. An adapter's test calls this with a factory that
 * opens a fresh, empty store; `close` is called after each test.
 */
export function describeStoreContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${adapter}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    const write = (batch: Partial<WriteBatch>, position: string | null = null) =>
      store.write({ spans: [], logs: [], metricPoints: [], ...batch }, position);

    it('returns every field of a written span unchanged', async () => {
      const s = span({
        attributes: { str: 'a', int: 42, big: '9007199254740993', dbl: 1.5, yes: true, list: [1, 'two', false], map: { k: { n: null } } },
        events: [{ timeUs: T0 + 5, name: 'exception', attributes: { 'exception.type': 'TypeError' }, droppedAttributesCount: 1 }],
        links: [{ traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), traceState: 'a=b', attributes: { why: 'retry' }, droppedAttributesCount: 0, flags: 1 }],
        status: { code: 'error', message: 'boom' },
        traceState: 'vendor=1',
        flags: 257,
        droppedAttributesCount: 2,
        droppedEventsCount: 3,
        droppedLinksCount: 4,
        sessionId: 'sess-1',
        llm: {
          provider: 'openai', operation: 'chat', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06',
          inputTokens: 100, outputTokens: 20, totalTokens: 120, cacheReadInputTokens: null, cacheCreationInputTokens: null,
          reasoningTokens: null, costUsd: 0.0125, timeToFirstTokenMs: 230, finishReasons: ['stop'],
        },
      });
      await write({ spans: [s] });
      const found = await store.getTrace('default', s.traceId);
      expect(found?.spans).toEqual([s]);
    });

    it('keeps the ingest position committed with the last batch', async () => {
      expect(await store.readPosition()).toBeNull();
      await write({ spans: [span()] }, '3:1024');
      await write({ logs: [log()] }, '3:2048');
      await write({ logs: [log({ logId: 'l2' })] }, null);
      expect(await store.readPosition()).toBe('3:2048');
    });

    it('answers null for a trace it does not have', async () => {
      expect(await store.getTrace('default', 'a'.repeat(32))).toBeNull();
    });

    it('keeps projects apart in every read', async () => {
      const mine = span({ projectId: 'p1', traceId: tid(1) });
      const theirs = span({ projectId: 'p2', traceId: tid(2), serviceName: 'other' });
      await write({ spans: [mine, theirs], logs: [log({ projectId: 'p2' })], metricPoints: [point({ projectId: 'p2' })] });
      expect(await store.getTrace('p1', tid(2))).toBeNull();
      expect((await store.listTraces(query({ projectId: 'p1' }), null, 10)).map((t) => t.traceId)).toEqual([tid(1)]);
      expect((await store.listServices('p1', ALL)).map((s) => s.name)).toEqual(['checkout']);
      expect(await store.listLogs(logQuery({ projectId: 'p1' }), null, 10)).toEqual([]);
      expect(await store.listMetrics('p1', ALL)).toEqual([]);
    });

    it('summarizes a trace whose spans arrived in several batches', async () => {
      const trace = tid(3);
      await write({ spans: [span({ traceId: trace, spanId: sid(2), parentSpanId: sid(1), name: 'child', startTimeUs: T0 + 10, endTimeUs: T0 + 500, status: { code: 'error', message: '' } })] });
      let [summary] = await store.listTraces(query(), null, 10);
      // Until the root arrives, the earliest span names the trace.
      expect(summary).toMatchObject({ traceId: trace, rootName: 'child', spanCount: 1, errorCount: 1 });
      await write({ spans: [span({ traceId: trace, spanId: sid(1), name: 'root', serviceName: 'gateway', startTimeUs: T0, endTimeUs: T0 + 300 })] });
      [summary] = await store.listTraces(query(), null, 10);
      expect(summary).toMatchObject({ traceId: trace, rootName: 'root', serviceName: 'gateway', startTimeUs: T0, endTimeUs: T0 + 500, spanCount: 2, errorCount: 1 });
    });

    it('sums tokens and cost over the LLM spans of a trace, and keeps them null when none are known', async () => {
      const llm = (inputTokens: number | null, costUsd: number | null) => ({ ...span().llm!, inputTokens, outputTokens: 1, costUsd });
      await write({ spans: [
        span({ traceId: tid(4), spanId: sid(1), llm: { ...emptyLlm(), ...llm(10, 0.5) } }),
        span({ traceId: tid(4), spanId: sid(2), parentSpanId: sid(1), llm: { ...emptyLlm(), ...llm(5, null) } }),
        span({ traceId: tid(5), spanId: sid(1) }),
      ] });
      const rows = await store.listTraces(query(), null, 10);
      expect(rows.find((r) => r.traceId === tid(4))).toMatchObject({ inputTokens: 15, outputTokens: 2, costUsd: 0.5 });
      expect(rows.find((r) => r.traceId === tid(5))).toMatchObject({ inputTokens: null, outputTokens: null, costUsd: null });
    });

    it('filters traces by service, span name, text, status, duration, attribute, session, model and time', async () => {
      await write({ spans: [
        span({ traceId: tid(10), name: 'GET /cart', serviceName: 'web', attributes: { 'http.method': 'GET', code: 200 }, endTimeUs: T0 + 1_000 }),
        span({ traceId: tid(11), name: 'retrieval', serviceName: 'rag', status: { code: 'error', message: 'x' }, endTimeUs: T0 + 5_000_000, sessionId: 's-9' }),
        span({ traceId: tid(12), name: 'chat gpt-4o', serviceName: 'rag', startTimeUs: T0 + 60_000_000, endTimeUs: T0 + 61_000_000,
          resource: { attributes: { 'service.name': 'rag', region: 'eu' }, droppedAttributesCount: 0, schemaUrl: '' },
          llm: { ...emptyLlm(), requestModel: 'gpt-4o' } }),
      ] });
      const ids = async (q: Partial<TraceQuery>) => (await store.listTraces(query(q), null, 10)).map((t) => t.traceId).sort();
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
        const rows = await store.listTraces(query(), after, 2);
        if (rows.length === 0) break;
        seen.push(...rows.map((r) => r.traceId));
        const last = rows.at(-1)!;
        after = { timeUs: last.startTimeUs, id: last.traceId };
      }
      expect(seen).toEqual([tid(24), tid(23), tid(22), tid(21), tid(20)]);
    });

    it('lists services with span and error counts', async () => {
      await write({ spans: [span({ traceId: tid(30), serviceName: 'a' }), span({ traceId: tid(31), serviceName: 'a', status: { code: 'error', message: '' } }), span({ traceId: tid(32), serviceName: 'b' })] });
      expect(await store.listServices('default', ALL)).toEqual([
        { name: 'a', spanCount: 2, errorCount: 1, lastSeenUs: T0 },
        { name: 'b', spanCount: 1, errorCount: 0, lastSeenUs: T0 },
      ]);
    });

    it('returns logs newest first with every field, filtered by severity, service, trace and text', async () => {
      const logs = [
        log({ logId: 'a1', timeUs: T0, severityNumber: 9, body: 'cache warm', serviceName: 'web' }),
        log({ logId: 'a2', timeUs: T0 + 1, severityNumber: 17, body: { msg: 'payment failed', code: 402 }, traceId: tid(40), spanId: sid(1) }),
        log({ logId: 'a3', timeUs: T0 + 2, severityNumber: 13, body: 'slow retrieval 100%' }),
      ];
      await write({ logs });
      expect(await store.listLogs(logQuery(), null, 10)).toEqual([logs[2], logs[1], logs[0]]);
      const ids = async (q: Parameters<typeof logQuery>[0]) => (await store.listLogs(logQuery(q), null, 10)).map((l) => l.logId);
      expect(await ids({ minSeverity: 13 })).toEqual(['a3', 'a2']);
      expect(await ids({ service: 'web' })).toEqual(['a1']);
      expect(await ids({ traceId: tid(40) })).toEqual(['a2']);
      expect(await ids({ text: 'PAYMENT' })).toEqual(['a2']);
      expect(await ids({ text: '100%' })).toEqual(['a3']);
      expect(await ids({}).then(() => store.listLogs(logQuery(), { timeUs: T0 + 1, id: 'a2' }, 10)).then((r) => r.map((l) => l.logId))).toEqual(['a1']);
    });

    it("returns a trace's logs with its spans", async () => {
      const s = span({ traceId: tid(41) });
      const l = log({ traceId: tid(41), spanId: s.spanId, timeUs: T0 + 1 });
      await write({ spans: [s], logs: [l, log({ logId: 'other', traceId: tid(42) })] });
      expect((await store.getTrace('default', tid(41)))?.logs).toEqual([l]);
    });

    it('stores metric points of every type and lists metrics', async () => {
      const points = [
        point({ name: 'requests', type: 'sum', temporality: 'cumulative', isMonotonic: true, value: 12, timeUs: T0 + 2 }),
        point({ name: 'latency', type: 'histogram', temporality: 'delta', count: 6, sum: 3.5, min: 0.1, max: 2, bucketCounts: [1, 2, 3], explicitBounds: [0.5, 1] }),
        point({ name: 'size', type: 'exponential_histogram', temporality: 'delta', count: 3, sum: 9, scale: 2, zeroCount: 1, zeroThreshold: 0,
          positive: { offset: -1, bucketCounts: [1, 1] }, negative: { offset: 0, bucketCounts: [] } }),
        point({ name: 'rpc', type: 'summary', count: 4, sum: 8, quantiles: [{ quantile: 0.5, value: 2 }, { quantile: 0.99, value: 3 }] }),
        point({ name: 'queue', type: 'gauge', value: 3.25, exemplars: [{ timeUs: T0, value: 3.25, traceId: tid(50), spanId: sid(5), filteredAttributes: { a: 1 } }] }),
      ];
      await write({ metricPoints: points });
      for (const p of points) {
        expect(await store.listMetricPoints({ projectId: 'default', range: ALL, name: p.name, service: null, limit: 10, cursor: null }, 0, 10)).toEqual([p]);
      }
      expect((await store.listMetrics('default', ALL)).map((m) => [m.name, m.type, m.pointCount])).toEqual([
        ['latency', 'histogram', 1], ['queue', 'gauge', 1], ['requests', 'sum', 1], ['rpc', 'summary', 1], ['size', 'exponential_histogram', 1],
      ]);
    });

    it('deletes records older than a cutoff, per signal', async () => {
      await write({
        spans: [span({ traceId: tid(60), startTimeUs: T0 - 100, endTimeUs: T0 - 50 }), span({ traceId: tid(61) })],
        logs: [log({ logId: 'old', timeUs: T0 - 100 }), log({ logId: 'new' })],
        metricPoints: [point({ timeUs: T0 - 100 }), point({ timeUs: T0 + 1 })],
      });
      expect(await store.deleteOlderThan('traces', T0)).toBe(1);
      expect(await store.getTrace('default', tid(60))).toBeNull();
      expect((await store.listTraces(query(), null, 10)).map((t) => t.traceId)).toEqual([tid(61)]);
      expect(await store.deleteOlderThan('logs', T0)).toBe(1);
      expect((await store.listLogs(logQuery(), null, 10)).map((l) => l.logId)).toEqual(['new']);
      expect(await store.deleteOlderThan('metrics', T0)).toBe(1);
      expect(await store.listMetricPoints({ projectId: 'default', range: ALL, name: 'm', service: null, limit: 10, cursor: null }, 0, 10)).toHaveLength(1);
    });
  });
}

const T0 = 1_763_719_200_000_000;
const ALL = { fromUs: null, toUs: null };

function tid(n: number): string {
  return n.toString(16).padStart(32, '0');
}

function sid(n: number): string {
  return n.toString(16).padStart(16, '0');
}

function emptyLlm(): NonNullable<SpanRecord['llm']> {
  return {
    provider: null, operation: null, requestModel: null, responseModel: null, inputTokens: null, outputTokens: null,
    totalTokens: null, cacheReadInputTokens: null, cacheCreationInputTokens: null, reasoningTokens: null, costUsd: null,
    timeToFirstTokenMs: null, finishReasons: null,
  };
}

function span(overrides: Partial<SpanRecord> = {}): SpanRecord {
  return {
    projectId: 'default', traceId: tid(1), spanId: sid(1), parentSpanId: null, traceState: '', flags: 1, name: 'op', kind: 'server',
    serviceName: 'checkout', startTimeUs: T0, endTimeUs: T0 + 100, status: { code: 'unset', message: '' }, attributes: {},
    resource: { attributes: { 'service.name': overrides.serviceName ?? 'checkout' }, droppedAttributesCount: 0, schemaUrl: '' },
    scope: { name: 'test', version: '1.0.0', attributes: {}, droppedAttributesCount: 0 },
    events: [], links: [], droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0, llm: null, sessionId: null,
    ...overrides,
  };
}

function log(overrides: Partial<LogRecordData> = {}): LogRecordData {
  return {
    projectId: 'default', logId: 'l1', timeUs: T0, observedTimeUs: T0 + 3, traceId: null, spanId: null, flags: 0,
    severityNumber: 9, severityText: 'INFO', body: 'hello', attributes: { k: 'v' },
    resource: { attributes: { 'service.name': 'checkout' }, droppedAttributesCount: 0, schemaUrl: '' },
    scope: { name: 'logger', version: '', attributes: {}, droppedAttributesCount: 0 }, serviceName: 'checkout', eventName: '',
    droppedAttributesCount: 0, ...overrides,
  };
}

function point(overrides: Partial<MetricPointRecord> = {}): MetricPointRecord {
  return {
    projectId: 'default', name: 'm', description: 'a metric', unit: '1', type: 'gauge', temporality: 'unspecified', isMonotonic: null,
    serviceName: 'checkout', resource: { attributes: { 'service.name': 'checkout' }, droppedAttributesCount: 0, schemaUrl: '' },
    scope: { name: 'meter', version: '', attributes: {}, droppedAttributesCount: 0 }, attributes: { route: '/a' },
    startTimeUs: T0 - 10, timeUs: T0, flags: 0, value: null, count: null, sum: null, min: null, max: null, bucketCounts: null,
    explicitBounds: null, scale: null, zeroCount: null, zeroThreshold: null, positive: null, negative: null, quantiles: null,
    exemplars: [], ...overrides,
  };
}

function query(overrides: Partial<TraceQuery> = {}): TraceQuery {
  return {
    projectId: 'default', range: ALL, service: null, spanName: null, text: null, status: null, minDurationMs: null,
    maxDurationMs: null, attributes: [], sessionId: null, model: null, limit: 50, cursor: null, ...overrides,
  };
}

function logQuery(overrides: Partial<{ projectId: string; minSeverity: number; service: string; traceId: string; text: string }> = {}) {
  return { projectId: 'default', range: ALL, minSeverity: null, service: null, traceId: null, text: null, limit: 50, cursor: null, ...overrides };
}
