import { mkdtempSync, statfsSync } from 'node:fs';
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

/** `statfs`'s `f_type` of a tmpfs (Linux `TMPFS_MAGIC`). */
const TMPFS_MAGIC = 0x01021994;

/** What /dev/shm must have free to take an engine's folder: a contract run's peaked at 12 MiB. */
const SHM_FREE_BYTES = 512 * 1024 * 1024;

/**
 * A new folder for an engine: in /dev/shm where it is a tmpfs with room, else in the temporary
 * directory. The engine makes and deletes files by the thousand (12 to 14 for each part an insert
 * writes, removed when the next test empties the table), and on ext4 making a file where many
 * were just deleted was most of the cost: the kernel's inode allocation (`find_inode_bit`,
 * `recently_deleted`) led a profile, and the ClickHouse contract file took 97 s with its folder in
 * /tmp, 61 s in /dev/shm (system time 31 s, 8 s). The engine and its SQL are the same either way.
 */
function engineFolder(): string {
  try {
    const shm = statfsSync('/dev/shm');
    if (shm.type === TMPFS_MAGIC && shm.bavail * shm.bsize >= SHM_FREE_BYTES) return mkdtempSync('/dev/shm/spoor-chdb-');
  } catch {
    // No /dev/shm (macOS), or not one to write in: the temporary directory does.
  }
  return mkdtempSync(join(tmpdir(), 'spoor-chdb-'));
}

/**
 * The ClickHouse engine embedded by `chdb`, for the tests of one file: one engine and one folder
 * per process (what chdb allows), a database of its own for each store opened, removed at `cleanup`.
 *
 * `open()` without options gives a store on an empty database. A database whose store was
 * closed is emptied (`TRUNCATE TABLE`) and given to the next such `open()` rather than a new
 * one made: each new database adds its 27 tables to the engine, and every query and DDL slowed
 * with their number, from 0.3 s a contract test at the first to 3.5 s at the 140th (310 s for the
 * file on CI); emptying one takes milliseconds. The store finds no schema version in the emptied
 * `spoor_meta`, so it opens as on a new database (`foundVersion` `null`). A store opened with
 * options (a database named to reopen, a retention that alters the tables) always gets its own.
 *
 * One connection of its own (`keeper`) stays open from the first `open()` to `cleanup`, and the
 * emptying runs on it: chdb starts the engine when a connection opens on a folder no connection
 * holds and stops it when the last one closes, 100 to 170 ms each way, and the first query after a
 * start waits for the engine to load its tables. Opened and closed around each store, that was
 * 0.4 s of each contract test's 0.9 s (median), 60 of the file's 165 s.
 */
export function chdbStores(): {
  path: string;
  open(options?: Omit<ClickHouseStoreOptions, 'chdbPath' | 'url'>): Promise<ClickHouseStore>;
  cleanup(): Promise<void>;
} {
  const path = engineFolder();
  let n = 0;
  /** Databases whose store was opened without options and closed: free to empty and use again. */
  const closed: string[] = [];
  /** The connection that keeps the engine running while the file's stores come and go. */
  let keeper: Promise<ChClient> | null = null;
  const keep = (): Promise<ChClient> => (keeper ??= ChClient.open({ chdbPath: path }));

  async function openEmpty(): Promise<ClickHouseStore> {
    const ch = await keep();
    const database = closed.pop();
    if (database === undefined) return reusable(`spoor_${process.pid}_${++n}`);
    // Table by table, and only the tables holding parts: on a running engine `TRUNCATE ALL TABLES`
    // left each table's mutations unrun, so the next ALTER UPDATE or DELETE (which waits for its
    // mutation, `mutations_sync`) hung for good; only a restart of the engine undid it.
    const written = await ch.rows<{ name: string }>(
      'find the tables of a test database',
      'SELECT DISTINCT table AS name FROM system.parts WHERE database = {db:String} AND active',
      { db: database },
    );
    for (const { name } of written) await ch.command('empty a test table', `TRUNCATE TABLE ${quoteName(database)}.${quoteName(name)}`);
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
    open: async (options = {}) => {
      if (Object.keys(options).length === 0) return openEmpty();
      await keep();
      return ClickHouseStore.open({ database: `spoor_${process.pid}_${++n}`, ...options, chdbPath: path });
    },
    cleanup: async () => {
      // Closed first: the engine's folder is removed once nothing of this file holds it. A keeper
      // that never opened failed its test already; the folder (in memory, on /dev/shm) still goes.
      await keeper?.then(
        (ch) => ch.close(),
        () => {},
      );
      keeper = null;
      await rm(path, { recursive: true, force: true });
    },
  };
}
