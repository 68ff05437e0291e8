import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricPointRecord } from '@spoor/model';
import { T0, emptyLlm, log, point, sid, span, tid } from '../../../test/support/record-fixtures.js';
import { recordsOf } from '../table-records.js';
import { COPIED_TABLES, SPANS, type WriteBatch, batchOf } from '../tables.js';
import { appendBatch } from './chunks.js';
import { DuckDbStore } from './duckdb-store.js';
import { SCHEMA_SQL } from './schema.js';
import { SPAN_FACT_COLUMNS } from './score-facts.js';
import { SEQUENCED_TABLES } from './writer.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'spoor-chunks-'));
  dirs.push(dir);
  return dir;
}

describe('the DuckDB schema', () => {
  it('has the columns of the engine-neutral tables and span_stats, in their order and of their types (and the commit number where rows carry it)', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(SCHEMA_SQL);
    const DUCKDB_TYPES = {
      varchar: 'VARCHAR',
      bigint: 'BIGINT',
      int64: 'BIGINT',
      double: 'DOUBLE',
      integer: 'INTEGER',
      uinteger: 'UINTEGER',
      utinyint: 'UTINYINT',
      boolean: 'BOOLEAN',
      'double[]': 'DOUBLE[]',
    };
    for (const [table, specs] of Object.entries(COPIED_TABLES)) {
      const described = (await connection.runAndReadAll(`DESCRIBE ${table}`)).getRowObjects();
      const columns = specs.map((s) => [s.name, DUCKDB_TYPES[s.type]]);
      // Last where the appender writes the rows; span_stats, filled by name, has it before the response id a migration added.
      if (SEQUENCED_TABLES.has(table)) columns.push(['commit_seq', 'BIGINT']);
      else if (table === 'span_stats') columns.splice(SPANS.length, 0, ['commit_seq', 'BIGINT']);
      // DuckDB's own: the scored span's facts, which its writers append after the neutral columns (score-facts.ts).
      else if (table === 'scores') columns.push(...SPAN_FACT_COLUMNS.map((s) => [s.name, DUCKDB_TYPES[s.type]]));
      expect(
        described.map((c) => [c.column_name, c.column_type]),
        table,
      ).toEqual(columns);
    }
    connection.closeSync();
    instance.closeSync();
  });
});

/**
 * Span names in several scripts, and short ASCII ones about DuckDB's 12 inline bytes: at most 12
 * (written inline in one copy), 13, 12 units with one not ASCII, empty, and one holding a NUL.
 */
const NAMES: Array<(i: number) => string> = [
  (i) => `étape ${i} ✓`,
  (i) => `step ${i} 🚀`,
  (i) => `s${i}`,
  (i) => `${i}`.padEnd(12, 'x'),
  (i) => `${i}`.padEnd(13, 'y'),
  (i) => `${i}`.padEnd(11, 'z') + 'é',
  () => '',
  (i) => `nul\u0000${i}`,
];

