import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ExportFormat, ExportQuery } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T0, sid, span, tid } from '../../../test/support/record-fixtures.js';
import { batchOf } from '../tables.js';
import { DuckDbStore } from './duckdb-store.js';

/**
 * A stream of an export reads DuckDB's file while the COPY writes it: with enough spans that the
 * COPY takes a while, what the stream gave is the whole file all the same; a stream returned
 * early stops the COPY and leaves no file behind, and the store exports again after it.
 */

const SPANS = 40_000;
let dir: string;
let store: DuckDbStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-duckdb-export-'));
  store = await DuckDbStore.open({ path: join(dir, 'spoor.duckdb') });
  // Attributes that do not compress: the COPY writes tens of megabytes, in many row groups.
  const spans = Array.from({ length: SPANS }, (_, i) =>
    span({
      traceId: tid(1 + Math.floor(i / 100)),
      spanId: sid(i + 1),
      startTimeUs: T0 + i,
      endTimeUs: T0 + i + 10,
      attributes: { blob: randomBytes(600).toString('base64') },
    }),
  );
  await store.writer.write(batchOf({ spans, logs: [], metricPoints: [] }), null);
}, 120_000);

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const query = (format: ExportFormat): ExportQuery => ({ projectId: 'default', signal: 'spans', format, fromUs: T0, toUs: T0 + SPANS });

/** The count, a checksum of the ids and the attributes' bytes of a file, and a Parquet file's row groups. */
async function summary(path: string, format: ExportFormat): Promise<unknown> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    const from = format === 'parquet' ? `read_parquet('${path}')` : `read_json('${path}', format = 'newline_delimited')`;
    const rows = (
      await c.runAndReadAll(`SELECT count(*) AS n, sum(hash(span_id)) AS ids, sum(length(attributes)) AS bytes FROM ${from}`)
    ).getRowObjectsJson()[0];
    if (format === 'jsonl') return rows;
    // Row groups of at most 16,384 rows: what keeps an export within the server's memory_limit.
    const groups = (
      await c.runAndReadAll(`SELECT count(DISTINCT row_group_id) AS groups, max(row_group_num_rows) AS largest FROM parquet_metadata('${path}')`)
    ).getRowObjectsJson()[0];
    return { ...rows, ...groups };
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

describe('DuckDB export streams', () => {
  it.each(['parquet', 'jsonl'] as const)('give the whole %s file while the COPY writes it', async (format) => {
    const written = join(dir, `whole.${format}`);
    await store.exports.toFile(query(format), written);
    const parts: Uint8Array[] = [];
    const started = performance.now();
    let firstMs = 0;
    for await (const part of await store.exports.open(query(format))) {
      if (parts.length === 0) firstMs = performance.now() - started;
      parts.push(part);
    }
    const allMs = performance.now() - started;
    // JSON Lines leave from DuckDB's first rows (measured: 160 ms of 1,440); a stream read only
    // once the COPY ended would give its first bytes at about the end (its reads take ~50 ms).
    if (format === 'jsonl') expect(firstMs, `first bytes after ${firstMs.toFixed(0)} of ${allMs.toFixed(0)} ms`).toBeLessThan(allMs * 0.6);
    const streamed = join(dir, `streamed.${format}`);
    await writeFile(streamed, Buffer.concat(parts));
    expect(parts.length).toBeGreaterThan(1);
    const whole = await summary(written, format);
    expect(whole).toMatchObject(format === 'parquet' ? { n: String(SPANS), groups: '3', largest: '16384' } : { n: String(SPANS) });
    expect(await summary(streamed, format)).toEqual(whole);
    expect(await readdir(join(dir, 'exports.tmp'))).toEqual([]);
  });

  it('stops the COPY of a stream returned early, leaving no file, and exports again after it', async () => {
    const chunks = await store.exports.open(query('jsonl'));
    const first = await chunks.next();
    expect(first.done).toBe(false);
    await chunks.return(undefined);
    expect(await readdir(join(dir, 'exports.tmp'))).toEqual([]);
    const again = join(dir, 'again.parquet');
    await store.exports.toFile(query('parquet'), again);
    expect(await summary(again, 'parquet')).toMatchObject({ n: String(SPANS) });
  });

  it('refuses a query before any byte: the error, and no file', async () => {
    await expect(store.exports.open({ ...query('parquet'), fromUs: Number.NaN })).rejects.toThrow();
    expect(await readdir(join(dir, 'exports.tmp'))).toEqual([]);
  });
});
