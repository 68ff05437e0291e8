import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbSql } from './dialect.js';
import { DuckDbSamplingStore } from './sampling.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('DuckDB while tail sampling puts off vacuuming (SamplingStore.deferVacuum, reclaim)', () => {
  it('leaves the row groups a checkpoint would rewrite around deleted rows, and rewrites them once it is no longer put off', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spoor-vacuum-'));
    dirs.push(dir);
    const instance = await DuckDBInstance.create(join(dir, 'vacuum.duckdb'));
    const connection = await instance.connect();
    try {
      const sampling = new DuckDbSamplingStore(new DuckDbSql((_what, fn) => fn(connection)));
      const rowGroups = async () =>
        Number((await connection.runAndReadAll(`SELECT count(DISTINCT row_group_id) AS n FROM pragma_storage_info('t')`)).getRowObjects()[0]!.n);
      await connection.run('CREATE TABLE t AS SELECT range AS i FROM range(1000000)');
      await connection.run('CHECKPOINT');
      expect(await rowGroups()).toBe(9);

      // A slim at capacity: 90% of the rows deleted, checkpointed while vacuuming is put off.
      await sampling.deferVacuum(true);
      await connection.run('DELETE FROM t WHERE i % 10 <> 0');
      await connection.run('CHECKPOINT');
      expect(await rowGroups()).toBe(9);

      // The round's held slim writes the table; no longer put off, vacuuming rewrites
      // nothing until a checkpoint runs, and the reclaim (ingest idles) rewrites the table whole.
      await connection.run('DELETE FROM t WHERE i = 0');
      await sampling.deferVacuum(false);
      expect(await rowGroups()).toBe(9);
      await sampling.reclaim();
      expect(await rowGroups()).toBe(1);
      expect(Number((await connection.runAndReadAll('SELECT count(*) AS n FROM t')).getRowObjects()[0]!.n)).toBe(99_999);
      await connection.run('INSERT INTO t SELECT range FROM range(1000000)');
      await connection.run('DELETE FROM t WHERE i % 10 <> 0');
      await connection.run('CHECKPOINT');
      expect(await rowGroups()).toBe(2);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
