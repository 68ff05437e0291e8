import type { LlmFields, SpanRecord, TraceSummaryRecord } from '@spoor/model';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHDB_CLEANUP_MS, chdbStores } from '../../../test/support/chdb.js';
import { ALL, T0, emptyLlm, query, scoreRecord, sid, span, tid } from '../../../test/support/record-fixtures.js';
import { repriceSpans } from '../reprice.js';
import { LONGEST_COLUMNS, batchOf } from '../tables.js';
import {
  expectBytesAndExactAfterMigration,
  expectExactCountsAfterMigration,
  recordsBeforeBytesAndExact,
  recordsBeforeExactCounts,
} from '../../../test/contract/bytes-and-exact-migration.js';
import { ChClient } from './client.js';
import type { ClickHouseStore } from './clickhouse-store.js';
import { CLICKHOUSE_SCHEMA_VERSION } from './schema.js';
import { insertMerged } from './reprice-parts.js';

/**
 * What the contract suites cannot reach in the ClickHouse store: trace parts of one commit merged
 * by a re-price (and a merge cut short), whole days dropped by retention, the session secret
 * asked for by two servers at once, and databases of older schema versions brought up to date.
 */
const engine = chdbStores();
afterAll(() => engine.cleanup(), CHDB_CLEANUP_MS);

const DAY_US = 86_400_000_000;
let databases = 0;

