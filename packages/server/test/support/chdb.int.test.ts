import { afterAll, describe, expect, it } from 'vitest';
import { ChClient } from '../../src/store/clickhouse/client.js';
import type { ClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.js';
import { recordBatch } from '../contract/per-test-store.js';
import { CHDB_CLEANUP_MS, chdbStores } from './chdb.js';
import { T0, log, point, span, tid } from './record-fixtures.js';

/**
 * The contract suites' ClickHouse stores: a database a closed store leaves is emptied and used
 * again, so a store that `open()` gives must read as new whatever the one before it wrote.
 */
const engine = chdbStores();
afterAll(() => engine.cleanup(), CHDB_CLEANUP_MS);

/** Rows in every table of every database of the engine (this file's only). */
async function rowsInEngine(): Promise<number> {
  const ch = await ChClient.open({ chdbPath: engine.path });
  try {
    const row = await ch.row<{ n: number }>('count rows', `SELECT toInt64(sum(total_rows)) AS n FROM system.tables WHERE startsWith(database, 'spoor_')`);
    return row?.n ?? 0;
  } finally {
    await ch.close();
  }
}

/** Records in tables of each kind: records, keys, the audit log, the session secret. */
async function fill(store: ClickHouseStore, n: number): Promise<void> {
  await store.writer.write(recordBatch({ spans: [span({ traceId: tid(n) })], logs: [log({ logId: `l${n}` })], metricPoints: [point()] }), null);
  await store.access.putKey({ id: `key${n}`, projectId: 'default', role: 'admin', name: '', hash: `h${n}`, createdUs: T0, createdBy: 'cli', revokedUs: null });
  await store.access.appendAudit({ timeUs: T0, projectId: 'default', keyId: `key${n}`, action: 'POST /api/keys', target: `key${n}`, detail: null });
  await store.access.sessionSecret();
}

describe('the embedded ClickHouse stores of a test file', () => {
  it('gives the next store the database a closed one wrote in, with no row left, opened as new', async () => {
    const first = await engine.open();
    expect(first.foundVersion).toBeNull();
    await fill(first, 1);
    await first.close();
    expect(await rowsInEngine()).toBeGreaterThan(0);

    const next = await engine.open();
    // The schema version is all it holds: written as the store opened, as on a new database.
    expect(await rowsInEngine()).toBe(1);
    expect(next.foundVersion).toBeNull();
    expect(await next.traces.getTrace('default', tid(1))).toBeNull();
    expect(await next.access.listKeys()).toEqual([]);
    await next.close();
  });

  it('never gives a database to a store while another has it open, nor to two stores when one is closed twice', async () => {
    const first = await engine.open();
    await first.close();
    await first.close();
    const [a, b] = [await engine.open(), await engine.open()];
    await fill(a, 2);
    expect(await b.traces.getTrace('default', tid(2))).toBeNull();
    expect(await b.access.listKeys()).toEqual([]);
    expect((await a.traces.getTrace('default', tid(2)))?.spans).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps a database opened by name for that name alone', async () => {
    const named = await engine.open({ database: 'spoor_named' });
    await fill(named, 3);
    await named.close();
    const fresh = await engine.open();
    expect(await fresh.traces.getTrace('default', tid(3))).toBeNull();
    await fresh.close();
    const again = await engine.open({ database: 'spoor_named' });
    expect(again.foundVersion).not.toBeNull();
    expect((await again.traces.getTrace('default', tid(3)))?.spans).toHaveLength(1);
    await again.close();
  });
});
