import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import { describeReadContracts, reopenableSubject } from './every-contract.js';
import { describeWriteContract } from './store-contract-write.js';

/** Every store contract, against DuckDB on a file. */
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A path in a new folder of its own. */
async function newFile(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return join(dir, 'spoor.duckdb');
}

// Alert windows kept by slices however few spans they hold (`alertSlicesFromSpans: 0`): the contracts' hold far fewer than the default asks.
describeReadContracts('DuckDB (file)', async () => DuckDbStore.open({ path: await newFile('spoor-duckdb-'), alertSlicesFromSpans: 0 }));

describeWriteContract('DuckDB (file)', async () => {
  const path = await newFile('spoor-duckdb-write-');
  return reopenableSubject(() => DuckDbStore.open({ path, alertSlicesFromSpans: 0 }));
});
