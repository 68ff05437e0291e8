import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { recordBatch } from '../../test/contract/per-test-store.js';
import { CHDB_CLEANUP_MS, chdbStores } from '../../test/support/chdb.js';
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
const engine = chdbStores();
afterAll(async () => {
  await Promise.all([engine.cleanup(), duckdb.cleanup()]);
}, CHDB_CLEANUP_MS);

const stores: Array<[string, () => Promise<Store>]> = [
  ['the fake', async () => new FakeStore()],
  ['DuckDB', () => duckdb.open()],
  ['ClickHouse (chdb)', () => engine.open()],
];

/** A one-span trace ending at `endUs`, a second long; with `error`, its span failed. */
const ending = (n: number, endUs: number, error = false) =>
  span({
    traceId: tid(n),
    spanId: sid(n),
    startTimeUs: endUs - SEC,
    endTimeUs: endUs,
    status: error ? { code: 'error', message: 'failed' } : { code: 'unset', message: '' },
  });

/** The runner's calls on `store`, the rounds it slimmed (their `nowUs`) noted in `slimmed`. */
function backendOf(store: Store, slimmed: number[] = []): SamplingBackend {
  const calls = samplingBackendOf(store);
  return {
    ...calls,
    sampling: {
      ...calls.sampling,
      slimRound: (projectId, decidedUs, bounds) => {
        slimmed.push(decidedUs);
        return calls.sampling.slimRound(projectId, decidedUs, bounds);
      },
    },
  };
}

