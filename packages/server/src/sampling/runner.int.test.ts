import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { recordBatch } from '../../test/contract/per-test-store.js';
import { duckDbStores } from '../../test/support/duckdb.js';
import { FakeStore } from '../../test/support/fake-store.js';
import { T0, sid, span, tid } from '../../test/support/record-fixtures.js';
import { samplingBackendOf } from '../../test/support/sampling.js';
import type { Store } from '../store/store.js';
import type { SamplingBackend } from './backend.js';
import { resolvePolicy } from './policy.js';
import { SamplingRunner } from './runner.js';

const SEC = 1_000_000;
const duckdb = duckDbStores('sampler');
afterAll(() => duckdb.cleanup());

const stores: Array<[string, () => Promise<Store>]> = [
  ['the fake', async () => new FakeStore()],
  ['DuckDB', () => duckdb.open()],
];

/** A read of complete traces the runner made: from its cursor to where it looked, and how many it found. */
interface Read {
  fromUs: number;
  toUs: number;
  found: number;
}

/** A one-span trace ending at T0 + `endS` s, a second long. */
const ending = (n: number, endS: number) => span({ traceId: tid(n), spanId: sid(n), startTimeUs: T0 + (endS - 1) * SEC, endTimeUs: T0 + endS * SEC });

/** The runner's calls on `store`, its reads of complete traces noted in `looked` and the rounds it slimmed (their `nowUs`) in `slimmed`. */
function backendOf(store: Store, looked: Read[], slimmed: number[] = []): SamplingBackend {
  const calls = samplingBackendOf(store);
  return {
    ...calls,
    samplingSlimRound: (projectId, decidedUs, bounds) => {
      slimmed.push(decidedUs);
      return calls.samplingSlimRound(projectId, decidedUs, bounds);
    },
    evaluatorCompleteTraces: async (...args) => {
      const traces = await calls.evaluatorCompleteTraces(...args);
      looked.push({ fromUs: args[2].timeUs, toUs: args[3], found: traces.length });
      return traces;
    },
  };
}

describe.each(stores)('the tail sampler on %s', (_name, open) => {
  let store: Store;
  afterEach(async () => {
    await store.close();
  });

  it('decides every trace once, reading about a read of traces past its cursor rather than all it is behind by', async () => {
    store = await open();
    // 60 one-span traces, one ending each second from T0 + 1 s; two more end with the last.
    await store.write(recordBatch({ spans: [...Array.from({ length: 60 }, (_, i) => ending(i + 1, i + 1)), ending(61, 60), ending(62, 60)] }), null);
    const looked: Read[] = [];
    const db = backendOf(store, looked);
    const decided: number[] = [];
    const nowUs = T0 + 100 * SEC;
    const runner = new SamplingRunner({
      db, projectId: 'default', holder: 'a', traceQuietMs: 1_000, nowUs: () => nowUs, tracesPerRead: 10, maxReadsPerRound: 4,
      startLookbackMs: 200_000, onDecided: (_project, outcome) => decided.push(Object.values(outcome.decided).reduce((a, b) => a + b, 0)),
    });
    for (let round = 0; round < 6; round++) await runner.tick(resolvePolicy({ rate: 0.5, keep: {} }), T0 - SEC);

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

  it('reads once a round while ingest is busy, and slims what it sampled out once ingest is idle or after maxSlimDelayMs, even once the policy is gone', async () => {
    store = await open();
    await store.write(recordBatch({ spans: Array.from({ length: 50 }, (_, i) => ending(i + 1, i + 1)) }), null);
    const [looked, slimmed]: [Read[], number[]] = [[], []];
    let busy = true;
    let nowUs = T0 + 100 * SEC;
    const decided: number[] = [];
    const runner = new SamplingRunner({
      db: backendOf(store, looked, slimmed), projectId: 'default', holder: 'a', traceQuietMs: 1_000, nowUs: () => nowUs, tracesPerRead: 10, maxReadsPerRound: 4,
      startLookbackMs: 200_000, ingestBusy: () => busy, maxSlimDelayMs: 30_000, onDecided: (_project, outcome) => decided.push(Object.values(outcome.decided).reduce((a, b) => a + b, 0)),
    });
    const round = async () => {
      const [reads, traces, slims] = [looked.length, decided.length, slimmed.length];
      await runner.tick(resolvePolicy({ rate: 0.5, keep: {} }), T0 - SEC);
      nowUs += 2 * SEC;
      return { reads: looked.length - reads, decided: decided.slice(traces).reduce((a, b) => a + b, 0), slimmed: slimmed.slice(slims) };
    };
    const first = nowUs;
    expect(runner.behindUs(nowUs)).toBeNull();
    expect(await round()).toEqual({ reads: 1, decided: 10, slimmed: [] });
    // Its scan reached the 10th trace's end: what ended after it and before the quiet point waits.
    expect(runner.behindUs(nowUs)).toBe(nowUs - SEC - (T0 + 10 * SEC));
    expect(await round()).toEqual({ reads: 1, decided: 10, slimmed: [] });
    busy = false;
    // Idle: it reads on, and slims the rounds left, oldest first, then its own.
    expect(await round()).toEqual({ reads: 4, decided: 30, slimmed: [first, first + 2 * SEC, first + 4 * SEC] });
    // Its scan looks a stretch at a time; the next round reaches the quiet point of its time, 2 s ago.
    expect(await round()).toEqual({ reads: 1, decided: 0, slimmed: [] });
    expect(runner.behindUs(nowUs)).toBe(2 * SEC - 1);
    expect((await store.sampling.decisionsOf('default', [...Array(50).keys()].map((i) => tid(i + 1)))).size).toBe(50);

    // Busy for good: a round's slimming waits maxSlimDelayMs at most.
    await store.write(recordBatch({ spans: Array.from({ length: 10 }, (_, i) => ending(51 + i, 60 + i)) }), null);
    busy = true;
    nowUs += 100 * SEC;
    const waiting = nowUs;
    expect(await round()).toEqual({ reads: 1, decided: 10, slimmed: [] });
    for (let s = 2; s < 30; s += 2) expect((await round()).slimmed).toEqual([]);
    expect((await round()).slimmed).toEqual([waiting]);

    // A round held back, then the policy removed: its decisions stand, and it is slimmed.
    await store.write(recordBatch({ spans: [ending(70, 90)] }), null);
    busy = true;
    const held = nowUs;
    const slims = slimmed.length;
    await runner.tick(resolvePolicy({ rate: 0, keep: {} }), T0 - SEC);
    expect(slimmed.length).toBe(slims);
    expect((await store.sampling.decisionsOf('default', [tid(70)])).get(tid(70))).toBe(false);
    nowUs += 2 * SEC;
    busy = false;
    await runner.tick(null, T0 - SEC);
    expect(slimmed.at(-1)).toBe(held);
    expect(runner.behindUs(nowUs)).toBeNull();
  });
});
