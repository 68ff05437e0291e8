import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeBatch } from '../src/ingest/decode.js';
import { CommitLoop } from '../src/pipeline/commit-loop.js';
import { listQuarantine } from '../src/pipeline/quarantine.js';
import { type SpoolEntry, type SpoolPosition, Spool, positionToString } from '../src/pipeline/spool.js';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { validityBytes } from '../src/store/columns.js';
import { SPANS, type WriteBatch } from '../src/store/tables.js';

/** The commit loop in front of the real DuckDB store: two writer connections taking turns. */

const ENTRIES = 30;
const SPANS_PER_TRACE = 4;
const T0_NS = 1_700_000_000_000_000_000n;

let dir: string;
let spool: Spool;
let store: DuckDbStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-commit-loop-duckdb-'));
  spool = await Spool.open(join(dir, 'spool'));
  store = await DuckDbStore.open({ path: join(dir, 'x.duckdb') });
});

afterEach(async () => {
  await store.close();
  await spool.close();
  await rm(dir, { recursive: true, force: true });
});

const hex = (n: number, digits: number): string => n.toString(16).padStart(digits, '0');
const traceIdOf = (i: number): string => `${hex(0xabc, 16)}${hex(i + 1, 16)}`;
const spanIdOf = (i: number, j: number): string => hex((i + 1) * 1000 + j + 1, 16);

/** One OTLP/JSON export request holding one trace: a root and its children. */
function traceBody(i: number): Uint8Array {
  const spans = Array.from({ length: SPANS_PER_TRACE }, (_, j) => ({
    traceId: traceIdOf(i),
    spanId: spanIdOf(i, j),
    parentSpanId: j === 0 ? '' : spanIdOf(i, 0),
    name: j === 0 ? `request ${i}` : `step ${j}`,
    kind: j === 0 ? 2 : 1,
    startTimeUnixNano: String(T0_NS + BigInt(i * 1_000_000 + j * 1000)),
    endTimeUnixNano: String(T0_NS + BigInt(i * 1_000_000 + j * 1000 + 500)),
    attributes: [{ key: 'entry', value: { intValue: String(i) } }],
  }));
  const request = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: `service-${i % 3}` } }] },
        scopeSpans: [{ scope: { name: 'commit-loop-test' }, spans }],
      },
    ],
  };
  return new TextEncoder().encode(JSON.stringify(request));
}

const decode = (entry: SpoolEntry): WriteBatch => decodeBatch(entry.signal, entry.encoding, entry.body, entry.projectId, entry.receivedUs, undefined).batch;