describe('ClickHouse store: re-pricing, retention and the session secret', () => {
  let database: string;
  let store: ClickHouseStore;
  let ch: ChClient;
  beforeEach(async () => {
    database = `spoor_admin_${process.pid}_${++databases}`;
    store = await engine.open({ database });
    ch = await ChClient.open({ chdbPath: engine.path, database });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await store.close();
    await ch.close();
  });

  /** The store opened again on its database, once that says an older Spoor's `version` of the schema left it. */
  const reopenedAt = async (version: number): Promise<ClickHouseStore> => {
    await ch.command('forget the version', `DELETE FROM ${ch.tables.spoor_meta} WHERE key = 'schema_version'`);
    await ch.insertRows(`record version ${version}`, ch.tables.spoor_meta, [{ key: 'schema_version', value: String(version), version: 1 }]);
    const reopened = await engine.open({ database });
    expect(reopened.foundVersion).toBe(version);
    return reopened;
  };
  const llm = (inputTokens: number, costUsd: number | null): LlmFields => ({
    ...emptyLlm(),
    requestModel: 'acme-1',
    inputTokens,
    outputTokens: 1,
    costUsd,
    costSource: costUsd === null ? null : 'price_table',
  });
  const perToken = (l: LlmFields) => (l.inputTokens ?? 0) / 1000;
  const summary = async (traceId: string): Promise<TraceSummaryRecord | undefined> =>
    (await store.traces.listTraces(query(), null, 100)).find((t) => t.traceId === traceId);
  const partRows = async (traceId: string) =>
    (await ch.rows<{ n: number }>('count parts', `SELECT count() AS n FROM ${ch.tables.trace_parts} WHERE trace_id = {t:String}`, { t: traceId }))[0]!.n;

  /** Trace `n` in two batches appended to one commit: two parts with one batch id. */
  async function twoBatchesOneCommit(n: number, position: number): Promise<void> {
    const spans: SpanRecord[] = [
      span({ traceId: tid(n), spanId: sid(1), name: 'agent', startTimeUs: T0, endTimeUs: T0 + 900, category: 'agent', sessionId: 'sess' }),
      span({
        traceId: tid(n),
        spanId: sid(2),
        parentSpanId: sid(1),
        name: 'call',
        startTimeUs: T0 + 10,
        endTimeUs: T0 + 20,
        category: 'llm',
        llm: llm(1000, null),
      }),
      span({
        traceId: tid(n),
        spanId: sid(3),
        parentSpanId: sid(1),
        name: 'call',
        startTimeUs: T0 + 30,
        endTimeUs: T0 + 2000,
        category: 'llm',
        llm: llm(3000, 0.5),
      }),
    ];
    const key = (p: number) => ({ serverId: 'server-1', position: `1:${p}` });
    await store.writer.append(batchOf({ spans: spans.slice(0, 2), logs: [], metricPoints: [] }), key(position));
    await store.writer.append(batchOf({ spans: spans.slice(2), logs: [], metricPoints: [] }), key(position + 1));
    await store.writer.commit(key(position + 1));
  }

  it('merges the parts of one commit into one when it re-prices them, keeping every total but the cost', async () => {
    await twoBatchesOneCommit(90, 1);
    expect(await partRows(tid(90))).toBe(2);
    const before = (await summary(tid(90)))!;
    expect(before).toMatchObject({ spanCount: 3, costUsd: 0.5, unpricedCalls: 1, inputTokens: 4000, rootName: 'agent', sessionId: 'sess' });
    const size = await store.traces.traceSize('default', tid(90));

    expect(await repriceSpans(store.prices, 'default', ALL, perToken)).toEqual({ spans: 2, traces: 1 });
    expect(await partRows(tid(90))).toBe(1);
    // The merged part's text bytes are its parts' together: the trace's size reads as before, from the part.
    const merged = await ch.rows<{ b: number | null }>('read the text bytes', `SELECT text_bytes AS b FROM ${ch.tables.trace_parts}`);
    expect(merged).toEqual([{ b: size.textBytes }]);
    expect(await store.traces.traceSize('default', tid(90))).toEqual(size);
    const after = (await summary(tid(90)))!;
    expect(after.costUsd).toBeCloseTo(4, 12);
    expect(after.unpricedCalls).toBe(0);
    expect({ ...after, costUsd: null, unpricedCalls: 0 }).toEqual({ ...before, costUsd: null, unpricedCalls: 0 });
    expect(await repriceSpans(store.prices, 'default', ALL, perToken)).toEqual({ spans: 0, traces: 0 });
  });

  it('finishes a merge cut short between its insert and its delete at the next re-price', async () => {
    await twoBatchesOneCommit(91, 1);
    const batch = (await ch.rows<{ b: string }>('read the batch', `SELECT DISTINCT toString(batch_id) AS b FROM ${ch.tables.trace_parts}`))[0]!.b;
    // The merged row is in, the two parts it replaces are not deleted: the trace counts twice.
    await insertMerged(ch, 'default', [{ key: `${tid(91)}/${batch}`, n: 3, changed: 2, cost: '4.5', unpriced: 0 }]);
    expect(await summary(tid(91))).toMatchObject({ spanCount: 6 });

    expect(await repriceSpans(store.prices, 'default', ALL, perToken)).toEqual({ spans: 2, traces: 1 });
    expect(await partRows(tid(91))).toBe(1);
    const after = (await summary(tid(91)))!;
    expect(after).toMatchObject({ spanCount: 3, inputTokens: 4000, startTimeUs: T0, endTimeUs: T0 + 2000 });
    expect(after.costUsd).toBeCloseTo(4, 12);
    expect(after.unpricedCalls).toBe(0);
  });

  it('drops the whole days before the cutoff and deletes the rest, counting each record once', async () => {
    const at = [T0 - 2 * DAY_US, T0 - DAY_US, T0 - 3_600_000_000, T0];
    await store.writer.write(
      batchOf({ spans: at.map((t, i) => span({ traceId: tid(100 + i), startTimeUs: t, endTimeUs: t + 10 })), logs: [], metricPoints: [] }),
      null,
    );
    const days = async () =>
      (await ch.rows<{ d: string }>('list days', `SELECT DISTINCT _partition_id AS d FROM ${ch.tables.spans} ORDER BY d`)).map((r) => r.d);
    expect(await days()).toEqual(['20251119', '20251120', '20251121']);

    expect(await store.retention.deleteOlderThan('spans', T0 - 1)).toBe(3);
    expect(await days()).toEqual(['20251121']);
    expect(await store.retention.deleteOlderThan('traceParts', T0 - 1)).toBe(3);
    expect((await store.traces.getTrace('default', tid(103)))?.spans).toHaveLength(1);
    expect(await store.traces.getTrace('default', tid(102))).toBeNull();
    expect(await store.retention.deleteOlderThan('spans', T0 - 1)).toBe(0);
  });

  it('sets a retention TTL without rewriting the parts already stored (a big store took longer than a start may)', async () => {
    await store.writer.write(batchOf({ spans: [span({ traceId: tid(110), startTimeUs: T0, endTimeUs: T0 + 10 })], logs: [], metricPoints: [] }), null);
    const retained = await engine.open({ database, retention: { tracesSeconds: 86_400, logsSeconds: 86_400, metricsSeconds: 86_400 } });
    try {
      const ttl = await ch.rows<{ t: string }>(
        'read the TTL',
        `SELECT create_table_query AS t FROM system.tables WHERE database = '${database}' AND name = 'spans'`,
      );
      expect(ttl[0]?.t).toContain('TTL toDateTime(intDiv(start_us, 1000000)');
      const mutations = await ch.rows<{ command: string }>('list mutations', `SELECT command FROM system.mutations WHERE database = '${database}'`);
      expect(mutations.map((m) => m.command)).toEqual([]);
    } finally {
      await retained.close();
    }
  });

  it('gives two servers asking at once the same session secret', async () => {
    const other = await engine.open({ database });
    try {
      const [a, b] = await Promise.all([store.access.sessionSecret(), other.access.sessionSecret()]);
      expect(a).toBe(b);
      expect(await other.access.sessionSecret()).toBe(a);
    } finally {
      await other.close();
    }
  });

  it('brings a version 1 database up to date: spans stored before the cache_hit column count in the realtime numbers', async () => {
    const cached = (n: number, hit: boolean) =>
      span({ traceId: tid(n), spanId: sid(n), startTimeUs: T0, endTimeUs: T0 + 10, attributes: { 'cache.hit': hit } });
    // What Spoor 1 left: spans without the column, and version 1 recorded.
    await ch.command('drop the column', `ALTER TABLE ${ch.tables.spans} DROP COLUMN cache_hit`);
    const position = { serverId: 'server-1', position: '1:1' };
    await store.writer.append(batchOf({ spans: [cached(1, true), cached(2, false), cached(3, true)], logs: [], metricPoints: [] }), position);
    await store.writer.commit(position);
    const reopened = await reopenedAt(1);
    try {
      expect(await reopened.analytics.realtime('default', null, T0 + 20)).toMatchObject({ cacheHits: 2, cacheMisses: 1 });
      const again = await engine.open({ database });
      expect(again.foundVersion).toBe(CLICKHOUSE_SCHEMA_VERSION);
      await again.close();
    } finally {
      await reopened.close();
    }
  });

  it('brings a version 2 database up to date: its logs and points read as before, new ones keep bytes bodies and exact integers', async () => {
    const big = '9223372036854775807';
    await store.writer.write(recordsBeforeBytesAndExact(), null);
    // What Spoor 2 left: neither column, and version 2 recorded.
    await ch.command('drop a column', `ALTER TABLE ${ch.tables.logs} DROP COLUMN body_bytes`);
    await ch.command('drop a column', `ALTER TABLE ${ch.tables.metric_points} DROP COLUMN int_value`);
    await ch.command('drop a column', `ALTER TABLE ${ch.tables.metric_points} DROP COLUMN exact_counts`);
    const reopened = await reopenedAt(2);
    try {
      await expectBytesAndExactAfterMigration(reopened, big);
    } finally {
      await reopened.close();
    }
  });

  it("brings a version 12 database up to date: new parts keep their spans' text bytes, and a trace with a part stored before is sized by its spans", async () => {
    const part = (traceId: string, n: number) =>
      span({ traceId, spanId: sid(n), startTimeUs: T0 + n, endTimeUs: T0 + n + 5, attributes: { città: `é 中 😀 ${n}` } });
    const utf8 = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
    const bytesOf = (spans: SpanRecord[]) => spans.reduce((n, s) => n + utf8(s.attributes) + utf8(s.events) + utf8(s.links), 0);
    await store.writer.write(batchOf({ spans: [part(tid(1), 1)], logs: [], metricPoints: [] }), null);
    // What Spoor 12 left: no text_bytes, and version 12 recorded.
    await ch.command('drop a column', `ALTER TABLE ${ch.tables.trace_parts} DROP COLUMN text_bytes`);
    const reopened = await reopenedAt(12);
    try {
      await reopened.writer.write(batchOf({ spans: [part(tid(1), 2), part(tid(2), 3)], logs: [], metricPoints: [] }), null);
      // Every statement sent, to tell which read spans.
      const seen: string[] = [];
      const rows = ChClient.prototype.rows;
      vi.spyOn(ChClient.prototype, 'rows').mockImplementation(function (this: ChClient, ...args: Parameters<typeof rows>) {
        seen.push(args[1]);
        return rows.apply(this, args) as ReturnType<typeof rows>;
      });
      const onSpans = () => seen.filter((sql) => sql.includes(`FROM ${ch.tables.spans}`)).length;
      expect(await reopened.traces.traceSize('default', tid(2))).toMatchObject({ spans: 1, textBytes: bytesOf([part(tid(2), 3)]) });
      expect(onSpans()).toBe(0);
      expect(await reopened.traces.traceSize('default', tid(1))).toMatchObject({ spans: 2, textBytes: bytesOf([part(tid(1), 1), part(tid(1), 2)]) });
      expect(onSpans()).toBe(1);
      const stored = await ch.rows<{ trace_id: string; b: number | null }>(
        'read the text bytes',
        `SELECT trace_id, text_bytes AS b FROM ${ch.tables.trace_parts} ORDER BY trace_id, start_us`,
      );
      expect(stored).toEqual([
        { trace_id: tid(1), b: null },
        { trace_id: tid(1), b: bytesOf([part(tid(1), 2)]) },
        { trace_id: tid(2), b: bytesOf([part(tid(2), 3)]) },
      ]);
    } finally {
      await reopened.close();
    }
  });

  it("brings a version 11 database up to date: parts stored before get their ids' keys as the writer works them out", async () => {
    // Ids as the writer may meet them: hex of either case, and ids that do not end in 8 hex digits (keyed 0).
    const ids = [tid(1), '0123456789abcdef0123456789ABCDEF', 'ffffffff', '1234567', 'not-hex-at-all', '12_45678', 'x-00000000'];
    const spans = (offset: number) => ids.map((traceId, i) => span({ traceId, spanId: sid(i + offset), startTimeUs: T0 + i, endTimeUs: T0 + i + 5 }));
    await store.writer.write(batchOf({ spans: spans(1), logs: [], metricPoints: [] }), null);
    // What Spoor 11 left: no trace_key, and version 11 recorded.
    await ch.command('drop a column', `ALTER TABLE ${ch.tables.trace_parts} DROP COLUMN trace_key`);
    const reopened = await reopenedAt(11);
    try {
      await reopened.writer.write(batchOf({ spans: spans(10), logs: [], metricPoints: [] }), null);
      // The list finds both parts of each trace by its id and key: the page asks for them by id.
      const listed = await reopened.traces.listTraces(query(), null, 100);
      expect(listed.map((t) => [t.traceId, t.spanCount]).sort()).toEqual(ids.map((id) => [id, 2]).sort());
      const keys = await ch.rows<{ trace_id: string; key: number }>(
        'read the keys',
        `SELECT trace_id, toString(trace_key) AS key FROM ${ch.tables.trace_parts} ORDER BY trace_id, key`,
      );
      expect(keys.map((r) => [r.trace_id, String(r.key)])).toEqual(
        [...ids].sort().flatMap((id) => {
          const key = /[0-9a-fA-F]{8}$/.test(id) ? String(Number.parseInt(id.slice(-8), 16)) : '0';
          return [
            [id, key],
            [id, key],
          ];
        }),
      );
    } finally {
      await reopened.close();
    }
  });

  it('brings a version 9 database up to date: its points read as before, new ones keep counts past 2^53 exactly', async () => {
    await store.writer.write(recordsBeforeExactCounts(), null);
    // What Spoor 9 left: no exact_counts, and version 9 recorded.
    await ch.command('drop a column', `ALTER TABLE ${ch.tables.metric_points} DROP COLUMN exact_counts`);
    const reopened = await reopenedAt(9);
    try {
      await expectExactCountsAfterMigration(reopened);
    } finally {
      await reopened.close();
    }
  });

  it("brings a version 6 database up to date: a sampled-out LLM call's response id moves with it, and its score still finds it", async () => {
    // What Spoor 6 left: span_stats without the column or its index, and version 6 recorded.
    await ch.command('drop the index', `ALTER TABLE ${ch.tables.span_stats} DROP INDEX response_idx`);
    await ch.command('drop the column', `ALTER TABLE ${ch.tables.span_stats} DROP COLUMN response_id`);
    const reopened = await reopenedAt(6);
    try {
      const call = span({
        traceId: tid(1),
        spanId: sid(2),
        startTimeUs: T0,
        endTimeUs: T0 + 10,
        attributes: { 'gen_ai.response.id': 'resp-1' },
        llm: llm(10, 0.01),
      });
      const position = { serverId: 'server-1', position: '1:1' };
      await reopened.writer.append(
        batchOf({ spans: [span({ traceId: tid(1), spanId: sid(1), startTimeUs: T0, endTimeUs: T0 + 20 }), call], logs: [], metricPoints: [] }),
        position,
      );
      await reopened.writer.commit(position);
      await reopened.scores.addScores([scoreRecord({ traceId: null, spanId: null, responseId: 'resp-1' })], T0);
      await reopened.sampling.slim('default', [tid(1)]);
      expect(await ch.rows('the moved response ids', `SELECT response_id, span_id FROM ${ch.tables.span_stats} WHERE response_id <> ''`)).toEqual([
        { response_id: 'resp-1', span_id: sid(2) },
      ]);
      expect(await ch.rows('the response ids left', `SELECT response_id FROM ${ch.tables.llm_responses}`)).toEqual([]);
      expect((await reopened.scores.scoresOfTraces('default', [tid(1)])).map((s) => [s.responseId, s.traceId, s.spanId])).toEqual([['resp-1', tid(1), sid(2)]]);
    } finally {
      await reopened.close();
    }
  });

  it("brings a version 7 database up to date: random ids of trace summaries, response ids and logs, and sampled-out spans' counts and amounts are stored with ZSTD", async () => {
    const ids = [
      ['trace_parts', 'trace_id'],
      ['llm_responses', 'response_id'],
      ['logs', 'trace_id'],
      ['logs', 'span_id'],
      ['span_stats', 'input_tokens'],
      ['span_stats', 'cost_usd'],
      ['span_stats', 'session_id'],
    ] as const;
    const codecs = async () =>
      (
        await ch.rows<{ table: string; name: string; compression_codec: string }>(
          'codecs',
          `SELECT table, name, compression_codec FROM system.columns WHERE database = '${database}' AND (table, name) IN (${ids.map(([t, c]) => `('${t}', '${c}')`).join(', ')}) ORDER BY table, name`,
        )
      ).map((c) => `${c.table}.${c.name} ${c.compression_codec}`);
    const zstd = [
      'llm_responses.response_id',
      'logs.span_id',
      'logs.trace_id',
      'span_stats.cost_usd',
      'span_stats.input_tokens',
      'span_stats.session_id',
      'trace_parts.trace_id',
    ].map((c) => `${c} CODEC(ZSTD(1))`);
    expect(await codecs()).toEqual(zstd);
    // What Spoor 7 left: those ids with the default codec (LZ4), a trace stored, and version 7 recorded.
    await store.writer.write(
      batchOf({ spans: [span({ traceId: tid(1), spanId: sid(1), startTimeUs: T0, endTimeUs: T0 + 10 })], logs: [], metricPoints: [] }),
      null,
    );
    for (const [table, column] of ids) await ch.command('forget the codec', `ALTER TABLE ${ch.tables[table]} MODIFY COLUMN ${column} REMOVE CODEC`);
    expect(await codecs()).toEqual(zstd.map((c) => `${c.split(' ')[0]} `));
    const reopened = await reopenedAt(7);
    try {
      expect(await codecs()).toEqual(zstd);
      expect((await reopened.traces.listTraces(query(), null, 10)).map((t) => t.traceId)).toEqual([tid(1)]);
    } finally {
      await reopened.close();
    }
  });

  it("brings a version 8 database up to date: trace parts stored before read each category's longest span from their spans, new and merged parts keep it", async () => {
    const trace = (n: number, llmUs: number) => [
      span({ traceId: tid(n), spanId: sid(1), category: 'workflow', startTimeUs: T0, endTimeUs: T0 + 100 }),
      span({ traceId: tid(n), spanId: sid(2), parentSpanId: sid(1), category: 'llm', startTimeUs: T0 + 10, endTimeUs: T0 + 10 + llmUs }),
    ];
    // What Spoor 8 left: a trace stored, trace_parts without the columns, and version 8 recorded.
    await store.writer.write(batchOf({ spans: trace(1, 30), logs: [], metricPoints: [] }), null);
    for (const column of LONGEST_COLUMNS) await ch.command('drop a column', `ALTER TABLE ${ch.tables.trace_parts} DROP COLUMN ${column}`);
    const reopened = await reopenedAt(8);
    try {
      await reopened.writer.write(batchOf({ spans: trace(2, 70), logs: [], metricPoints: [] }), null);
      const facts = (await reopened.sampling.facts('default', [tid(1), tid(2)])).sort((x, y) => (x.traceId < y.traceId ? -1 : 1));
      expect(facts.map((f) => [f.traceId, f.longestUs])).toEqual([
        [tid(1), [100, 0, 0, 30, 0, 0, 0, 0]],
        [tid(2), [100, 0, 0, 70, 0, 0, 0, 0]],
      ]);
      const stored = `SELECT trace_id, longest_workflow_us AS w, longest_llm_us AS l FROM ${ch.tables.trace_parts} ORDER BY trace_id`;
      expect(await ch.rows('the longest spans stored', stored)).toEqual([
        { trace_id: tid(1), w: null, l: null },
        { trace_id: tid(2), w: 100, l: 70 },
      ]);
    } finally {
      await reopened.close();
    }
  });

  it("merges the longest spans of a commit's parts when it re-prices them, and none where a part stored before had none", async () => {
    await twoBatchesOneCommit(92, 1);
    await twoBatchesOneCommit(93, 3);
    // Trace 93's first part as an older Spoor stored it.
    await ch.command(
      "forget a part's longest spans",
      `ALTER TABLE ${ch.tables.trace_parts} UPDATE ${LONGEST_COLUMNS.map((c) => `${c} = NULL`).join(', ')}
      WHERE trace_id = '${tid(93)}' AND span_count = 2 SETTINGS mutations_sync = 1`,
    );
    expect(await repriceSpans(store.prices, 'default', ALL, perToken)).toEqual({ spans: 4, traces: 2 });
    const stored = `SELECT trace_id, longest_agent_us AS a, longest_llm_us AS l FROM ${ch.tables.trace_parts} ORDER BY trace_id`;
    expect(await ch.rows('the merged parts', stored)).toEqual([
      { trace_id: tid(92), a: 900, l: 1970 },
      { trace_id: tid(93), a: null, l: null },
    ]);
  });
});
