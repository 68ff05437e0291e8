import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T0, query } from '../../../test/support/record-fixtures.js';
import { TRACE_TOTALS } from '../sql/traces.js';
import { DuckDbStore } from './duckdb-store.js';
import { traceKeySql } from './trace-key.js';

/**
 * The trace list on a store of many traces, in a memory limit that grouping every trace of the
 * project exceeds: it did, and the dashboard's first page answered 500 "Out of Memory" on a store
 * of 21 million spans while it took ingest (twenty-first session). A page reads a window of the
 * newest parts (`sql/traces.ts`).
 */

const PARTS = 600_000;
/** Trace `i` (id: the MD5 of `i`) has one part, starting at `T0 + i` ms. */
const traceId = (i: number) => createHash('md5').update(String(i)).digest('hex');
const startOf = (i: number) => T0 + i * 1_000;

let dir: string;
let store: DuckDbStore;
const connectionOf = (s: DuckDbStore): DuckDBConnection => (s as unknown as { connection: DuckDBConnection }).connection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-trace-list-'));
  store = await DuckDbStore.open({ path: join(dir, 'spoor.duckdb'), memoryLimit: '48MB', threads: 1 });
  await connectionOf(store).run(
    `INSERT INTO trace_parts (project_id, trace_id, start_us, end_us, span_count, error_count, root_name, root_service, first_name, first_service,
       trace_key, commit_seq)
     SELECT 'default', md5(i::VARCHAR), ${T0} + i * 1000, ${T0} + i * 1000 + 500, 3, CAST(i % 1000 = 0 AS BIGINT), 'run ' || (i % 97), 'agent', 'step', 'agent',
       ${traceKeySql('md5(i::VARCHAR)')}, i
     FROM range(${PARTS}) r(i)`,
  );
}, 60_000);
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the trace list on a store of many traces', () => {
  it('grouping every trace runs out of the memory limit the list answers in', async () => {
    // What the list did before: the reason this file exists, kept so the limit stays tight enough to show it.
    await expect(
      connectionOf(store).runAndReadAll(
        `SELECT trace_id, ${TRACE_TOTALS} FROM trace_parts WHERE project_id = 'default' GROUP BY trace_id ORDER BY t_start DESC LIMIT 51`,
      ),
    ).rejects.toThrow(/Out of Memory/);
  });

  it('answers the newest page, the next, one deep in the store and a range in it', async () => {
    const ids = (from: number, count: number) => Array.from({ length: count }, (_, k) => traceId(from - k));
    const first = await store.traces.listTraces(query(), null, 51);
    expect(first.map((t) => t.traceId)).toEqual(ids(PARTS - 1, 51));
    expect(first[0]).toMatchObject({ startTimeUs: startOf(PARTS - 1), endTimeUs: startOf(PARTS - 1) + 500, spanCount: 3, rootName: `run ${(PARTS - 1) % 97}` });

    const next = await store.traces.listTraces(query(), { timeUs: first[50]!.startTimeUs, id: first[50]!.traceId }, 51);
    expect(next.map((t) => t.traceId)).toEqual(ids(PARTS - 52, 51));

    const deep = await store.traces.listTraces(query(), { timeUs: startOf(1_000), id: traceId(1_000) }, 20);
    expect(deep.map((t) => t.traceId)).toEqual(ids(999, 20));

    const range = await store.traces.listTraces(query({ range: { fromUs: startOf(300_000), toUs: startOf(300_010) } }), null, 51);
    expect(range.map((t) => t.traceId)).toEqual(ids(300_009, 10));

    // One trace in a thousand failed: the window widens until the page is full.
    const failed = await store.traces.listTraces(query({ status: 'error' }), null, 5);
    expect(failed.map((t) => t.traceId)).toEqual([599_000, 598_000, 597_000, 596_000, 595_000].map(traceId));
  });

  it('answers a filter no trace meets: the window grows to the whole store, grouped by numbers alone (which spill)', async () => {
    expect(await store.traces.listTraces(query({ minDurationMs: 1 }), null, 5)).toEqual([]);
  });
});