describe.each(stores)('the tail sampler on %s', (_name, open) => {
  let store: Store;
  // Written with spool positions, as a server writes: the runner follows those commits.
  let offset = 0;
  const key = () => ({ serverId: 'server-1', position: `1:${++offset}` });
  afterEach(async () => {
    await store.close();
  });

  it("decides every trace of a burst once, whatever its spans' clocks say, across a restart and a lease that changes hands", async () => {
    store = await open();
    let nowUs = T0 + 100 * SEC;
    const decided = new Map<string, number>();
    const runnerOf = (holder: string) =>
      new SamplingRunner({
        db: backendOf(store),
        projectId: 'default',
        holder,
        traceQuietMs: 30_000,
        nowUs: () => nowUs,
        tracesPerRead: 1500,
        maxReadsPerRound: 2,
        startLookbackMs: 3_600_000,
        leaseTtlMs: 60_000,
        onDecided: (_project, outcome) => {
          for (const [reason, n] of Object.entries(outcome.decided)) decided.set(reason, (decided.get(reason) ?? 0) + n);
        },
      });
    const policy = resolvePolicy({ rate: 0.1, keep: { errors: true } });
    const first = runnerOf('a');
    await first.tick(policy, nowUs);
    // 10,000 traces in 20 commits within a second: on time, 90 s and 10 minutes late, 5 minutes
    // ahead, and a year late all ending in one microsecond; 200 of them failed.
    const endOf = [nowUs, nowUs - 90 * SEC, nowUs - 600 * SEC, nowUs + 300 * SEC, T0 - 365 * 86_400 * SEC];
    for (let c = 0; c < 20; c++) {
      const spans = Array.from({ length: 500 }, (_, i) => {
        const n = 10_000 + c * 500 + i;
        return ending(n, endOf[n % endOf.length]!, n % 50 === 0);
      });
      await store.writer.write(recordBatch({ spans }), key());
    }
    nowUs += 2 * SEC;
    await first.tick(policy, nowUs);
    expect(first.lag).toEqual({ waiting: 10_000, oldestSeconds: 2 });
    nowUs += 31 * SEC;
    // A round of 3,000, then the runner stops (a restart): the next one looks back and goes on.
    await first.tick(policy, nowUs);
    const total = () => [...decided.values()].reduce((a, b) => a + b, 0);
    expect(total()).toBe(3000);
    const second = runnerOf('b');
    // The first's lease holds: the second decides nothing until it expires.
    nowUs += 2 * SEC;
    await second.tick(policy, nowUs);
    expect(total()).toBe(3000);
    nowUs += 60 * SEC;
    // A runner that starts decides once it has watched the commits for the quiet time.
    for (let round = 0; round < 30 && total() < 10_000; round++) {
      await second.tick(policy, nowUs);
      nowUs += 2 * SEC;
    }
    const ids = Array.from({ length: 10_000 }, (_, i) => tid(10_000 + i));
    const decisions = await store.sampling.decisionsOf('default', ids);
    expect(decisions.size).toBe(10_000);
    expect(total()).toBe(10_000);
    // Every failed trace kept.
    expect(ids.filter((_, i) => i % 50 === 0).every((id) => decisions.get(id) === true)).toBe(true);
    expect(decided.get('errors')).toBe(200);
    await second.tick(policy, nowUs);
    expect(second.lag).toEqual({ waiting: 0, oldestSeconds: 0 });
  }, 120_000);

  it('reads once a round while ingest is busy, and slims what it sampled out once ingest is idle or after maxSlimDelayMs, even once the policy is gone', async () => {
    store = await open();
    const slimmed: number[] = [];
    let busy = true;
    let nowUs = T0 + 100 * SEC;
    const decided: number[] = [];
    const runner = new SamplingRunner({
      db: backendOf(store, slimmed),
      projectId: 'default',
      holder: 'a',
      traceQuietMs: 1_000,
      nowUs: () => nowUs,
      tracesPerRead: 10,
      maxReadsPerRound: 4,
      startLookbackMs: 200_000,
      ingestBusy: () => busy,
      maxSlimDelayMs: 30_000,
      onDecided: (_project, outcome) => decided.push(Object.values(outcome.decided).reduce((a, b) => a + b, 0)),
    });
    const round = async () => {
      const [traces, slims] = [decided.length, slimmed.length];
      await runner.tick(resolvePolicy({ rate: 0.5, keep: {} }), T0 - SEC);
      nowUs += 2 * SEC;
      return { decided: decided.slice(traces).reduce((a, b) => a + b, 0), slimmed: slimmed.slice(slims) };
    };
    expect(runner.lag).toBeNull();
    await store.writer.write(recordBatch({ spans: Array.from({ length: 50 }, (_, i) => ending(i + 1, T0 + (i + 1) * SEC)) }), key());
    // The commit is not quiet at the first round.
    expect(await round()).toEqual({ decided: 0, slimmed: [] });
    const first = nowUs;
    expect(await round()).toEqual({ decided: 10, slimmed: [] });
    expect(runner.lag).toMatchObject({ waiting: 40 });
    expect(await round()).toEqual({ decided: 10, slimmed: [] });
    busy = false;
    // Idle: it reads on, and slims the rounds left, oldest first, then its own.
    expect(await round()).toEqual({ decided: 30, slimmed: [first, first + 2 * SEC, first + 4 * SEC] });
    expect(await round()).toEqual({ decided: 0, slimmed: [] });
    expect(runner.lag).toEqual({ waiting: 0, oldestSeconds: 0 });
    expect(
      (
        await store.sampling.decisionsOf(
          'default',
          [...Array(50).keys()].map((i) => tid(i + 1)),
        )
      ).size,
    ).toBe(50);

    // Busy for good: a round's slimming waits maxSlimDelayMs at most.
    await store.writer.write(recordBatch({ spans: Array.from({ length: 10 }, (_, i) => ending(51 + i, T0 + (60 + i) * SEC)) }), key());
    busy = true;
    expect(await round()).toEqual({ decided: 0, slimmed: [] });
    const waiting = nowUs;
    expect(await round()).toEqual({ decided: 10, slimmed: [] });
    for (let s = 2; s < 30; s += 2) expect((await round()).slimmed).toEqual([]);
    expect((await round()).slimmed).toEqual([waiting]);

    // A round held back, then the policy removed: its decisions stand, and it is slimmed.
    await store.writer.write(recordBatch({ spans: [ending(70, T0 + 90 * SEC)] }), key());
    busy = true;
    await runner.tick(resolvePolicy({ rate: 0, keep: {} }), T0 - SEC);
    nowUs += 2 * SEC;
    const held = nowUs;
    const slims = slimmed.length;
    await runner.tick(resolvePolicy({ rate: 0, keep: {} }), T0 - SEC);
    expect(slimmed.length).toBe(slims);
    expect((await store.sampling.decisionsOf('default', [tid(70)])).get(tid(70))).toBe(false);
    nowUs += 2 * SEC;
    busy = false;
    await runner.tick(null, T0 - SEC);
    expect(slimmed.at(-1)).toBe(held);
    expect(runner.lag).toBeNull();
  });
});
