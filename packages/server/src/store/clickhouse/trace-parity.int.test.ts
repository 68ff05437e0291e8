import type { SpanRecord } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHDB_CLEANUP_MS, chdbStores } from '../../../test/support/chdb.js';
import { ALL, T0, emptyLlm, log, logQuery, point, query, sid, span, tid } from '../../../test/support/record-fixtures.js';
import { DuckDbStore } from '../duckdb/duckdb-store.js';
import type { Store, TreePage } from '../store.js';
import { batchOf } from '../tables.js';
import { rowsOf } from '../trace-timings.js';
import type { ClickHouseStore } from './clickhouse-store.js';

/**
 * The reads no contract test pins down to the row (the waterfall columns, in-trace search, the
 * last spans): the ClickHouse store answers as the DuckDB store does, on the same records.
 */
const engine = chdbStores();
let duck: DuckDbStore;
let click: ClickHouseStore;

/** A trace of many spans: nested calls with events, errors, LLM calls and logs, in two batches. */
function traceSpans(): SpanRecord[] {
  const spans: SpanRecord[] = [
    span({ spanId: sid(1), name: 'agent run', serviceName: 'gateway', startTimeUs: T0, endTimeUs: T0 + 90_000, category: 'agent', sessionId: 'sess-1' }),
  ];
  for (let i = 2; i <= 60; i++) {
    const llm =
      i % 3 === 0
        ? { ...emptyLlm(), requestModel: 'gpt-4o', responseModel: i % 2 === 0 ? 'gpt-4o-0806' : null, inputTokens: i, outputTokens: 2 * i, costUsd: i / 1000 }
        : null;
    spans.push(
      span({
        spanId: sid(i),
        parentSpanId: sid(i <= 10 ? 1 : Math.floor(i / 2)),
        name: i % 4 === 0 ? 'tool "search"' : `step ${i % 5}`,
        serviceName: i % 2 === 0 ? 'worker' : 'gateway',
        startTimeUs: T0 + i * 100,
        endTimeUs: T0 + i * 100 + (i % 7) * 50,
        status: i % 9 === 0 ? { code: 'error', message: `Boom at step ${i}` } : { code: 'unset', message: '' },
        attributes: { 'http.route': `/r/${i}`, note: i % 11 === 0 ? 'Needle\t"quoted" C:\\path' : 'hay', n: i, ...(i === 7 ? { list: [1, 'a"b'] } : {}) },
        events:
          i % 6 === 0
            ? [{ timeUs: T0 + i * 100 + 5, name: 'exception', attributes: { 'exception.message': 'needle in events' }, droppedAttributesCount: 0 }]
            : [],
        category: llm !== null ? 'llm' : i % 4 === 0 ? 'tool' : 'other',
        llm,
      }),
    );
  }
  return spans;
}

beforeAll(async () => {
  duck = await DuckDbStore.open({ path: ':memory:' });
  click = await engine.open();
  const spans = traceSpans();
  const logs = [
    log({ logId: 'l1', traceId: tid(1), spanId: sid(9), timeUs: T0 + 950, body: { msg: 'x', n: 1 } }),
    log({ logId: 'l2', traceId: tid(1), spanId: sid(1), timeUs: T0 + 5 }),
  ];
  const batches = [
    { spans: spans.slice(0, 30), logs, metricPoints: [] },
    {
      spans: [
        ...spans.slice(30),
        span({ traceId: tid(2), spanId: sid(1), startTimeUs: T0 + 10_000, endTimeUs: T0 + 10_100 }),
        span({ projectId: 'p2', traceId: tid(3), spanId: sid(1) }),
      ],
      logs: [],
      metricPoints: [
        point({ name: 'latency', type: 'histogram', count: 3, sum: 2, bucketCounts: [1, 2], explicitBounds: [1], timeUs: T0 + 1 }),
        point({ name: 'latency', type: 'histogram', count: 1, sum: 1, bucketCounts: [], explicitBounds: [], timeUs: T0 + 2, serviceName: 'worker' }),
        point({ name: 'queue', value: 4, timeUs: T0 + 1, attributes: { q: 'b' } }),
        point({ name: 'queue', value: 5, timeUs: T0 + 1, attributes: { q: 'a' } }),
      ],
    },
  ];
  for (const store of [duck, click] as Store[]) for (const batch of batches) await store.writer.write(batchOf(batch), null);
});

afterAll(async () => {
  await duck.close();
  await click.close();
  await engine.cleanup();
}, CHDB_CLEANUP_MS);

/** The waterfall's spans of a page as rows, in span id order (neither store promises an order within a page). */
function treeRows({ columns: c }: TreePage) {
  const rows = c.spanIds.map((spanId, i) => ({
    spanId,
    parent: c.parentSpanIds[i],
    name: c.names[i],
    service: c.services[i],
    start: c.startsUs[i],
    duration: c.durationsUs[i],
    status: c.statusCodes[i],
    category: c.categories[i],
    input: c.inputTokens[i],
    output: c.outputTokens[i],
    cost: c.costUsd[i],
    model: c.models[i],
    events: c.events.filter(([at]) => at === i).map(([, t, name]) => [t, name]),
  }));
  return rows.sort((a, b) => a.spanId.localeCompare(b.spanId));
}

