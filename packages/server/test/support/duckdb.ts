import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';

/**
 * DuckDB stores for a file's tests, each in a new temporary directory (`chdbStores`' counterpart):
 * `cleanup`, in an `afterAll`, removes every directory once the stores are closed.
 */
export function duckDbStores(prefix: string): { open(): Promise<DuckDbStore>; reopen(store: DuckDbStore): Promise<DuckDbStore>; cleanup(): Promise<void> } {
  const dirs: string[] = [];
  const paths = new WeakMap<DuckDbStore, string>();
  const openAt = async (path: string) => {
    const store = await DuckDbStore.open({ path });
    paths.set(store, path);
    return store;
  };
  return {
    async open() {
      const dir = await mkdtemp(join(tmpdir(), `spoor-${prefix}-`));
      dirs.push(dir);
      return openAt(join(dir, 'spoor.duckdb'));
    },
    /** `store` closed (which checkpoints its file) and its file opened again. */
    async reopen(store) {
      await store.close();
      return openAt(paths.get(store)!);
    },
    async cleanup() {
      await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

/**
 * For an in-memory DuckDB instance a test reads files with: no spilling. Such an instance spills
 * to `.tmp` in the working directory, under fixed names, which test files running side by side
 * share; what they read fits in memory, and an instance that ever needed more fails saying so.
 */
export const NO_SPILL = { temp_directory: '' } as const;
