import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeStoreContract } from '../store-contract.js';
import { describeAccessContract } from '../store-contract-access.js';
import { describeAlertStoreContract } from '../store-contract-alerts.js';
import { describeAlertSeriesContract } from '../store-contract-alert-series.js';
import { describeAnalyticsContract } from '../store-contract-analytics.js';
import { describeExactRecordsContract } from '../store-contract-exact.js';
import { type WriteContractSubject, describeWriteContract } from '../store-contract-write.js';
import { logQuery, query } from '../contract-fixtures.js';
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
describeAccessContract('DuckDB (file)', openOnFile);
describeExactRecordsContract('DuckDB (file)', openOnFile);

/** The write contract's view of a DuckDB store: its reads, and reopening its file. */
async function writeSubjectOn(path: string): Promise<WriteContractSubject> {
  const store = await DuckDbStore.open({ path });
  return {
    writer: store,
    spanIds: async (traceId) => (await store.getTrace('default', traceId))?.spans.map((s) => s.spanId) ?? [],
    summarySpanCount: async (traceId) => (await store.listTraces(query(), null, 100)).find((t) => t.traceId === traceId)?.spanCount ?? 0,
    logIds: async () => (await store.listLogs(logQuery(), null, 100)).map((l) => l.logId),
    reopen: async () => {
      await store.close();
      return writeSubjectOn(path);
    },
    close: () => store.close(),
  };
}

describeWriteContract('DuckDB (file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'spoor-duckdb-write-'));
  dirs.push(dir);
  return writeSubjectOn(join(dir, 'spoor.duckdb'));
});
