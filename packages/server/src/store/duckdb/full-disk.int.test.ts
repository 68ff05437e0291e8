import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fillDisk, mountTmpfs } from '../../../test/support/tmpfs.js';
import { T0, sid, span, tid } from '../../../test/support/record-fixtures.js';
import { newKey } from '../../auth/keys.js';
import { batchOf } from '../tables.js';
import { DuckDbStore } from './duckdb-store.js';

/**
 * The store on a real full disk (a 24 MiB tmpfs). A checkpoint that fails for want of space makes
 * DuckDB invalidate the database: before, every read and commit failed until a restart.
 */

let disk: Awaited<ReturnType<typeof mountTmpfs>>;
let store: DuckDbStore | null = null;
beforeEach(async () => {
  disk = await mountTmpfs(24);
});
afterEach(async () => {
  await store?.close().catch(() => {
    // A store the test left broken closes as it can; the mount goes anyway.
  });
  store = null;
  await disk.unmount();
});

const batch = (n: number) =>
  batchOf({
    spans: Array.from({ length: 200 }, (_, i) =>
      span({
        traceId: tid(n),
        spanId: sid(i + 1),
        parentSpanId: i === 0 ? null : sid(1),
        startTimeUs: T0 + i,
        endTimeUs: T0 + i + 10,
        attributes: { padding: 'x'.repeat(400) },
      }),
    ),
    logs: [],
    metricPoints: [],
  });
const key = (n: number) => ({ serverId: 's', position: `1:${n}` });

describe('the DuckDB store on a full disk', () => {
  it('heals by itself once there is room: commits and reads resume with nothing committed lost', async () => {
    store = await DuckDbStore.open({ path: join(disk.path, 'spoor.duckdb') });
    for (let n = 1; n <= 5; n++) await store.writer.write(batch(n), key(n));
    const filler = fillDisk(disk.path, 128 * 1024);
    // The checkpoint DuckDB runs on its own when the WAL grows, made to happen now.
    const connection = (store as unknown as { connection: DuckDBConnection }).connection;
    await expect(connection.run('CHECKPOINT')).rejects.toThrow(/invalidated/);
    await expect(store.writer.write(batch(6), key(6))).rejects.toThrow();
    // Reads work again at once: the database is attached anew, its WAL replayed.
    expect((await store.traces.getTrace('default', tid(1)))?.spans).toHaveLength(200);

    await rm(filler);
    // The write that failed is written again, as the commit loop does from the spool.
    await store.writer.rollback();
    await store.writer.write(batch(6), key(6));
    await store.writer.write(batch(7), key(7));

    for (let n = 1; n <= 7; n++) expect((await store.traces.getTrace('default', tid(n)))?.spans, `trace ${n}`).toHaveLength(200);
    expect(await store.writer.readPosition('s')).toBe('1:7');
  });

  it('closes on a full disk without its checkpoint, and opens again with everything committed', async () => {
    store = await DuckDbStore.open({ path: join(disk.path, 'spoor.duckdb') });
    for (let n = 1; n <= 5; n++) await store.writer.write(batch(n), key(n));
    const filler = fillDisk(disk.path, 128 * 1024);
    // A transaction the commit loop left open: appended, never committed. Closing its connection
    // on the database the failed checkpoint invalidated aborted the process.
    await store.writer.append(batch(6), key(6));
    // The checkpoint at close finds no room: the close says so, and the process goes on.
    const closing = store;
    store = null;
    await expect(closing.close()).rejects.toThrow(/No space left on device|invalidated/);

    await rm(filler);
    store = await DuckDbStore.open({ path: join(disk.path, 'spoor.duckdb') });
    for (let n = 1; n <= 5; n++) expect((await store.traces.getTrace('default', tid(n)))?.spans, `trace ${n}`).toHaveLength(200);
    expect(await store.writer.readPosition('s')).toBe('1:5');
    expect(await store.traces.getTrace('default', tid(6))).toBeNull();
  });

  it('reads the keys, evaluators and policies it kept from the file attached anew', async () => {
    store = await DuckDbStore.open({ path: join(disk.path, 'spoor.duckdb') });
    for (let n = 1; n <= 5; n++) await store.writer.write(batch(n), key(n));
    const { record } = newKey({ projectId: 'shop', role: 'read', name: '', createdBy: 'cli', nowUs: T0 });
    await store.access.putKey(record);
    await store.evaluators.putEvaluator(
      'default',
      { name: 'polite', spec: '{}', version: 1, state: 'active', pausedReason: null, createdUs: T0, updatedUs: T0 },
      false,
    );
    await store.sampling.policies.putPolicy('shop', '{"rate":0.5}', T0);
    await store.masking.putPolicy('shop', '{}', T0);
    const s = store;
    const lists = () =>
      Promise.all([s.access.listKeys(), s.evaluators.listEvaluators('default'), s.sampling.policies.listPolicies(), s.masking.listPolicies()]);
    const kept = await lists();
    // Kept: the same records answered again.
    (await lists()).forEach((list, i) => expect(list[0], `list ${i}`).toBe(kept[i]![0]));

    const filler = fillDisk(disk.path, 128 * 1024);
    const connection = (store as unknown as { connection: DuckDBConnection }).connection;
    await expect(connection.run('CHECKPOINT')).rejects.toThrow(/invalidated/);
    await expect(store.writer.readPosition('s')).rejects.toThrow(/invalidated/);
    // The next call attaches the file anew.
    expect(await store.writer.readPosition('s')).toBe('1:5');
    await rm(filler);

    // Read again from it: the same rows, as records made anew, not the ones kept.
    const read = await lists();
    expect(read).toEqual(kept);
    read.forEach((list, i) => expect(list[0], `list ${i}`).not.toBe(kept[i]![0]));
  });
});
