import { afterAll, describe, expect, it } from 'vitest';
import { CHDB_CLEANUP_MS, chdbStores } from '../../../test/support/chdb.js';
import { T0, sid, span, tid } from '../../../test/support/record-fixtures.js';
import { SPANS, batchOf } from '../tables.js';
import { ChClient } from './client.js';

const engine = chdbStores();
afterAll(() => engine.cleanup(), CHDB_CLEANUP_MS);

const count = async (ch: ChClient, table: 'spans' | 'trace_parts' | 'logs' | 'span_stats'): Promise<number> =>
  (await ch.row<{ n: number }>('count', `SELECT count() AS n FROM ${ch.tables[table]}`))!.n;

describe('ClickHouse writer', () => {
  it('deletes the rows of a commit cut short (begun, never committed) before the spool replays it', async () => {
    const database = `spoor_cut_${process.pid}`;
    const store = await engine.open({ database });
    const ch = await ChClient.open({ chdbPath: engine.path, database });
    const trace = (n: number) =>
      batchOf({
        spans: [span({ traceId: tid(n), spanId: sid(1) }), span({ traceId: tid(n), spanId: sid(2), parentSpanId: sid(1), startTimeUs: T0 + 5 })],
        logs: [],
        metricPoints: [],
      });
    await store.writer.write(trace(7), { serverId: 'server-1', position: '1:10' });
    // The crash: a second commit recorded `begun` and inserted its spans, then the process died
    // before its trace parts and its `committed` row.
    await ch.command('begin', `INSERT INTO ${ch.tables.spool_positions} VALUES ('server-1', '1:20', 1, 20, 4242, 'begun', 0)`);
    await ch.command(
      'insert a cut-short commit',
      `INSERT INTO ${ch.tables.spans} SELECT * REPLACE (4242 AS batch_id, '${tid(8)}' AS trace_id) FROM ${ch.tables.spans} LIMIT 1`,
    );
    expect(await count(ch, 'spans')).toBe(3);
    await store.close();

    const reopened = await engine.open({ database });
    // Reading the position (what the commit loop does at start) abandons the cut-short commit.
    expect(await reopened.writer.readPosition('server-1')).toBe('1:10');
    expect(await count(ch, 'spans')).toBe(2);
    const states = await ch.rows<{ state: string }>('states', `SELECT state FROM ${ch.tables.spool_positions} WHERE batch_id = 4242 ORDER BY state`);
    expect(states.map((s) => s.state)).toEqual(['abandoned', 'begun']);
    // Writing the commit again stores it once.
    await reopened.writer.write(trace(8), { serverId: 'server-1', position: '1:20' });
    expect((await reopened.traces.getTrace('default', tid(8)))?.spans.map((s) => s.spanId).sort()).toEqual([sid(1), sid(2)]);
    expect(await count(ch, 'spans')).toBe(4);
    expect(await reopened.writer.readPosition('server-1')).toBe('1:20');
    await reopened.close();
    await ch.close();
  });

  it("leaves another server's commit in progress alone", async () => {
    const database = `spoor_other_${process.pid}`;
    const store = await engine.open({ database });
    const ch = await ChClient.open({ chdbPath: engine.path, database });
    await ch.command('begin', `INSERT INTO ${ch.tables.spool_positions} VALUES ('server-b', '3:30', 3, 30, 99, 'begun', 0)`);
    await ch.command(
      'insert',
      `INSERT INTO ${ch.tables.trace_parts} (project_id, trace_id, start_us, end_us, span_count, error_count, first_name, first_service, batch_id) VALUES ('default', 'aa', 1, 2, 1, 0, 'op', 'svc', 99)`,
    );
    expect(await store.writer.readPosition('server-a')).toBeNull();
    expect(await count(ch, 'trace_parts')).toBe(1);
    await store.close();
    await ch.close();
  });

  it('deletes the rows of a commit cut short in this process before writing its batches again after a rollback', async () => {
    const database = `spoor_rolled_${process.pid}`;
    const store = await engine.open({ database });
    const ch = await ChClient.open({ chdbPath: engine.path, database });
    const trace = (n: number) => batchOf({ spans: [span({ traceId: tid(n), spanId: sid(1) })], logs: [], metricPoints: [] });
    await store.writer.write(trace(1), { serverId: 'server-1', position: '1:10' });
    // A commit of this writer failed after its rows reached ClickHouse (the connection broke
    // before `committed`): ClickHouse holds them under `begun`, and the commit loop rolls back.
    await ch.command('begin', `INSERT INTO ${ch.tables.spool_positions} VALUES ('server-1', '1:20', 1, 20, 777, 'begun', 0)`);
    await ch.command('cut short', `INSERT INTO ${ch.tables.spans} SELECT * REPLACE (777 AS batch_id, '${tid(2)}' AS trace_id) FROM ${ch.tables.spans} LIMIT 1`);
    await store.writer.rollback();
    // The loop reads the entry back from the spool and writes it again: stored once.
    await store.writer.write(trace(2), { serverId: 'server-1', position: '1:20' });
    expect((await store.traces.getTrace('default', tid(2)))?.spans).toHaveLength(1);
    expect(await count(ch, 'spans')).toBe(2);
    await store.close();
    await ch.close();
  });

  it('deletes the slim spans of a commit cut short too, and only those (a chunk of spoor migrate stopped halfway)', async () => {
    const database = `spoor_cut_stats_${process.pid}`;
    const store = await engine.open({ database });
    const ch = await ChClient.open({ chdbPath: engine.path, database });
    await store.writer.write(batchOf({ spans: [span({ traceId: tid(1), spanId: sid(1) })], logs: [], metricPoints: [] }), {
      serverId: 'server-1',
      position: '1:10',
    });
    const columns = [...SPANS.map((c) => c.name), 'response_id', 'batch_id'].join(', ');
    const copy = (batchId: string) =>
      `INSERT INTO ${ch.tables.span_stats} (${columns}) SELECT ${SPANS.map((c) => c.name).join(', ')}, '', ${batchId} FROM ${ch.tables.spans}`;
    // A committed commit's span moved to span_stats, as the sampling move does (keeping its batch_id)...
    await ch.command('move a span', copy('batch_id'));
    // ...and a chunk of the migration that began, inserted its rows, and stopped before `committed`.
    await ch.command('begin', `INSERT INTO ${ch.tables.spool_positions} VALUES ('migrate:span_stats', '1:39', 1, 39, 5151, 'begun', 0)`);
    await ch.command('insert a cut-short chunk', copy('5151'));
    expect(await count(ch, 'span_stats')).toBe(2);
    await store.close();

    const reopened = await engine.open({ database });
    expect(await reopened.writer.readPosition('migrate:span_stats')).toBeNull();
    expect(await count(ch, 'span_stats')).toBe(1);
    expect(await ch.rows<{ n: number }>('left', `SELECT count() AS n FROM ${ch.tables.span_stats} WHERE batch_id = 5151`)).toEqual([{ n: 0 }]);
    await reopened.close();
    await ch.close();
  });
});
