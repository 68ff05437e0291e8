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

describe('DuckDB while tail sampling puts off vacuuming (SamplingStore.limitVacuum, reclaim)', () => {
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
      await sampling.limitVacuum(0);
      await connection.run('DELETE FROM t WHERE i % 10 <> 0');
      await connection.run('CHECKPOINT');
      expect(await rowGroups()).toBe(9);

      // The round's held slim writes the table; given back its default, vacuuming rewrites
      // nothing until a checkpoint runs, and the reclaim (ingest idles) rewrites the table whole.
      await connection.run('DELETE FROM t WHERE i = 0');
      await sampling.limitVacuum(null);
      expect(await rowGroups()).toBe(9);
      await sampling.reclaim();
      expect(await rowGroups()).toBe(1);
      expect(Number((await connection.runAndReadAll('SELECT count(*) AS n FROM t')).getRowObjects()[0]!.n)).toBe(99_999);
      await connection.run('INSERT INTO t SELECT range FROM range(1000000)');
      await connection.run('DELETE FROM t WHERE i % 10 <> 0');
      await connection.run('CHECKPOINT');
      expect(await rowGroups()).toBe(2);

      // Limited to a few tasks, the checkpoints ingest makes reclaim again, a part at a time (on
      // 3 million rows 90% deleted: 26 row groups put off, then 26, 18, 10, 4 with 1 or 2 tasks).
      await sampling.limitVacuum(0);
      await connection.run('INSERT INTO t SELECT range FROM range(3000000)');
      await connection.run('DELETE FROM t WHERE i % 10 <> 0');
      await connection.run('CHECKPOINT');
      const putOff = await rowGroups();
      await sampling.limitVacuum(2);
      for (let i = 0; i < 3; i++) {
        await connection.run('INSERT INTO t VALUES (1)');
        await connection.run('CHECKPOINT');
      }
      const limited = await rowGroups();
      expect(limited).toBeLessThan(putOff);
      await sampling.reclaim();
      expect(await rowGroups()).toBeLessThanOrEqual(limited);
      await expect(sampling.limitVacuum(1.5)).rejects.toThrow(/whole number/);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
