import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeRequest } from '../src/ingest/decode.js';
import { CommitLoop } from '../src/pipeline/commit-loop.js';
import { type SpoolEntry, type SpoolPosition, Spool, positionToString } from '../src/pipeline/spool.js';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.js';

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

describe('CommitLoop on DuckDbStore', () => {
  it('makes every span of every pushed request readable after commitUpTo', async () => {
    const commits: Array<{ seq: number; position: SpoolPosition; records: number }> = [];
    const errors: unknown[] = [];
    const loop = new CommitLoop(store, {
      spoolDir: join(dir, 'spool'),
      decode: (entry) => decodeRequest(entry.signal, entry.encoding, entry.body, entry.projectId, entry.receivedUs).batch,
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
    entries.forEach((e, i) => loop.push(e, positions[i]!, i + 1));

    await loop.commitUpTo(ENTRIES);

    expect(errors).toEqual([]);
    for (let i = 0; i < ENTRIES; i++) {
      const trace = await store.getTrace('default', traceIdOf(i));
      expect(trace?.spans.map((s) => s.spanId).sort()).toEqual(Array.from({ length: SPANS_PER_TRACE }, (_, j) => spanIdOf(i, j)).sort());
      expect(trace?.spans.find((s) => s.parentSpanId === null)).toMatchObject({ name: `request ${i}`, serviceName: `service-${i % 3}` });
    }
    // Five requests of four spans fill a transaction; six commits alternate between the connections.
    expect(commits.map((c) => c.records)).toEqual(Array(6).fill(20));
    expect(commits.at(-1)).toMatchObject({ seq: ENTRIES, position: positions.at(-1) });
    expect(await store.readPosition()).toBe(positionToString(positions.at(-1)!));
  });
});
