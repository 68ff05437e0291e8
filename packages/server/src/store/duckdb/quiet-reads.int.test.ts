import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlertSeriesQuery } from '../store.js';
import { batchOf } from '../tables.js';
import { emptyLlm, sid, span, spanFilter, tid } from '../../../test/support/record-fixtures.js';
import { DuckDbSql } from './dialect.js';
import { DuckDbStore } from './duckdb-store.js';
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * What a store that never sampled, or holds few spans, reads more cheaply, and that it reads the
 * same: the facts views without `span_stats` until the first move, and alert windows read whole
 * until they hold enough spans for slices to pay. And what a trace's detail reads no spans for:
 * its size, from its parts.
 */

let dir = '';
afterEach(async () => {
  vi.restoreAllMocks();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
  dir = '';
});

async function open(options: { alertSlicesFromSpans?: number } = {}): Promise<DuckDbStore> {
  if (dir === '') dir = await mkdtemp(join(tmpdir(), 'spoor-quiet-reads-'));
  return DuckDbStore.open({ path: join(dir, 'spoor.duckdb'), ...options });
}

/** Every statement the store's reads run, as text. */
function statements(): string[] {
  const seen: string[] = [];
  const rows = DuckDbSql.prototype.rows;
  vi.spyOn(DuckDbSql.prototype, 'rows').mockImplementation(function (this: DuckDbSql, ...args: Parameters<typeof rows>) {
    seen.push(args[1]);
    return rows.apply(this, args) as ReturnType<typeof rows>;
  });
  return seen;
}

describe('DuckDB reads of a store that never sampled, or holds few spans', () => {
  it('counts sampled-out spans in statistics after the first move and after the store is opened again', async () => {
    let store = await open();
    const llm = { ...emptyLlm(), requestModel: 'gpt-4o', inputTokens: 10, outputTokens: 2, totalTokens: 12 };
    const trace = (n: number) => [
      span({ traceId: tid(n), spanId: sid(n * 10), name: 'run', category: 'workflow' }),
      span({ traceId: tid(n), spanId: sid(n * 10 + 1), parentSpanId: sid(n * 10), name: 'chat', category: 'llm', llm }),
    ];
    await store.writer.write(batchOf({ spans: [...trace(1), ...trace(2)], logs: [], metricPoints: [] }), null);
    const stats = async (s: DuckDbStore) => s.analytics.spanStats({ filter: spanFilter(), groupBy: { column: 'name' }, limit: 10 });
    const before = await stats(store);
    expect(before.map((g) => [g.key, g.count])).toEqual([
      ['chat', 2],
      ['run', 2],
    ]);
    await store.sampling.slim('default', [tid(1)]);
    expect(await stats(store)).toEqual(before);
    await store.close();
    store = await open();
    try {
      expect(await stats(store)).toEqual(before);
      // Moved spans no longer in `spans`: the view read `span_stats` too.
      expect((await store.traces.getTrace('default', tid(1)))?.spans.length ?? 0).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('reads an alert window whole until it holds the spans slices pay for, then by slices, with the same values', async () => {
    const store = await open({ alertSlicesFromSpans: 1_000 });
    try {
      const nowUs = Date.now() * 1000;
      let n = 0;
      const write = async (count: number) => {
        const spans = [];
        for (let i = 0; i < count; i++, n++) spans.push(span({ traceId: tid(n), spanId: sid(n), startTimeUs: nowUs - 60e6 - n, endTimeUs: nowUs - 30e6 - n }));
        await store.writer.write(batchOf({ spans, logs: [], metricPoints: [] }), null);
      };
      const window: Omit<AlertSeriesQuery, 'buckets'> = {
        projectId: 'default',
        source: 'spans',
        fn: 'count',
        matchers: [],
        by: [],
        stepUs: 300e6,
        startUs: nowUs - 300e6,
      };
      const read = async () => (await store.alertSeries.read({ ...window, buckets: 1 })).map((r) => r.value);
      // The same window as the second of two buckets: a statement of its own, never sliced.
      const direct = async () =>
        (await store.alertSeries.read({ ...window, startUs: window.startUs - window.stepUs, buckets: 2 })).filter((r) => r.bucket === 1).map((r) => r.value);
      const seen = statements();
      await write(600);
      expect(await read()).toEqual([600]);
      expect(seen.filter((sql) => sql.includes('AS range0'))).toEqual([]);
      await write(600);
      expect(await read()).toEqual([1_200]);
      expect(seen.filter((sql) => sql.includes('AS range0')).length).toBe(1);
      expect(await direct()).toEqual([1_200]);
      // Kept by slices from then on, as more spans arrive.
      await write(300);
      expect(await read()).toEqual([1_500]);
      expect(await direct()).toEqual([1_500]);
      expect(seen.filter((sql) => sql.includes('AS range0')).length).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('reads no trace parts for the cost per workflow of a window without a root (a quiet hour)', async () => {
    const store = await open();
    try {
      const nowUs = Date.now() * 1000;
      // A workflow a day ago: its parts are stored, none of them in the window.
      const root = span({ traceId: tid(1), spanId: sid(1), name: 'plan', startTimeUs: nowUs - 86_400e6, endTimeUs: nowUs - 86_390e6 });
      await store.writer.write(batchOf({ spans: [root], logs: [], metricPoints: [] }), null);
      const seen = statements();
      const query: AlertSeriesQuery = {
        projectId: 'default',
        source: 'spans',
        fn: 'cost_per_workflow',
        matchers: [],
        by: [],
        stepUs: 3_600e6,
        startUs: nowUs - 3_600e6,
        buckets: 1,
      };
      expect(await store.alertSeries.read(query)).toEqual([]);
      // DuckDB sums no rows to NULL, not 0: the roots' count must read as none, not as roots since time 0.
      expect(seen.length).toBe(1);
      expect(seen.filter((sql) => sql.includes('trace_parts'))).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("reads a trace's size from its parts, no statement on spans, and from its spans where a part lacks its bytes", async () => {
    const store = await open();
    try {
      const trace = [
        span({ traceId: tid(1), spanId: sid(1), attributes: { città: 'é 中 😀' } }),
        span({ traceId: tid(1), spanId: sid(2), parentSpanId: sid(1), events: [{ timeUs: 1, name: '中', attributes: {}, droppedAttributesCount: 0 }] }),
      ];
      await store.writer.write(batchOf({ spans: trace.slice(0, 1), logs: [], metricPoints: [] }), null);
      await store.writer.write(batchOf({ spans: trace.slice(1), logs: [], metricPoints: [] }), null);
      const utf8 = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
      const bytes = trace.reduce((n, s) => n + utf8(s.attributes) + utf8(s.events) + utf8(s.links), 0);
      const seen = statements();
      const onSpans = () => seen.filter((sql) => /\bFROM spans\b/.test(sql));
      expect(await store.traces.traceSize('default', tid(1))).toMatchObject({ spans: 2, textBytes: bytes });
      expect(seen.length).toBe(1);
      expect(onSpans()).toEqual([]);
      // A part as one stored before parts kept their bytes: the size is read from the spans.
      const connection = (store as unknown as { connection: DuckDBConnection }).connection;
      await connection.run('UPDATE trace_parts SET text_bytes = NULL WHERE commit_seq = (SELECT min(commit_seq) FROM trace_parts)');
      expect(await store.traces.traceSize('default', tid(1))).toMatchObject({ spans: 2, textBytes: bytes });
      expect(onSpans()).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
