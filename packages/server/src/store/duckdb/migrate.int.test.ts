import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALL, T0, emptyLlm, query, resource, scoreRecord, sid, span, spanFilter, tid } from '../../../test/support/record-fixtures.js';
import { repriceSpans } from '../reprice.js';
import { batchOf } from '../tables.js';
import {
  expectBytesAndExactAfterMigration,
  expectExactCountsAfterMigration,
  recordsBeforeBytesAndExact,
  recordsBeforeExactCounts,
} from '../../../test/contract/bytes-and-exact-migration.js';
import { DuckDbStore } from './duckdb-store.js';
import { SCHEMA_VERSION } from './schema.js';
import { valuesOf } from '../../../test/support/fake-score-stats.js';

/** A file written by the Spoor before a migration, made by undoing the migration on a new file. */

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-migrate-'));
  path = join(dir, 'spoor.duckdb');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `sql` on the file directly, as the older Spoor's schema would have it. */
async function onFile(sql: string): Promise<string[][]> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    const result = await connection.runAndReadAll(sql);
    return result.getRows().map((row) => row.map(String));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** What makes a file written now one of before version 11: no commit numbers. */
const NO_COMMIT_SEQ =
  'ALTER TABLE spans DROP COLUMN commit_seq; ALTER TABLE trace_parts DROP COLUMN commit_seq; ALTER TABLE spool_positions DROP COLUMN commit_seq; ';

/** What makes a file written now's trace parts those of before version 22: no trace keys (nor the text bytes of 23). */
const NO_TRACE_KEYS =
  'CREATE TABLE parts_21 AS SELECT * EXCLUDE (trace_key, text_bytes) FROM trace_parts; DROP TABLE trace_parts; ALTER TABLE parts_21 RENAME TO trace_parts; ';

/** What makes a file written now's trace parts those of before version 23: no text bytes. */
const NO_TEXT_BYTES =
  'CREATE TABLE parts_22 AS SELECT * EXCLUDE (text_bytes) FROM trace_parts; DROP TABLE trace_parts; ALTER TABLE parts_22 RENAME TO trace_parts; ';