describe('CommitLoop on DuckDbStore', () => {
  it('makes every span of every pushed request readable after commitUpTo', async () => {
    const commits: Array<{ seq: number; position: SpoolPosition; records: number }> = [];
    const errors: unknown[] = [];
    const loop = new CommitLoop(store.writer, {
      spoolDir: join(dir, 'spool'),
      decode,
      // Several transactions, so the two writer connections take turns.
      maxRecordsPerCommit: 20,
      lingerMs: 60_000,
      onCommit: (seq, position, records) => commits.push({ seq, position, records }),
      onError: (error) => errors.push(error),
    });
    const entries: SpoolEntry[] = Array.from({ length: ENTRIES }, (_, i) => ({
      signal: 'traces',
      encoding: 'json',
      projectId: 'default',
      receivedUs: 1_700_000_000_000_000 + i,
      body: traceBody(i),
    }));
    const positions = await Promise.all(entries.map((e) => spool.append(e)));
    entries.forEach((e, i) => loop.push(decode(e), positions[i]!, i + 1));

    await loop.commitUpTo(ENTRIES);

    expect(errors).toEqual([]);
    for (let i = 0; i < ENTRIES; i++) {
      const trace = await store.traces.getTrace('default', traceIdOf(i));
      expect(trace?.spans.map((s) => s.spanId).sort()).toEqual(Array.from({ length: SPANS_PER_TRACE }, (_, j) => spanIdOf(i, j)).sort());
      expect(trace?.spans.find((s) => s.parentSpanId === null)).toMatchObject({ name: `request ${i}`, serviceName: `service-${i % 3}` });
    }
    // Five requests of four spans fill a transaction; six commits alternate between the connections.
    expect(commits.map((c) => c.records)).toEqual(Array(6).fill(20));
    expect(commits.at(-1)).toMatchObject({ seq: ENTRIES, position: positions.at(-1) });
    expect(await store.writer.readPosition('server-1')).toBe(positionToString(positions.at(-1)!));
  });

  it('recovers when a commit fails while the next transaction is already handed off', async () => {
    // Fault injection on the driver: the next COMMIT on the first writer connection fails as a
    // disk error would (DuckDB has rolled the transaction back). The transaction handed off
    // after it, on the other connection, must be rolled back too, or that connection could never
    // begin another transaction and ingest would stop.
    const lanes = (store as unknown as { batches: { lanes: Array<{ connection: { run: (sql: string, ...rest: unknown[]) => Promise<unknown> } }> } }).batches
      .lanes;
    const first = lanes[0]!.connection;
    const run = first.run.bind(first);
    let failNextCommit = false;
    first.run = async (sql, ...rest) => {
      if (sql === 'COMMIT' && failNextCommit) {
        failNextCommit = false;
        await run('ROLLBACK');
        throw new Error('simulated I/O error on COMMIT');
      }
      return run(sql, ...rest);
    };
    const errors: unknown[] = [];
    const loop = new CommitLoop(store.writer, {
      spoolDir: join(dir, 'spool'),
      decode,
      maxRecordsPerCommit: SPANS_PER_TRACE,
      lingerMs: 5,
      onCommit: () => {},
      onError: (error) => errors.push(error),
    });
    let seq = 0;
    const push = async (i: number): Promise<void> => {
      const entry: SpoolEntry = { signal: 'traces', encoding: 'json', projectId: 'default', receivedUs: 1, body: traceBody(i) };
      loop.push(decode(entry), await spool.append(entry), ++seq);
    };
    await push(0);
    await push(1);
    await loop.commitUpTo(2);
    failNextCommit = true;
    await push(2);
    await push(3);
    await push(4);

    await loop.commitUpTo(5);

    expect(errors).toHaveLength(1);
    for (let i = 0; i < 5; i++) {
      const trace = await store.traces.getTrace('default', traceIdOf(i));
      expect(trace?.spans).toHaveLength(SPANS_PER_TRACE);
    }
  });

  it('quarantines a batch DuckDB refuses on every try and commits the ones around it', async () => {
    // The decoder now refuses such spans; this stands for whatever a store may still refuse.
    const refusing = (entry: SpoolEntry) => {
      const batch = decode(entry);
      if (entry.receivedUs === 2) {
        // A NULL in the second span's flags, a NOT NULL column.
        const spans = batch.tables.find((table) => table.table === 'spans')!;
        const flags = spans.columns[SPANS.findIndex((column) => column.name === 'flags')]!;
        if (flags.type !== 'uinteger') throw new Error('flags should be a uinteger column');
        flags.valid = new Uint8Array(validityBytes(spans.rows)).fill(0xff);
        flags.valid[0] = 0xfd;
      }
      return batch;
    };
    const errors: unknown[] = [];
    const loop = new CommitLoop(store.writer, {
      spoolDir: join(dir, 'spool'),
      quarantineDir: join(dir, 'quarantine'),
      decode: refusing,
      lingerMs: 5,
      onCommit: () => {},
      onError: (error) => errors.push(error),
    });
    for (let i = 0; i < 4; i++) {
      const entry: SpoolEntry = { signal: 'traces', encoding: 'json', projectId: 'default', receivedUs: i, body: traceBody(i) };
      loop.push(refusing(entry), await spool.append(entry), i + 1);
    }

    await loop.commitUpTo(4);

    // DuckDB finds the NULL when the appender is flushed at commit: once in a commit shared with
    // other entries, then on each of three tries alone.
    expect(errors).toHaveLength(4);
    for (const i of [0, 1, 3]) expect((await store.traces.getTrace('default', traceIdOf(i)))?.spans).toHaveLength(SPANS_PER_TRACE);
    expect(await store.traces.getTrace('default', traceIdOf(2))).toBeNull();
    expect(listQuarantine(join(dir, 'quarantine'))).toEqual([expect.objectContaining({ receivedUs: 2, records: SPANS_PER_TRACE, attempts: 3 })]);
  });
});
