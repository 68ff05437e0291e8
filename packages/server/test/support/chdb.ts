import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseStore, type ClickHouseStoreOptions } from '../../src/store/clickhouse/clickhouse-store.js';

/**
 * The ClickHouse engine embedded by `chdb`, for the tests of one file: one engine and one folder
 * per process (what chdb allows), a database of its own for each store opened, removed at `cleanup`.
 */
export function chdbStores(): {
  path: string;
  open(options?: Omit<ClickHouseStoreOptions, 'chdbPath' | 'url'>): Promise<ClickHouseStore>;
  cleanup(): void;
} {
  const path = mkdtempSync(join(tmpdir(), 'spoor-chdb-'));
  let n = 0;
  return {
    path,
    open: (options = {}) => ClickHouseStore.open({ database: `spoor_${process.pid}_${++n}`, ...options, chdbPath: path }),
    cleanup: () => rmSync(path, { recursive: true, force: true }),
  };
}
