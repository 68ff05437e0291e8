import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbStore } from './duckdb-store.js';

/**
 * Where a DuckDB store spills what its memory limit does not hold. Its instance is in memory, for
 * which DuckDB's own choice is `.tmp` in the working directory, under fixed names: two servers
 * started in one directory removed each other's spilled blocks (commits failed until a restart,
 * "Corrupt temporary file"; two instances in one process crashed).
 */

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-spill-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const connectionOf = (store: DuckDbStore): DuckDBConnection => (store as unknown as { connection: DuckDBConnection }).connection;

async function settingOf(store: DuckDbStore): Promise<string> {
  const result = await connectionOf(store).runAndReadAll(`SELECT current_setting('temp_directory')`);
  return String(result.getRows()[0]![0]);
}

/** A sort several times the store's memory limit: DuckDB spills it. */
async function spillFrom(store: DuckDbStore, tag: string): Promise<void> {
  await connectionOf(store).runAndReadAll(
    `SELECT count(*) FROM (SELECT md5(i::VARCHAR) || '${tag}' || repeat('x', 50) AS s FROM range(3000000) r(i) ORDER BY s)`,
  );
}

const spillFiles = async (at: string): Promise<string[]> => (await readdir(at).catch(() => [] as string[])).filter((name) => name.startsWith('duckdb_temp_'));

describe('where a DuckDB store spills', () => {
  it('spills beside its own file, so two stores in one working directory keep their spills apart', async () => {
    const pathA = join(dir, 'a', 'spoor.duckdb');
    const pathB = join(dir, 'b', 'spoor.duckdb');
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, 'b'));
    const a = await DuckDbStore.open({ path: pathA, memoryLimit: '48MB', threads: 1 });
    try {
      expect(await settingOf(a)).toBe(`${pathA}.tmp`);
      // A transaction of A's holds rows that a sort then pushes out to its spill files.
      const connection = connectionOf(a);
      await connection.run('CREATE TABLE scratch (x VARCHAR)');
      await connection.run('BEGIN TRANSACTION');
      await connection.run(`INSERT INTO scratch SELECT repeat(md5(i::VARCHAR), 6) FROM range(300000) r(i)`);
      await spillFrom(a, 'a');
      const spilledA = await spillFiles(`${pathA}.tmp`);
      expect(spilledA.length).toBeGreaterThan(0);

      // B opens, spills and closes in the same process (the same working directory) meanwhile.
      const b = await DuckDbStore.open({ path: pathB, memoryLimit: '48MB', threads: 1 });
      expect(await settingOf(b)).toBe(`${pathB}.tmp`);
      await spillFrom(b, 'b');
      await b.close();

      expect(await spillFiles(`${pathA}.tmp`)).toEqual(expect.arrayContaining(spilledA));
      await connection.run('COMMIT');
      const rows = (await connection.runAndReadAll('SELECT count(*), min(length(x)) FROM scratch')).getRows();
      expect(rows).toEqual([[300000n, 192n]]);
    } finally {
      await a.close();
    }
  });

  it('clears the spill files a crash left beside the file once it holds the file', async () => {
    const path = join(dir, 'spoor.duckdb');
    await (await DuckDbStore.open({ path })).close();
    await mkdir(`${path}.tmp`, { recursive: true });
    await writeFile(join(`${path}.tmp`, 'duckdb_temp_storage_DEFAULT-0.tmp'), Buffer.alloc(4096, 7));
    await writeFile(join(`${path}.tmp`, 'notes.txt'), 'not DuckDB’s');
    const store = await DuckDbStore.open({ path });
    try {
      expect(await readdir(`${path}.tmp`)).toEqual(['notes.txt']);
    } finally {
      await store.close();
    }
  });

  it('gives a store read only, or in memory, a spill directory of its own, removed when it closes', async () => {
    const path = join(dir, 'spoor.duckdb');
    await (await DuckDbStore.open({ path })).close();
    for (const options of [{ path, readOnly: true }, { path: ':memory:' }]) {
      const store = await DuckDbStore.open({ ...options, memoryLimit: '48MB', threads: 1 });
      const own = await settingOf(store);
      expect(own.startsWith(join(tmpdir(), 'spoor-duckdb-spill-'))).toBe(true);
      // A table of the in-memory catalog (the file may be read only) twice the memory limit: DuckDB keeps the rest in its spill files.
      await connectionOf(store).run(`CREATE TABLE memory.main.held AS SELECT repeat(md5(i::VARCHAR), 6) AS x FROM range(500000) r(i)`);
      expect((await spillFiles(own)).length).toBeGreaterThan(0);
      await store.close();
      await expect(stat(own)).rejects.toThrow(/ENOENT/);
    }
  });
});