describe('appending column batches to DuckDB', () => {
  it('stores every row of a batch longer than a data chunk, NULLs, constants and all, as the records it was built from', async () => {
    const store = await DuckDbStore.open({ path: join(await tempDir(), 'spoor.duckdb') });
    try {
      // 5,000 spans: three data chunks, the last one short; every fifth an LLM call (NULLs in the
      // others); names in several scripts; one trace per 1,000 spans.
      const spans = Array.from({ length: 5000 }, (_, i) =>
        span({
          traceId: tid(1 + Math.floor(i / 1000)),
          spanId: sid(i + 1),
          parentSpanId: i % 1000 === 0 ? null : sid(i - (i % 1000) + 1),
          name: NAMES[i % NAMES.length]!(i),
          startTimeUs: T0 + i,
          endTimeUs: T0 + i + 2 ** 40,
          attributes: { i, text: 'x'.repeat(i % 50) },
          ...(i % 5 === 0
            ? { category: 'llm' as const, llm: { ...emptyLlm(), provider: 'openai', requestModel: 'gpt-4o', inputTokens: 2 ** 33 + i, costUsd: i / 7 } }
            : {}),
        }),
      );
      const batch = batchOf({ spans, logs: [], metricPoints: [] });
      const expected = recordsOf(structuredClone(batch)).spans;
      await store.writer.write(batch, null);
      const stored = [];
      for (let t = 1; t <= 5; t++) stored.push(...(await store.traces.getTrace('default', tid(t)))!.spans);
      expect(stored).toHaveLength(5000);
      const bySpan = new Map(stored.map((s) => [s.spanId, s]));
      for (const record of expected) {
        const s = bySpan.get(record.spanId)!;
        expect([s.name, s.parentSpanId, s.startTimeUs, s.endTimeUs, JSON.parse(s.attributesJson)], record.spanId).toEqual([
          record.name,
          record.parentSpanId,
          record.startTimeUs,
          record.endTimeUs,
          record.attributes,
        ]);
        expect(s.llm, record.spanId).toEqual(record.llm);
      }
    } finally {
      await store.close();
    }
  });

  it('stores strings as given whatever their bytes (a chunk all inline, one long only in UTF-8, surrogate halves on either side of two rows, NULLs, 64 KiB, 6 MB), given as text or as UTF-8, and the chunk it uses again', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run('CREATE TABLE t (s VARCHAR)');
    // Each case is a chunk of its own (2,048 rows), so each takes its own way through fillStrings.
    const cases: Array<(i: number) => string | null> = [
      (i) => `${i % 1000}`.padEnd(12, 'a'),
      (i) => (i === 7 ? 'abcdefghijké' : 'short'),
      (i) => (i % 2 === 0 ? `pair ${i} \ud83d` : `\ude80 half ${i}`),
      (i) => (i % 3 === 0 ? null : i % 3 === 1 ? `long row ${i} `.repeat(3) : ''),
      (i) => (i === 0 ? 'x'.repeat(65536) : i % 2 === 0 ? `¿qué ${i}? ${'ü'.repeat(i % 20)}` : `plain ascii row ${i}`),
      (i) => `nul\u0000${i}\u0000${'z'.repeat(i % 30)}`,
      // Past the 8 MiB of scratch a chunk's text is written into (3 bytes a unit at most).
      (i) => (i === 5 ? `big ${'ß'.repeat(3_000_000)}` : `row ${i} of a chunk with a row of 6 MB`),
    ];
    const rows: Array<string | null> = cases.flatMap((make) => Array.from({ length: 2048 }, (_, i) => make(i)));
    const lengths = Int32Array.from(rows, (row) => (row === null ? -1 : row.length));
    const appender = await connection.createAppender('t');
    appendBatch(appender, {
      table: 't',
      rows: rows.length,
      columns: [{ type: 'varchar', text: rows.filter((row) => row !== null).join(''), lengths, constant: null }],
    });
    // The same table's chunk is used again: a constant column, then rows with neither NULLs nor the constant.
    const constant = 'one string for every row';
    appendBatch(appender, { table: 't', rows: 3, columns: [{ type: 'varchar', text: '', lengths: Int32Array.of(24, 24, 24), constant }] });
    appendBatch(appender, {
      table: 't',
      rows: 3,
      columns: [{ type: 'varchar', text: 'abcdefghijklmnopqxyz', lengths: Int32Array.of(1, 16, 3), constant: null }],
    });
    rows.push(constant, constant, constant, 'a', 'bcdefghijklmnopq', 'xyz');
    // The same rows given as UTF-8 bytes (`Column.utf8`, lengths in bytes), from a view that does not start its buffer.
    const given = rows.slice(0, cases.length * 2048);
    const encoded = given.map((row) => (row === null ? null : Buffer.from(row, 'utf8')));
    const bytes = new Uint8Array(new ArrayBuffer(5 + encoded.reduce((sum, row) => sum + (row?.length ?? 0), 0)), 5);
    let at = 0;
    for (const row of encoded) {
      if (row === null) continue;
      bytes.set(row, at);
      at += row.length;
    }
    const byteLengths = Int32Array.from(encoded, (row) => (row === null ? -1 : row.length));
    appendBatch(appender, { table: 't', rows: given.length, columns: [{ type: 'varchar', text: '', lengths: byteLengths, constant: null, utf8: bytes }] });
    rows.push(...given);
    appender.closeSync();
    const stored = (await connection.runAndReadAll('SELECT s FROM t')).getRows().map((row) => row[0]);
    // A lone surrogate is stored as U+FFFD, as Buffer.from writes it in UTF-8.
    const utf8 = (row: string | null): string | null => (row === null ? null : Buffer.from(row, 'utf8').toString('utf8'));
    expect(stored).toHaveLength(rows.length);
    for (let i = 0; i < rows.length; i++) if (stored[i] !== utf8(rows[i]!)) expect([i, stored[i]]).toEqual([i, utf8(rows[i]!)]);
    connection.closeSync();
    instance.closeSync();
  });

  it('stores lists, NULL lists and empty lists of metric points', async () => {
    const store = await DuckDbStore.open({ path: join(await tempDir(), 'spoor.duckdb') });
    try {
      const points: MetricPointRecord[] = [
        { ...point({ name: 'h', type: 'histogram', value: null, timeUs: T0 }), count: 3, bucketCounts: [1, 0, 2], explicitBounds: [0.5, 1.5] },
        { ...point({ name: 'h', type: 'histogram', value: null, timeUs: T0 + 1 }), count: 0, bucketCounts: [0], explicitBounds: [] },
        point({ name: 'h', value: 4, timeUs: T0 + 2 }),
        {
          ...point({ name: 'h', type: 'exponential_histogram', value: null, timeUs: T0 + 3 }),
          scale: 3,
          positive: { offset: -2, bucketCounts: [5, 6] },
          negative: { offset: 1, bucketCounts: [] },
        },
      ];
      const batch: WriteBatch = batchOf({ spans: [], logs: [log({ logId: 'l' })], metricPoints: points });
      await store.writer.write(batch, null);
      const rows = await store.metrics.listMetricPoints(
        { projectId: 'default', range: { fromUs: null, toUs: null }, name: 'h', service: null, limit: 10, cursor: null },
        0,
        10,
      );
      const byTime = new Map(rows.map((p) => [p.timeUs, p]));
      for (const p of points) {
        const got = byTime.get(p.timeUs)!;
        expect([got.bucketCounts, got.explicitBounds, got.scale, got.positive, got.negative]).toEqual([
          p.bucketCounts,
          p.explicitBounds,
          p.scale,
          p.positive,
          p.negative,
        ]);
      }
    } finally {
      await store.close();
    }
  });
});
