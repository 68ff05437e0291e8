import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';

/**
 * DuckDB stores for a file's tests, each in a new temporary directory (`chdbStores`' counterpart):
 * `cleanup`, in an `afterAll`, removes every directory once the stores are closed.
 */
export function duckDbStores(prefix: string): { open(): Promise<DuckDbStore>; cleanup(): Promise<void> } {
  const dirs: string[] = [];
  return {
    async open() {
      const dir = await mkdtemp(join(tmpdir(), `spoor-${prefix}-`));
      dirs.push(dir);
      return DuckDbStore.open({ path: join(dir, 'spoor.duckdb') });
    },
    async cleanup() {
      await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}
