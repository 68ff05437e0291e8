import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeStoreContract } from '../store-contract.js';
import { describeAlertStoreContract } from '../store-contract-alerts.js';
import { describeAlertSeriesContract } from '../store-contract-alert-series.js';
import { describeAnalyticsContract } from '../store-contract-analytics.js';
import { DuckDbStore } from './duckdb-store.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh store on a file of its own. */
async function openOnFile(): Promise<DuckDbStore> {
  const dir = await mkdtemp(join(tmpdir(), 'spoor-duckdb-'));
  dirs.push(dir);
  return DuckDbStore.open({ path: join(dir, 'spoor.duckdb') });
}

describeStoreContract('DuckDB (file)', openOnFile);
describeAnalyticsContract('DuckDB (file)', openOnFile);
describeAlertStoreContract('DuckDB (file)', openOnFile);
describeAlertSeriesContract('DuckDB (file)', openOnFile);
