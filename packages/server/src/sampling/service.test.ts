import { describe, expect, it } from 'vitest';
import { FakeStore } from '../../test/support/fake-store.js';
import { samplingBackendOf } from '../../test/support/sampling.js';
import { SamplingService, type SamplingServiceOptions } from './service.js';

/** A service of the default project on `store`, whose rounds run only when the test runs them. */
function startOn(store: FakeStore, options: Partial<SamplingServiceOptions>): Promise<SamplingService> {
  return SamplingService.start({ db: samplingBackendOf(store), serverId: 'server-1', traceQuietMs: 1000, file: null, projects: () => ['default'], tickMs: 3_600_000, ...options });
}

describe('the tail-sampling service', () => {
  it('puts off vacuuming while ingest has work, lets it run a little after the longest delay, and reclaims once ingest idles and on close', async () => {
    const store = new FakeStore();
    let idle = false;
    let nowUs = 1_800_000_000_000_000;
    const service = await startOn(store, {
      // Busy or not, what decides is whether ingest is idle.
      runner: { ingestBusy: () => false },
      ingestIdle: () => idle,
      maxVacuumDelayMs: 10_000,
      vacuumWindowMs: 5_000,
      nowUs: () => nowUs,
    });
    const limits = store.sampling.vacuumLimits;
    // No project is sampled: nothing is slimmed, so nothing to put off.
    await service.runRound();
    expect(limits).toEqual([]);

    await service.put('default', { rate: 0.1 });
    await service.runRound();
    nowUs += 9_000_000;
    await service.runRound();
    expect(limits).toEqual([0]);
    // Put off for 10 s under load: the checkpoints ingest makes vacuum a few tasks each for 5 s, nothing is forced.
    nowUs += 1_000_000;
    await service.runRound();
    expect(limits).toEqual([0, 8]);
    nowUs += 4_000_000;
    await service.runRound();
    expect(limits).toEqual([0, 8]);
    nowUs += 1_000_000;
    await service.runRound();
    expect(limits).toEqual([0, 8, 0]);
    expect(store.sampling.reclaimed).toBe(0);
    // Ingest idles: vacuuming as DuckDB does, and what was put off reclaimed, once.
    idle = true;
    await service.runRound();
    expect(limits).toEqual([0, 8, 0, null]);
    expect(store.sampling.reclaimed).toBe(1);
    await service.runRound();
    expect(store.sampling.reclaimed).toBe(1);
    // Load again: put off at once (a window opened before the reclaim does not hold it open).
    idle = false;
    await service.runRound();
    expect(limits).toEqual([0, 8, 0, null, 0]);
    // The policy goes while ingest has work: what was put off is vacuumed a little at a time, never forced.
    await service.delete('default');
    await service.runRound();
    expect(limits).toEqual([0, 8, 0, null, 0, 8]);
    expect(store.sampling.reclaimed).toBe(1);
    await service.close();
    expect(limits).toEqual([0, 8, 0, null, 0, 8, null]);
    expect(store.sampling.reclaimed).toBe(2);
  });

  it('reclaims only if ingest is still idle once the moves of its round are done', async () => {
    const store = new FakeStore();
    // ingestIdle() is asked as each round starts and once its moves are done.
    const idle = [false, false, true, false, true, true];
    const service = await startOn(store, { runner: { ingestBusy: () => false }, ingestIdle: () => idle.shift() ?? true });
    await service.put('default', { rate: 0.1 });
    // Busy as the round starts: put off. Idle as it starts, busy once its moves are done: not reclaimed.
    await service.runRound();
    await service.runRound();
    expect(store.sampling.vacuumLimits).toEqual([0]);
    expect(store.sampling.reclaimed).toBe(0);
    await service.runRound();
    expect(store.sampling.vacuumLimits).toEqual([0, null]);
    expect(store.sampling.reclaimed).toBe(1);
    await service.close();
    expect(store.sampling.reclaimed).toBe(1);
  });

  it('takes ingest as idle while it is not busy when told nothing else', async () => {
    const store = new FakeStore();
    let busy = true;
    const service = await startOn(store, { runner: { ingestBusy: () => busy } });
    await service.put('default', { rate: 0.1 });
    await service.runRound();
    expect(store.sampling.vacuumLimits).toEqual([0]);
    busy = false;
    await service.runRound();
    expect(store.sampling.vacuumLimits).toEqual([0, null]);
    expect(store.sampling.reclaimed).toBe(1);
    await service.close();
    expect(store.sampling.reclaimed).toBe(1);
  });
});
