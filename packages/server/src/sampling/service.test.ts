import { describe, expect, it } from 'vitest';
import { FakeStore } from '../../test/support/fake-store.js';
import { samplingBackendOf } from '../../test/support/sampling.js';
import { SamplingService, type SamplingServiceOptions } from './service.js';

/** A service of the default project on `store`, whose rounds run only when the test runs them. */
function startOn(store: FakeStore, options: Partial<SamplingServiceOptions>): Promise<SamplingService> {
  return SamplingService.start({ db: samplingBackendOf(store), serverId: 'server-1', traceQuietMs: 1000, file: null, projects: () => ['default'], tickMs: 3_600_000, ...options });
}

describe('the tail-sampling service', () => {
  it('puts off vacuuming while ingest has work and a project is sampled, opens a window for it after the longest delay, and reclaims once ingest idles and on close', async () => {
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
    const deferred = store.sampling.vacuumDeferred;
    // No project is sampled: nothing is slimmed, so nothing to put off.
    await service.runRound();
    expect(deferred).toEqual([]);

    await service.put('default', { rate: 0.1 });
    await service.runRound();
    nowUs += 9_000_000;
    await service.runRound();
    expect(deferred).toEqual([true]);
    // Put off for 10 s under load: the checkpoints ingest makes vacuum for 5 s, nothing is forced.
    nowUs += 1_000_000;
    await service.runRound();
    expect(deferred).toEqual([true, false]);
    nowUs += 4_000_000;
    await service.runRound();
    expect(deferred).toEqual([true, false]);
    nowUs += 1_000_000;
    await service.runRound();
    expect(deferred).toEqual([true, false, true]);
    expect(store.sampling.reclaimed).toBe(0);
    // Ingest idles: vacuuming resumes and what was put off is reclaimed, once.
    idle = true;
    await service.runRound();
    expect(deferred).toEqual([true, false, true, false]);
    expect(store.sampling.reclaimed).toBe(1);
    await service.runRound();
    expect(store.sampling.reclaimed).toBe(1);
    idle = false;
    await service.runRound();
    await service.close();
    expect(deferred).toEqual([true, false, true, false, true, false]);
    expect(store.sampling.reclaimed).toBe(2);
  });

  it('takes ingest as idle while it is not busy when told nothing else', async () => {
    const store = new FakeStore();
    let busy = true;
    const service = await startOn(store, { runner: { ingestBusy: () => busy } });
    await service.put('default', { rate: 0.1 });
    await service.runRound();
    expect(store.sampling.vacuumDeferred).toEqual([true]);
    busy = false;
    await service.runRound();
    expect(store.sampling.vacuumDeferred).toEqual([true, false]);
    expect(store.sampling.reclaimed).toBe(1);
    await service.close();
    expect(store.sampling.reclaimed).toBe(1);
  });
});
