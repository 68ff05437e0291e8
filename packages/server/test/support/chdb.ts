import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChClient, quoteName } from '../../src/store/clickhouse/client.js';
import { ClickHouseStore, type ClickHouseStoreOptions } from '../../src/store/clickhouse/clickhouse-store.js';

/**
 * How long an `afterAll` may take to remove the engine's folder: a contract run leaves about
 * 15,000 files, and at a load of 15 (CI beside six other jobs) removing them ran past vitest's
 * 60 s hook limit. Cleanup only: a longer limit hides no fault.
 */
export const CHDB_CLEANUP_MS = 300_000;

/**
 * The ClickHouse engine embedded by `chdb`, for the tests of one file: one engine and one folder
 * per process (what chdb allows), a database of its own for each store opened, removed at `cleanup`.
 *
 * `open()` without options gives a store on an empty database. A database whose store was
 * closed is emptied (`TRUNCATE ALL TABLES`) and given to the next such `open()` rather than a new
 * one made: each new database adds its 27 tables to the engine, and every query and DDL slowed
 * with their number, from 0.3 s a contract test at the first to 3.5 s at the 140th (310 s for the
 * file on CI); emptying one takes milliseconds. The store finds no schema version in the emptied
 * `spoor_meta`, so it opens as on a new database (`foundVersion` `null`). A store opened with
 * options (a database named to reopen, a retention that alters the tables) always gets its own.
 */
export function chdbStores(): {
  path: string;
  open(options?: Omit<ClickHouseStoreOptions, 'chdbPath' | 'url'>): Promise<ClickHouseStore>;
  cleanup(): Promise<void>;
} {
  const path = mkdtempSync(join(tmpdir(), 'spoor-chdb-'));
  let n = 0;
  /** Databases whose store was opened without options and closed: free to empty and use again. */
  const closed: string[] = [];

  async function openEmpty(): Promise<ClickHouseStore> {
    const database = closed.pop();
    if (database === undefined) return reusable(`spoor_${process.pid}_${++n}`);
    const ch = await ChClient.open({ chdbPath: path, database });
    try {
      await ch.command('empty a test database', `TRUNCATE ALL TABLES FROM ${quoteName(database)}`);
    } finally {
      await ch.close();
    }
    return reusable(database);
  }

  /** A store on `database` that gives the database back when it closes. */
  async function reusable(database: string): Promise<ClickHouseStore> {
    const store = await ClickHouseStore.open({ database, chdbPath: path });
    const close = store.close.bind(store);
    let given = false;
    store.close = async () => {
      await close();
      // Once: a store closed twice must not hand its database to two stores.
      if (!given) closed.push(database);
      given = true;
    };
    return store;
  }

  return {
    path,
    open: (options = {}) =>
      Object.keys(options).length === 0 ? openEmpty() : ClickHouseStore.open({ database: `spoor_${process.pid}_${++n}`, ...options, chdbPath: path }),
    cleanup: () => rm(path, { recursive: true, force: true }),
  };
}
