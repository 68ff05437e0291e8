import { afterAll } from 'vitest';
import { chdbStores } from '../../../test/support/chdb.js';
import { describeStoreContract } from '../store-contract.js';
import { describeAccessContract } from '../store-contract-access.js';
import { describeAlertStoreContract } from '../store-contract-alerts.js';
import { describeAlertSeriesContract } from '../store-contract-alert-series.js';
import { describeAnalyticsContract } from '../store-contract-analytics.js';
import { describeExactRecordsContract } from '../store-contract-exact.js';
import { type WriteContractSubject, describeWriteContract } from '../store-contract-write.js';
import { logQuery, query } from '../contract-fixtures.js';
import type { ClickHouseStore } from './clickhouse-store.js';

/** Every store contract, against the ClickHouse engine embedded by `chdb` (ClickHouse 26). */
const engine = chdbStores();
afterAll(() => engine.cleanup());

const open = () => engine.open();

describeStoreContract('ClickHouse (chdb)', open);
describeAnalyticsContract('ClickHouse (chdb)', open);
describeAlertStoreContract('ClickHouse (chdb)', open);
describeAlertSeriesContract('ClickHouse (chdb)', open);
describeAccessContract('ClickHouse (chdb)', open);
describeExactRecordsContract('ClickHouse (chdb)', open);

/** The write contract's view of a ClickHouse store: its reads, and opening its database again. */
async function writeSubjectOn(database: string, store?: ClickHouseStore): Promise<WriteContractSubject> {
  const opened = store ?? (await engine.open({ database }));
  return {
    writer: opened,
    spanIds: async (traceId) => (await opened.getTrace('default', traceId))?.spans.map((s) => s.spanId) ?? [],
    summarySpanCount: async (traceId) => (await opened.listTraces(query(), null, 100)).find((t) => t.traceId === traceId)?.spanCount ?? 0,
    logIds: async () => (await opened.listLogs(logQuery(), null, 100)).map((l) => l.logId),
    reopen: async () => {
      await opened.close();
      return writeSubjectOn(database);
    },
    close: () => opened.close(),
  };
}

let writeDatabases = 0;
describeWriteContract('ClickHouse (chdb)', () => writeSubjectOn(`spoor_write_${process.pid}_${++writeDatabases}`));
