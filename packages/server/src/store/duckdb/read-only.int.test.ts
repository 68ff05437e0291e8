import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { query, span, tid } from '../../../test/support/record-fixtures.js';
import { batchOf } from '../tables.js';
import { DuckDbStore } from './duckdb-store.js';
import { SCHEMA_VERSION } from './schema.js';

/** A data directory read without a server (`spoor mcp --data`): the file opened for reading only. */

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-read-only-'));
  path = join(dir, 'spoor.duckdb');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Opens the file read-only, runs `use` on it, then finds writes refused and the file as it was. */
async function readOnlyLeavesFile(use: (reader: DuckDbStore) => Promise<void>): Promise<void> {
  const before = await stat(path);
  const reader = await DuckDbStore.open({ path, readOnly: true });
  try {
    await use(reader);
    await expect(reader.writer.write(batchOf({ spans: [span({ traceId: tid(2) })], logs: [], metricPoints: [] }), null)).rejects.toThrow(
      /Cannot append to a readonly database/,
    );
  } finally {
    await reader.close();
  }
  const after = await stat(path);
  expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
}

describe('a DuckDB store opened read-only', () => {
  it('reads what was written, refuses to write, and leaves the file as it was', async () => {
    const store = await DuckDbStore.open({ path });
    await store.writer.write(batchOf({ spans: [span({ traceId: tid(1) })], logs: [], metricPoints: [] }), null);
    await store.close();
    await readOnlyLeavesFile(async (reader) => {
      expect((await reader.traces.listTraces(query(), null, 10)).map((t) => t.traceId)).toEqual([tid(1)]);
    });
  });

  it('stays read-only when the file is attached again after an invalidation', async () => {
    await (await DuckDbStore.open({ path })).close();
    await readOnlyLeavesFile((reader) => (reader as unknown as { reattach(): Promise<void> }).reattach());
  });

  it('refuses a file of another schema version, saying how to migrate it', async () => {
    await (await DuckDbStore.open({ path })).close();
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    await connection.run(`UPDATE spoor_meta SET value = '${SCHEMA_VERSION - 1}' WHERE key = 'schema_version'`);
    connection.closeSync();
    instance.closeSync();
    await expect(DuckDbStore.open({ path, readOnly: true })).rejects.toThrow(
      `${path} holds schema version ${SCHEMA_VERSION - 1}, this Spoor reads version ${SCHEMA_VERSION}: start a server of this version on it once (it migrates the file), then read it again`,
    );
  });
});
