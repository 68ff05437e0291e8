import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
 */
export function chdbStores(): {
  path: string;
  open(options?: Omit<ClickHouseStoreOptions, 'chdbPath' | 'url'>): Promise<ClickHouseStore>;
  cleanup(): Promise<void>;
} {
  const path = mkdtempSync(join(tmpdir(), 'spoor-chdb-'));
  let n = 0;
  return {
    path,
    open: (options = {}) => ClickHouseStore.open({ database: `spoor_${process.pid}_${++n}`, ...options, chdbPath: path }),
    cleanup: () => rm(path, { recursive: true, force: true }),
  };
}
