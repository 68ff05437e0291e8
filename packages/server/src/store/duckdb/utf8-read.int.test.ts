import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunksOf, jsonArrayRows, utf8Texts } from './utf8-read.js';

/**
 * Values of every length class (empty, inline up to 12 bytes, 12 and 13 bytes counted in UTF-8
 * where UTF-16 counts fewer, a megabyte), over three chunks of 2,048 rows, read from stored
 * (checkpointed) columns and from values an expression made.
 */
const SPECIAL = ['', 'a', 'twelve bytes', 'thirteen byte', 'ééééééé', 'éééééé日', '{"k":"日本"}', 'x'.repeat(1 << 20), '\u0001\n"\\'];
const ROWS = 5_000;
const valueOf = (i: number, column: number): string =>
  i < SPECIAL.length ? SPECIAL[(i + column) % SPECIAL.length]! : `${column}:${'ab€'.repeat((i * 7 + column) % 40)}#${i}`;

let dir: string;
let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-utf8-read-'));
  instance = await DuckDBInstance.create(join(dir, 'texts.duckdb'));
  connection = await instance.connect();
  await connection.run('CREATE TABLE texts (id INTEGER, a VARCHAR, b VARCHAR)');
  const appender = await connection.createAppender('texts');
  for (let i = 0; i < ROWS; i++) {
    appender.appendInteger(i);
    appender.appendVarchar(valueOf(i, 0));
    appender.appendVarchar(valueOf(i, 1));
    appender.endRow();
  }
  appender.closeSync();
  await connection.run('CHECKPOINT');
});

afterAll(async () => {
  connection?.closeSync();
  instance?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

const decode = (texts: { bytes: Uint8Array; starts: Uint32Array; ends: Uint32Array }, k: number): string =>
  Buffer.from(texts.bytes.buffer, texts.bytes.byteOffset + texts.starts[k]!, texts.ends[k]! - texts.starts[k]!).toString('utf8');

describe('reading VARCHAR columns of a DuckDB result as bytes', () => {
  it.each([
    ['stored columns', 'SELECT json_array(id, a)::VARCHAR, a, b FROM texts'],
    ['values an expression made', "SELECT json_array(id, a)::VARCHAR, a || '', concat(b, '') FROM texts"],
  ])('reads every value of %s over several chunks, in the rows the result has', async (_, sql) => {
    const chunks = chunksOf(await connection.run(sql));
    expect(chunks.length).toBeGreaterThan(2);
    const rows = jsonArrayRows(chunks, 0, 'read texts') as Array<[number, string]>;
    const texts = utf8Texts(chunks, [1, 2], 'read texts');
    expect(rows).toHaveLength(ROWS);
    expect(texts.starts).toHaveLength(2 * ROWS);
    rows.forEach(([id, a], r) => {
      expect(a).toBe(valueOf(id, 0));
      expect(decode(texts, 2 * r)).toBe(valueOf(id, 0));
      expect(decode(texts, 2 * r + 1)).toBe(valueOf(id, 1));
    });
    expect(new Set(rows.map(([id]) => id)).size).toBe(ROWS);
  });

  it('reads no row of an empty result', async () => {
    const chunks = chunksOf(await connection.run('SELECT json_array(id)::VARCHAR, a FROM texts WHERE id < 0'));
    expect(jsonArrayRows(chunks, 0, 'read texts')).toEqual([]);
    expect(utf8Texts(chunks, [1], 'read texts')).toMatchObject({ bytes: new Uint8Array(0), starts: new Uint32Array(0) });
  });

  it('refuses a NULL, naming what it read', async () => {
    const chunks = chunksOf(await connection.run('SELECT CASE WHEN id = 3000 THEN NULL ELSE a END FROM texts'));
    expect(() => utf8Texts(chunks, [0], 'read texts')).toThrow(/read texts: column 0 holds a NULL/);
  });
});