describe('DuckDB schema migrations', () => {
  it('from version 4: fills trace_parts.root_failed from the stored root spans, so old sessions keep their failed runs', async () => {
    const session = { category: 'workflow', sessionId: 's-1' } as const;
    const store = await DuckDbStore.open({ path });
    await store.writer.write(
      batchOf({
        spans: [
          // Run 1: the root failed. Run 2: only a child failed. Run 3: its root never arrived.
          span({ traceId: tid(1), spanId: sid(1), startTimeUs: T0, endTimeUs: T0 + 10, status: { code: 'error', message: 'x' }, ...session }),
          span({ traceId: tid(2), spanId: sid(1), startTimeUs: T0 + 20, endTimeUs: T0 + 30, ...session }),
          span({ traceId: tid(2), spanId: sid(2), parentSpanId: sid(1), startTimeUs: T0 + 21, endTimeUs: T0 + 29, status: { code: 'error', message: 'y' } }),
          span({
            traceId: tid(3),
            spanId: sid(2),
            parentSpanId: sid(1),
            startTimeUs: T0 + 40,
            endTimeUs: T0 + 50,
            status: { code: 'error', message: 'z' },
            ...session,
          }),
        ],
        logs: [],
        metricPoints: [],
      }),
      null,
    );
    await store.close();
    // A file of version 4 had none of the columns added since.
    await onFile(
      `${NO_COMMIT_SEQ}ALTER TABLE trace_parts DROP COLUMN root_failed; ALTER TABLE trace_parts DROP COLUMN session_id; ALTER TABLE trace_parts DROP COLUMN user_id; UPDATE spoor_meta SET value = '4' WHERE key = 'schema_version'`,
    );

    const migrated = await DuckDbStore.open({ path });
    try {
      const runs = await migrated.analytics.listSessionRuns('default', 's-1', ALL);
      expect(runs.map((r) => [r.traceId, r.failed])).toEqual([
        [tid(3), true],
        [tid(2), false],
        [tid(1), true],
      ]);
    } finally {
      await migrated.close();
    }
    expect(await onFile(`SELECT value FROM spoor_meta WHERE key = 'schema_version'`)).toEqual([[String(SCHEMA_VERSION)]]);
    expect(await onFile(`SELECT trace_id, root_failed FROM trace_parts ORDER BY trace_id`)).toEqual([
      [tid(1), 'true'],
      [tid(2), 'false'],
      [tid(3), 'null'],
    ]);
  });

  it('from version 6: trace summaries get the session and user their spans name, and new parts keep them', async () => {
    const store = await DuckDbStore.open({ path });
    await store.writer.write(batchOf({ spans: [span({ sessionId: 'conv-1', userId: 'ana' }), span({ traceId: tid(2) })], logs: [], metricPoints: [] }), null);
    await store.close();
    // A file of version 6 had no commit numbers either (version 10 added them, last).
    await onFile(
      `${NO_COMMIT_SEQ}ALTER TABLE trace_parts DROP COLUMN session_id; ALTER TABLE trace_parts DROP COLUMN user_id; UPDATE spoor_meta SET value = '6' WHERE key = 'schema_version'`,
    );

    const migrated = await DuckDbStore.open({ path });
    try {
      await migrated.writer.write(batchOf({ spans: [span({ traceId: tid(3), sessionId: 'conv-2' })], logs: [], metricPoints: [] }), null);
      const traces = await migrated.traces.listTraces(query(), null, 10);
      expect(traces.map((t) => [t.traceId, t.sessionId, t.userId]).sort()).toEqual([
        [tid(1), 'conv-1', 'ana'],
        [tid(2), null, null],
        [tid(3), 'conv-2', null],
      ]);
    } finally {
      await migrated.close();
    }
  });

  it('from version 10: rows stored before come before every live cursor; new commits are numbered and read after it', async () => {
    const store = await DuckDbStore.open({ path });
    await store.writer.write(batchOf({ spans: [span({ spanId: sid(1) })], logs: [], metricPoints: [] }), null);
    await store.close();
    await onFile(`${NO_COMMIT_SEQ}UPDATE spoor_meta SET value = '10' WHERE key = 'schema_version'`);

    const migrated = await DuckDbStore.open({ path });
    try {
      expect(await migrated.live.head()).toEqual([]);
      await migrated.writer.write(batchOf({ spans: [span({ spanId: sid(2) })], logs: [], metricPoints: [] }), { serverId: 'server-1', position: '1:1' });
      const head = await migrated.live.head();
      expect((await migrated.live.spansAfter('default', [tid(1)], [], head)).map((row) => row.span.spanId)).toEqual([sid(2)]);
    } finally {
      await migrated.close();
    }
    // Reopened, transactions are numbered on past the last: a cursor kept across a restart stays true.
    const reopened = await DuckDbStore.open({ path });
    try {
      const before = await reopened.live.head();
      expect(before).not.toEqual([]);
      await reopened.writer.write(batchOf({ spans: [span({ spanId: sid(3) })], logs: [], metricPoints: [] }), { serverId: 'server-1', position: '1:2' });
      expect((await reopened.live.spansAfter('default', [tid(1)], before, await reopened.live.head())).map((row) => row.span.spanId)).toEqual([sid(3)]);
    } finally {
      await reopened.close();
    }
  });

  it('from version 7: logs and points stored before read as they did, new ones keep bytes bodies and exact integers', async () => {
    const big = '-9223372036854775808';
    const store = await DuckDbStore.open({ path });
    await store.writer.write(recordsBeforeBytesAndExact(), null);
    await store.close();
    // Version 7 had neither int_value nor the exact_counts after it.
    await onFile(
      `ALTER TABLE logs DROP COLUMN body_bytes; ALTER TABLE metric_points DROP COLUMN exact_counts; ALTER TABLE metric_points DROP COLUMN int_value; UPDATE spoor_meta SET value = '7' WHERE key = 'schema_version'`,
    );

    const migrated = await DuckDbStore.open({ path });
    try {
      await expectBytesAndExactAfterMigration(migrated, big);
    } finally {
      await migrated.close();
    }
    expect(await onFile(`SELECT value FROM spoor_meta WHERE key = 'schema_version'`)).toEqual([[String(SCHEMA_VERSION)]]);
  });

  it('from version 17: points stored before read as they did, new ones keep counts past 2^53 exactly', async () => {
    const store = await DuckDbStore.open({ path });
    await store.writer.write(recordsBeforeExactCounts(), null);
    await store.close();
    await onFile(`ALTER TABLE metric_points DROP COLUMN exact_counts; UPDATE spoor_meta SET value = '17' WHERE key = 'schema_version'`);

    const migrated = await DuckDbStore.open({ path });
    try {
      await expectExactCountsAfterMigration(migrated);
    } finally {
      await migrated.close();
    }
    expect(await onFile(`SELECT value FROM spoor_meta WHERE key = 'schema_version'`)).toEqual([[String(SCHEMA_VERSION)]]);
  });

  it("from version 14: a sampled-out LLM call's response id moves with it to span_stats, and its score still finds it", async () => {
    const call = span({
      traceId: tid(1),
      spanId: sid(2),
      parentSpanId: sid(1),
      attributes: { 'gen_ai.response.id': 'resp-1' },
      llm: { ...emptyLlm(), requestModel: 'gpt-4o', inputTokens: 10 },
    });
    const store = await DuckDbStore.open({ path });
    await store.writer.write(batchOf({ spans: [span({ traceId: tid(1), spanId: sid(1) }), call], logs: [], metricPoints: [] }), null);
    await store.close();
    await onFile(`ALTER TABLE span_stats DROP COLUMN response_id; UPDATE spoor_meta SET value = '14' WHERE key = 'schema_version'`);

    const migrated = await DuckDbStore.open({ path });
    try {
      await migrated.scores.addScores([scoreRecord({ traceId: null, spanId: null, responseId: 'resp-1' })], T0);
      await migrated.sampling.slim('default', [tid(1)]);
      expect((await migrated.scores.scoresOfTraces('default', [tid(1)])).map((s) => [s.responseId, s.traceId, s.spanId])).toEqual([['resp-1', tid(1), sid(2)]]);
    } finally {
      await migrated.close();
    }
    expect(await onFile(`SELECT count(*) FROM llm_responses`)).toEqual([['0']]);
    expect(await onFile(`SELECT response_id, span_id FROM span_stats WHERE response_id <> ''`)).toEqual([['resp-1', sid(2)]]);
  });

  it('from version 15: sampling decisions lose their key and keep every row; a decision recorded again reads as the first', async () => {
    const decision = (n: number, kept: boolean, decidedUs: number) => ({
      traceId: tid(n),
      kept,
      reason: kept ? 'errors' : 'sampled_out',
      startUs: T0,
      endUs: T0 + 1,
      decidedUs,
    });
    const store = await DuckDbStore.open({ path });
    await store.sampling.record('default', [decision(1, true, T0 + 5), decision(2, false, T0 + 5)]);
    await store.close();
    // A file of version 15: the table keyed by project and trace.
    await onFile(`CREATE TABLE keyed (project_id VARCHAR NOT NULL, trace_id VARCHAR NOT NULL, kept BOOLEAN NOT NULL, reason VARCHAR NOT NULL,
      start_us BIGINT NOT NULL, end_us BIGINT NOT NULL, decided_us BIGINT NOT NULL, PRIMARY KEY (project_id, trace_id));
      INSERT INTO keyed SELECT * FROM sampling_decisions; DROP TABLE sampling_decisions; ALTER TABLE keyed RENAME TO sampling_decisions;
      UPDATE spoor_meta SET value = '15' WHERE key = 'schema_version'`);
    const keys = "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'sampling_decisions' AND constraint_type = 'PRIMARY KEY'";
    expect(await onFile(keys)).toEqual([['1']]);

    const migrated = await DuckDbStore.open({ path });
    try {
      await migrated.sampling.record('default', [decision(1, false, T0 + 9), decision(3, false, T0 + 9)]);
      expect(await migrated.sampling.decisionsOf('default', [tid(1), tid(2), tid(3)])).toEqual(
        new Map([
          [tid(1), true],
          [tid(2), false],
          [tid(3), false],
        ]),
      );
    } finally {
      await migrated.close();
    }
    expect(await onFile(keys)).toEqual([['0']]);
    expect(await onFile('SELECT trace_id, kept, reason, decided_us FROM sampling_decisions ORDER BY decided_us, trace_id')).toEqual([
      [tid(1), 'true', 'errors', String(T0 + 5)],
      [tid(2), 'false', 'sampled_out', String(T0 + 5)],
      [tid(1), 'false', 'sampled_out', String(T0 + 9)],
      [tid(3), 'false', 'sampled_out', String(T0 + 9)],
    ]);
  });

  it("from version 16: trace parts keep each category's longest span; parts stored before read it from their spans", async () => {
    const trace = (n: number, llmUs: number) => [
      span({ traceId: tid(n), spanId: sid(1), category: 'workflow', startTimeUs: T0, endTimeUs: T0 + 100 }),
      span({ traceId: tid(n), spanId: sid(2), parentSpanId: sid(1), category: 'llm', startTimeUs: T0 + 10, endTimeUs: T0 + 10 + llmUs }),
    ];
    const store = await DuckDbStore.open({ path });
    await store.writer.write(batchOf({ spans: trace(1, 30), logs: [], metricPoints: [] }), null);
    await store.close();
    // A file of version 16: no longest columns in trace_parts, commit_seq last.
    const v16 =
      'project_id, trace_id, start_us, end_us, span_count, error_count, root_name, root_service, first_name, first_service, input_tokens, output_tokens, cost_usd, root_failed, session_id, user_id, commit_seq';
    await onFile(`CREATE TABLE parts_16 AS SELECT ${v16} FROM trace_parts; DROP TABLE trace_parts; ALTER TABLE parts_16 RENAME TO trace_parts;
      UPDATE spoor_meta SET value = '16' WHERE key = 'schema_version'`);

    const migrated = await DuckDbStore.open({ path });
    try {
      // Written after: the appender's columns still line up with the table's.
      await migrated.writer.write(batchOf({ spans: trace(2, 70), logs: [], metricPoints: [] }), null);
      const facts = (await migrated.sampling.facts('default', [tid(1), tid(2)])).sort((x, y) => (x.traceId < y.traceId ? -1 : 1));
      expect(facts.map((f) => [f.traceId, f.longestUs])).toEqual([
        [tid(1), [100, 0, 0, 30, 0, 0, 0, 0]],
        [tid(2), [100, 0, 0, 70, 0, 0, 0, 0]],
      ]);
      const traces = await migrated.traces.listTraces(query(), null, 10);
      expect(traces.map((t) => [t.traceId, t.spanCount]).sort()).toEqual([
        [tid(1), 2],
        [tid(2), 2],
      ]);
    } finally {
      await migrated.close();
    }
    expect(await onFile('SELECT trace_id, longest_workflow_us, longest_llm_us, commit_seq IS NOT NULL FROM trace_parts ORDER BY trace_id')).toEqual([
      [tid(1), 'null', 'null', 'true'],
      [tid(2), '100', '70', 'true'],
    ]);
    expect(await onFile(`SELECT value FROM spoor_meta WHERE key = 'schema_version'`)).toEqual([[String(SCHEMA_VERSION)]]);
  });

  it('from version 17: trace parts count their calls without a price; parts stored before read as none until re-priced', async () => {
    const call = (n: number) => [
      span({ traceId: tid(n), spanId: sid(1), category: 'workflow', startTimeUs: T0, endTimeUs: T0 + 100 }),
      span({
        traceId: tid(n),
        spanId: sid(2),
        parentSpanId: sid(1),
        category: 'llm',
        startTimeUs: T0 + 10,
        endTimeUs: T0 + 40,
        llm: { ...emptyLlm(), requestModel: 'mystery-1', inputTokens: 12, outputTokens: 3, costUsd: null },
      }),
    ];
    const store = await DuckDbStore.open({ path });
    await store.writer.write(batchOf({ spans: call(1), logs: [], metricPoints: [] }), null);
    await store.close();
    // A file of version 17: no unpriced_calls in trace_parts, commit_seq last.
    await onFile(`CREATE TABLE parts_17 AS SELECT * EXCLUDE (unpriced_calls) FROM trace_parts; DROP TABLE trace_parts; ALTER TABLE parts_17 RENAME TO trace_parts;
      UPDATE spoor_meta SET value = '17' WHERE key = 'schema_version'`);

    const migrated = await DuckDbStore.open({ path });
    try {
      // Written after: the appender's columns still line up with the table's.
      await migrated.writer.write(batchOf({ spans: call(2), logs: [], metricPoints: [] }), null);
      const traces = await migrated.traces.listTraces(query(), null, 10);
      expect(traces.map((t) => [t.traceId, t.spanCount, t.inputTokens, t.unpricedCalls]).sort()).toEqual([
        [tid(1), 2, 12, 0],
        [tid(2), 2, 12, 1],
      ]);
      // A re-price builds the old trace's parts again from its spans, and counts its call: priced,
      // then the price withdrawn.
      await repriceSpans(migrated.prices, 'default', ALL, () => 0.5);
      expect((await migrated.traces.listTraces(query(), null, 10)).map((t) => [t.traceId, t.costUsd, t.unpricedCalls]).sort()).toEqual([
        [tid(1), 0.5, 0],
        [tid(2), 0.5, 0],
      ]);
      await repriceSpans(migrated.prices, 'default', ALL, () => null);
      const after = await migrated.traces.listTraces(query(), null, 10);
      expect(after.map((t) => [t.traceId, t.unpricedCalls]).sort()).toEqual([
        [tid(1), 1],
        [tid(2), 1],
      ]);
    } finally {
      await migrated.close();
    }
    expect(await onFile(`SELECT value FROM spoor_meta WHERE key = 'schema_version'`)).toEqual([[String(SCHEMA_VERSION)]]);
  });

  it('from version 18: a score written twice before still counts once in a release comparison, its newest version', async () => {
    const store = await DuckDbStore.open({ path });
    await store.writer.write(batchOf({ spans: [span({ resource: resource('api', { 'service.version': '1.0' }) })], logs: [], metricPoints: [] }), null);
    await store.scores.addScores([scoreRecord({ value: 0.2 }), scoreRecord({ author: 'key-2', value: 0.4 })], T0);
    await store.scores.addScores([scoreRecord({ value: 0.7, timeUs: T0 + 1 })], T0 + 1);
    await store.close();
    // A file of version 18 had no record of the slots written again.
    await onFile(`${NO_TRACE_KEYS}DROP TABLE replaced_scores; UPDATE spoor_meta SET value = '18' WHERE key = 'schema_version'`);

    const migrated = await DuckDbStore.open({ path });
    try {
      const groups = await migrated.scoreStats.compare({ filter: spanFilter(), by: { attribute: 'service.version' }, a: '1.0', b: '2.0', limit: 10 });
      expect(groups.map((g) => [g.name, g.side, g.count, valuesOf(g)])).toEqual([['faithfulness', 'a', 2, [0.4, 0.7]]]);
    } finally {
      await migrated.close();
    }
  });

  it("from version 19: the scores stored before get their spans' facts, and a release comparison reads them as it read the spans", async () => {
    const store = await DuckDbStore.open({ path });
    const v = (service: string, version: string) => resource(service, { 'service.version': version });
    await store.writer.write(
      batchOf({
        spans: [span({ serviceName: 'api', resource: v('api', '1.0') }), span({ spanId: sid(2), serviceName: 'worker', resource: v('worker', '2.0') })],
        logs: [],
        metricPoints: [],
      }),
      null,
    );
    // Span 3 stored in two releases, span 4 not at all.
    for (const version of ['1.0', '2.0']) {
      await store.writer.write(
        batchOf({ spans: [span({ spanId: sid(3), serviceName: 'worker', resource: v('worker', version) })], logs: [], metricPoints: [] }),
        null,
      );
    }
    await store.scores.addScores(
      [1, 2, 3, 4].map((n) => scoreRecord({ spanId: sid(n), value: n / 10 })),
      T0,
    );
    await store.close();
    // A file of version 19 had no facts.
    await onFile(`${NO_TRACE_KEYS}ALTER TABLE scores DROP COLUMN span_start_us; ALTER TABLE scores DROP COLUMN span_service;
      ALTER TABLE scores DROP COLUMN span_source_id;
      UPDATE spoor_meta SET value = '19' WHERE key = 'schema_version'`);

    const migrated = await DuckDbStore.open({ path });
    try {
      const groups = await migrated.scoreStats.compare({ filter: spanFilter(), by: { attribute: 'service.version' }, a: '1.0', b: '2.0', limit: 10 });
      expect(groups.map((g) => [g.name, g.side, g.count, valuesOf(g)]).sort()).toEqual([
        ['faithfulness', 'a', 2, [0.1, 0.3]],
        ['faithfulness', 'b', 2, [0.2, 0.3]],
      ]);
    } finally {
      await migrated.close();
    }
    expect(await onFile('SELECT span_id, span_service, CAST(span_start_us AS VARCHAR) FROM scores ORDER BY span_id')).toEqual([
      [sid(1), 'api', String(T0)],
      [sid(2), 'worker', String(T0)],
      [sid(3), 'null', 'null'],
      [sid(4), 'null', 'null'],
    ]);
  });

  it("from version 21: trace parts get their ids' keys as the writer works them out, and a trace is found by id before and after", async () => {
    // Ids as the writer may meet them: hex of either case, and ids that do not end in 8 hex digits (keyed 0).
    const ids = [tid(1), '0123456789abcdef0123456789ABCDEF', 'ffffffff', '1234567', 'not-hex-at-all', '12_45678', 'x-00000000'];
    const spans = (offset: number) => ids.map((traceId, i) => span({ traceId, spanId: sid(i + offset), startTimeUs: T0 + i, endTimeUs: T0 + i + 5 }));
    const store = await DuckDbStore.open({ path });
    await store.writer.write(batchOf({ spans: spans(1), logs: [], metricPoints: [] }), null);
    await store.close();
    await onFile(`${NO_TRACE_KEYS}UPDATE spoor_meta SET value = '21' WHERE key = 'schema_version'`);

    const migrated = await DuckDbStore.open({ path });
    try {
      // A second part of each trace, written after: both parts are found by the id.
      await migrated.writer.write(batchOf({ spans: spans(10), logs: [], metricPoints: [] }), null);
      for (const traceId of ids) expect((await migrated.traces.traceSize('default', traceId)).spans).toBe(2);
    } finally {
      await migrated.close();
    }
    const keys = await onFile('SELECT trace_id, CAST(trace_key AS VARCHAR) FROM trace_parts ORDER BY trace_id, commit_seq');
    expect(keys).toEqual(
      [...ids].sort().flatMap((id) => {
        const key = /[0-9a-fA-F]{8}$/.test(id) ? String(Number.parseInt(id.slice(-8), 16)) : '0';
        return [
          [id, key],
          [id, key],
        ];
      }),
    );
  });

  it("from version 22: trace parts keep their spans' text bytes; a trace with a part stored before has its size read from its spans", async () => {
    const part = (traceId: string, n: number) =>
      span({ traceId, spanId: sid(n), startTimeUs: T0 + n, endTimeUs: T0 + n + 5, attributes: { città: `é 中 😀 ${n}` } });
    const utf8 = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
    const bytesOf = (spans: ReturnType<typeof span>[]) => spans.reduce((n, s) => n + utf8(s.attributes) + utf8(s.events) + utf8(s.links), 0);
    const store = await DuckDbStore.open({ path });
    await store.writer.write(batchOf({ spans: [part(tid(1), 1)], logs: [], metricPoints: [] }), null);
    await store.close();
    await onFile(`${NO_TEXT_BYTES}UPDATE spoor_meta SET value = '22' WHERE key = 'schema_version'`);

    const migrated = await DuckDbStore.open({ path });
    try {
      // Written after: the appender's columns still line up with the table's.
      await migrated.writer.write(batchOf({ spans: [part(tid(1), 2), part(tid(2), 3)], logs: [], metricPoints: [] }), null);
      expect(await migrated.traces.traceSize('default', tid(1))).toMatchObject({ spans: 2, textBytes: bytesOf([part(tid(1), 1), part(tid(1), 2)]) });
      expect(await migrated.traces.traceSize('default', tid(2))).toMatchObject({ spans: 1, textBytes: bytesOf([part(tid(2), 3)]) });
    } finally {
      await migrated.close();
    }
    expect(await onFile('SELECT trace_id, text_bytes, commit_seq IS NOT NULL FROM trace_parts ORDER BY trace_id, commit_seq')).toEqual([
      [tid(1), 'null', 'true'],
      [tid(1), String(bytesOf([part(tid(1), 2)])), 'true'],
      [tid(2), String(bytesOf([part(tid(2), 3)])), 'true'],
    ]);
    expect(await onFile(`SELECT value FROM spoor_meta WHERE key = 'schema_version'`)).toEqual([[String(SCHEMA_VERSION)]]);
  });

  it('a stop between two steps resumes after the last step done: the file says how far it got, and opens again', async () => {
    const store = await DuckDbStore.open({ path });
    const spans = [span({ traceId: tid(1), spanId: sid(1), startTimeUs: T0, endTimeUs: T0 + 5 })];
    await store.writer.write(batchOf({ spans, logs: [], metricPoints: [] }), null);
    await store.close();
    // A table in the way of the step from 22 makes it fail after the step from 21 has rebuilt trace_parts.
    await onFile(`${NO_TRACE_KEYS}UPDATE spoor_meta SET value = '21' WHERE key = 'schema_version'; CREATE TABLE trace_parts_23 (in_the_way INTEGER)`);
    await expect(DuckDbStore.open({ path })).rejects.toThrow();
    expect(await onFile(`SELECT value FROM spoor_meta WHERE key = 'schema_version'`)).toEqual([['22']]);
    await onFile('DROP TABLE trace_parts_23');
    const resumed = await DuckDbStore.open({ path });
    await resumed.close();
    expect(await onFile(`SELECT value, (SELECT sum(span_count) FROM trace_parts) FROM spoor_meta WHERE key = 'schema_version'`)).toEqual([
      [String(SCHEMA_VERSION), '1'],
    ]);
  });

  it('from version 5: positions committed before servers had ids still count, so a restart replays nothing twice', async () => {
    const store = await DuckDbStore.open({ path });
    await store.writer.write(batchOf({ spans: [span()], logs: [], metricPoints: [] }), { serverId: 'spoor-a', position: '4:900' });
    await store.close();
    await onFile(`${NO_COMMIT_SEQ}ALTER TABLE spool_positions DROP COLUMN server_id; UPDATE spoor_meta SET value = '5' WHERE key = 'schema_version'`);

    const migrated = await DuckDbStore.open({ path });
    try {
      expect(await migrated.writer.readPosition('spoor-a')).toBe('4:900');
      // The batch at that position, replayed, is not stored again; the next one is.
      await migrated.writer.write(batchOf({ spans: [span()], logs: [], metricPoints: [] }), { serverId: 'spoor-a', position: '4:900' });
      await migrated.writer.write(batchOf({ spans: [span({ spanId: sid(7) })], logs: [], metricPoints: [] }), { serverId: 'spoor-a', position: '4:950' });
      expect((await migrated.traces.getTrace('default', tid(1)))?.spans.map((s) => s.spanId).sort()).toEqual([sid(1), sid(7)]);
    } finally {
      await migrated.close();
    }
  });
});
