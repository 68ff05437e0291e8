import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { recordBatch } from '../../test/contract/per-test-store.js';
import { FakeStore } from '../../test/support/fake-store.js';
import { T0, sid, span, tid } from '../../test/support/record-fixtures.js';
import { evaluatorCalls } from '../quality/backend.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { Store } from '../store/store.js';
import { type SamplingBackend, samplingCalls } from './backend.js';
import { SamplingRunner } from './runner.js';

const SEC = 1_000_000;
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const stores: Array<[string, () => Promise<Store>]> = [
  ['the fake', async () => new FakeStore()],
  ['DuckDB', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spoor-sampler-'));
    dirs.push(dir);
    return DuckDbStore.open({ path: join(dir, 'spoor.duckdb') });
  }],
];

describe.each(stores)('the tail sampler on %s', (_name, open) => {
  let store: Store;
  afterEach(async () => {
    await store.close();
  });

  it('decides every trace once, reading about a read of traces past its cursor rather than all it is behind by', async () => {
    store = await open();
    // 60 one-span traces, one ending each second from T0 + 1 s; two more end with the last.
    const ending = (n: number, endS: number) => span({ traceId: tid(n), spanId: sid(n), startTimeUs: T0 + (endS - 1) * SEC, endTimeUs: T0 + endS * SEC });
    await store.write(recordBatch({ spans: [...Array.from({ length: 60 }, (_, i) => ending(i + 1, i + 1)), ending(61, 60), ending(62, 60)] }), null);
    const evaluators = evaluatorCalls(store);
    const looked: Array<{ fromUs: number; toUs: number; found: number }> = [];
    const db: SamplingBackend = {
      ...samplingCalls(store),
      evaluatorTakeLease: evaluators.evaluatorTakeLease,
      evaluatorRunningTraces: evaluators.evaluatorRunningTraces,
      evaluatorCompleteTraces: async (...args) => {
        const traces = await evaluators.evaluatorCompleteTraces(...args);
        looked.push({ fromUs: args[2].timeUs, toUs: args[3], found: traces.length });
        return traces;
      },
      liveHead: () => store.live.head(),
    };
    const decided: number[] = [];
    const nowUs = T0 + 100 * SEC;
    const runner = new SamplingRunner({
      db, projectId: 'default', holder: 'a', traceQuietMs: 1_000, nowUs: () => nowUs, tracesPerRead: 10, maxReadsPerRound: 4,
      startLookbackMs: 200_000, onDecided: (_project, outcome) => decided.push(Object.values(outcome.decided).reduce((a, b) => a + b, 0)),
    });
    for (let round = 0; round < 6; round++) await runner.tick({ rate: 0.5, keep: {} }, T0 - SEC);

    const ids = [...Array(62).keys()].map((i) => tid(i + 1));
    expect((await store.sampling.decisionsOf('default', ids)).size).toBe(62);
    expect(decided.reduce((a, b) => a + b, 0)).toBe(62);
    // The first read looks as far as the quiet point; a read after a full one looks twice the
    // stretch that one's ten traces took (10-11 s), not the whole way; the last reaches it.
    const upTo = nowUs - SEC;
    expect(looked[0]).toMatchObject({ toUs: upTo, found: 10 });
    const afterFull = looked.filter((_, i) => i > 0 && looked[i - 1]!.found === 10);
    expect(afterFull.length).toBeGreaterThanOrEqual(5);
    for (const read of afterFull) expect(read.toUs - read.fromUs).toBeLessThanOrEqual(22 * SEC);
    expect(looked.at(-1)!.toUs).toBe(upTo);
  });
});
