import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnsOf } from './read.js';

/**
 * `columnsOf` against DuckDB itself: a sorted read of a table while another connection inserts
 * the table's first rows, as the key ring's read of `api_keys` races the first key's insert.
 */
describe('columnsOf', () => {
  let instance: DuckDBInstance;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  });
  afterAll(() => instance.closeSync());

  it('reads only rows as they were written while another connection inserts a table’s first rows', async () => {
    const wrong: unknown[] = [];
    let reads = 0;
    // About 2% of such reads came back wrong, each round's first: 60 rounds of a few reads each.
    for (let round = 0; round < 60; round++) {
      const table = `keys_${round}`;
      const setup = await instance.connect();
      await setup.run(`CREATE TABLE ${table} (id VARCHAR, role VARCHAR, created_us BIGINT)`);
      setup.closeSync();
      let inserting = true;
      const reader = (async () => {
        while (inserting) {
          const connection = await instance.connect();
          const columns = await columnsOf(connection, `SELECT id, role FROM ${table} ORDER BY created_us, id`, []);
          connection.closeSync();
          reads++;
          if (columns.role!.some((role) => role !== 'admin') || columns.id!.some((id) => !/^key\d{7}$/.test(id as string))) wrong.push(columns);
        }
      })();
      for (let i = 0; i < 4; i++) {
        const connection = await instance.connect();
        await connection.run(`INSERT INTO ${table} VALUES ($1, 'admin', $2::BIGINT)`, [`key${String(i).padStart(7, '0')}`, i]);
        connection.closeSync();
      }
      inserting = false;
      await reader;
    }
    expect(reads).toBeGreaterThan(60);
    expect(wrong).toEqual([]);
  });
});