describe('ClickHouse trace reads, against the DuckDB store', () => {
  it("answers a trace's waterfall columns and logs alike", async () => {
    const [d, c] = await Promise.all([duck.traces.getTreePage('default', tid(1), null, 1000), click.traces.getTreePage('default', tid(1), null, 1000)]);
    expect(c.columns.spanIds).toHaveLength(60);
    expect(treeRows(c)).toEqual(treeRows(d));
    expect({ sessionId: c.sessionId, last: c.last }).toEqual({ sessionId: d.sessionId, last: d.last });
    expect(await click.traces.getTraceLogs('default', tid(1))).toEqual(await duck.traces.getTraceLogs('default', tid(1)));
    expect((await click.traces.getTreePage('default', tid(9), null, 1000)).last).toBeNull();
    expect((await click.traces.getTreePage('p2', tid(1), null, 1000)).last).toBeNull();
  });

  it('finds the same spans for a text in attributes, status messages and events', async () => {
    for (const text of ['needle', 'NEEDLE\t"QUOTED" c:\\', 'boom at', 'http.route', '/r/1', '%', 'nothing like it']) {
      expect(await click.traces.searchTrace('default', tid(1), text, 100), text).toEqual(await duck.traces.searchTrace('default', tid(1), text, 100));
    }
    expect(await click.traces.searchTrace('default', tid(1), 'step', 3)).toEqual(await duck.traces.searchTrace('default', tid(1), 'step', 3));
    expect(await click.traces.searchTrace('p2', tid(1), 'needle', 10)).toEqual([]);
  });

  it("answers a trace's spans and timings alike", async () => {
    const bySpan = (a: { spanId: string }, b: { spanId: string }) => a.spanId.localeCompare(b.spanId);
    const [d, c] = await Promise.all([duck.traces.getTrace('default', tid(1)), click.traces.getTrace('default', tid(1))]);
    expect(c!.spans.sort(bySpan)).toEqual(d!.spans.sort(bySpan));
    expect(c!.logs).toEqual(d!.logs);
    const [dt, ct] = await Promise.all([duck.traces.getTraceTimings('default', tid(1)), click.traces.getTraceTimings('default', tid(1))]);
    expect(rowsOf(ct!).sort(bySpan)).toEqual(rowsOf(dt!).sort(bySpan));
    expect(ct!.labelCount).toBe(dt!.labelCount);
  });

  it('lists the same traces for attribute values that JSON escapes, and for lists and numbers', async () => {
    const ids = async (store: Store, key: string, value: string) =>
      (await store.traces.listTraces({ ...query(), attributes: [{ key, value }] }, null, 10)).map((t) => t.traceId);
    for (const [key, value] of [
      ['note', 'Needle\t"quoted" C:\\path'],
      ['note', 'hay'],
      ['n', '11'],
      ['list', '[1,"a\\"b"]'],
      ['list', '[1,"a"]'],
      ['note', 'nothing'],
      ['n', ''],
    ]) {
      const found = await ids(click, key!, value!);
      expect(found, `${key}=${value}`).toEqual(await ids(duck, key!, value!));
      if (value !== 'nothing' && value !== '' && value !== '[1,"a"]') expect(found, `${key}=${value}`).toEqual([tid(1)]);
    }
  });

  it('answers logs, metric points and services alike', async () => {
    expect(await click.logs.listLogs(logQuery(), null, 10)).toEqual(await duck.logs.listLogs(logQuery(), null, 10));
    const q = { projectId: 'default', range: ALL, service: null, limit: 10, cursor: null };
    for (const name of ['latency', 'queue']) {
      expect(await click.metrics.listMetricPoints({ ...q, name }, 0, 10)).toEqual(await duck.metrics.listMetricPoints({ ...q, name }, 0, 10));
      expect(await click.metrics.listMetricPoints({ ...q, name }, 1, 1)).toEqual(await duck.metrics.listMetricPoints({ ...q, name }, 1, 1));
    }
    const byTime = (a: { timeUs: number; value: number | null }, b: { timeUs: number; value: number | null }) =>
      a.timeUs - b.timeUs || (a.value ?? 0) - (b.value ?? 0);
    expect((await click.metrics.readMetricPoints('default', ['latency', 'queue'], ALL, null)).sort(byTime)).toEqual(
      (await duck.metrics.readMetricPoints('default', ['latency', 'queue'], ALL, null)).sort(byTime),
    );
    expect(await click.metrics.readMetricPoints('default', ['latency'], ALL, 'worker')).toEqual(
      await duck.metrics.readMetricPoints('default', ['latency'], ALL, 'worker'),
    );
    expect(await click.metrics.listMetrics('default', ALL)).toEqual(await duck.metrics.listMetrics('default', ALL));
    expect(await click.traces.listServices('default', ALL)).toEqual(await duck.traces.listServices('default', ALL));
  });

  it('names the same last spans of each project', async () => {
    const key = (s: { projectId: string; traceId: string; spanId: string }) => `${s.projectId}/${s.traceId}/${s.spanId}`;
    const [d, c] = await Promise.all([duck.traces.recentSpanIds(1000), click.traces.recentSpanIds(1000)]);
    expect(c.map(key).sort()).toEqual(d.map(key).sort());
    // The newest first: trace 2's span started last.
    expect((await click.traces.recentSpanIds(1)).map(key).sort()).toEqual([`default/${tid(2)}/${sid(1)}`, `p2/${tid(3)}/${sid(1)}`]);
  });
});
