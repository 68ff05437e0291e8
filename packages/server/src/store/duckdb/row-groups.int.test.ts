import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { batchOf } from '../tables.js';
import { T0, sid, span, tid } from '../../../test/support/record-fixtures.js';
import { FIRST_ROW_GROUP_ROWS, ROW_GROUP_ROWS } from './catalog.js';
import { DuckDbStore } from './duckdb-store.js';

/**
 * The size of a store's row groups: a new file's are `ROW_GROUP_ROWS`, and a file made before
 * keeps its 16,384 rows (attached with a larger size, DuckDB would merge its groups at every
 * checkpoint), each remembered in the file.
 */

let dir = '';
afterEach(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
  dir = '';
});

async function path(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'spoor-row-groups-'));
  return join(dir, 'spoor.duckdb');
}

/** One commit of `count` spans, one trace of 15 spans after another. */
async function writeSpans(store: DuckDbStore, count: number, first = 0): Promise<void> {
  const spans = Array.from({ length: count }, (_, i) =>
    span({ traceId: tid(1 + Math.floor((first + i) / 15)), spanId: sid(1 + first + i), startTimeUs: T0 + first + i, endTimeUs: T0 + first + i + 10 }),
  );
  await store.writer.write(batchOf({ spans, logs: [], metricPoints: [] }), null);
}

/** What the closed file says: its spans' largest row group, its row groups and the size it records. */
async function layoutOf(file: string): Promise<{ largest: number; groups: number; recorded: string | null }> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const rows = (sql: string) => connection.runAndReadAll(sql).then((r) => r.getRows());
    const [[largest, groups]] = (await rows(
      `SELECT max(n), count(*) FROM (SELECT row_group_id, sum(count) AS n FROM pragma_storage_info('spans')
       WHERE column_id = 0 AND segment_type <> 'VALIDITY' GROUP BY row_group_id)`,
    )) as [[bigint, bigint]];
    const recorded = await rows(`SELECT value FROM spoor_meta WHERE key = 'row_group_rows'`);
    return { largest: Number(largest), groups: Number(groups), recorded: (recorded[0]?.[0] as string | undefined) ?? null };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A store made before the size was recorded: a new file whose spoor_meta then loses its row_group_rows. */
async function madeBefore(file: string): Promise<void> {
  await (await DuckDbStore.open({ path: file })).close();
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  await connection.run(`DELETE FROM spoor_meta WHERE key = 'row_group_rows'`);
  connection.closeSync();
  instance.closeSync();
}

describe('DuckDB row groups', () => {
  it('gives a new file row groups of 65,536 rows and commits of two of them, and remembers the size', async () => {
    const file = await path();
    let store = await DuckDbStore.open({ path: file });
    expect(store.rowGroupRows).toBe(ROW_GROUP_ROWS);
    expect(store.recordsPerCommit).toBe(2 * ROW_GROUP_ROWS);
    expect(store.wholeRecords).toBe(ROW_GROUP_ROWS);
    await writeSpans(store, 70_000);
    await store.close();
    expect(await layoutOf(file)).toEqual({ largest: ROW_GROUP_ROWS, groups: 2, recorded: String(ROW_GROUP_ROWS) });
    // Opened again, the file is known by what it recorded, not by being new.
    store = await DuckDbStore.open({ path: file });
    expect(store.rowGroupRows).toBe(ROW_GROUP_ROWS);
    await store.close();
  });

  it('keeps a file made before with 16,384-row groups and 50,000-record commits, and records that', async () => {
    const file = await path();
    await madeBefore(file);

    const store = await DuckDbStore.open({ path: file });
    expect(store.rowGroupRows).toBe(FIRST_ROW_GROUP_ROWS);
    expect(store.recordsPerCommit).toBe(50_000);
    expect(store.wholeRecords).toBeUndefined();
    await writeSpans(store, 40_000);
    await store.close();
    const layout = await layoutOf(file);
    expect(layout.largest).toBe(FIRST_ROW_GROUP_ROWS);
    expect(layout.groups).toBe(3);
    expect(layout.recorded).toBe(String(FIRST_ROW_GROUP_ROWS));
  });

  it('takes a file with no Spoor schema yet (a first start stopped before writing it) as new', async () => {
    const file = await path();
    const instance = await DuckDBInstance.create(file);
    instance.closeSync();
    const store = await DuckDbStore.open({ path: file });
    expect(store.rowGroupRows).toBe(ROW_GROUP_ROWS);
    await store.close();
    expect((await layoutOf(file)).recorded).toBe(String(ROW_GROUP_ROWS));
  });

  it('attaches a file again after DuckDB invalidated it with the size it was made with', async () => {
    const file = await path();
    await madeBefore(file);

    const store = await DuckDbStore.open({ path: file });
    // What the store does when a read or write finds the database invalidated (a failed checkpoint).
    await (store as unknown as { reattach(): Promise<void> }).reattach();
    await writeSpans(store, 40_000);
    await store.close();
    // Attached again at DuckDB's own size, these 40,000 spans would be one group.
    const layout = await layoutOf(file);
    expect(layout.largest).toBe(FIRST_ROW_GROUP_ROWS);
    expect(layout.groups).toBe(3);
  });
});
