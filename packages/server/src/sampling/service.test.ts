import { describe, expect, it } from 'vitest';
import { FakeStore } from '../../test/support/fake-store.js';
import { samplingBackendOf } from '../../test/support/sampling.js';
import { SamplingService, type SamplingServiceOptions } from './service.js';

/** A service of the default project on `store`, whose rounds run only when the test runs them. */
function startOn(store: FakeStore, options: Partial<SamplingServiceOptions>): Promise<SamplingService> {
  return SamplingService.start({
    db: samplingBackendOf(store),
    serverId: 'server-1',
    traceQuietMs: 1000,
    file: null,
    projects: () => ['default'],
    tickMs: 3_600_000,
    ...options,
  });
}

describe('the tail-sampling service', () => {
  it('puts off vacuuming while ingest has work and reclaims at once when it idles and on close, never while it has work', async () => {
    const store = new FakeStore();
    let idle = false;
    const service = await startOn(store, {
      // Busy or not, what decides is whether ingest is idle.
      runner: { ingestBusy: () => false },
      ingestIdle: () => idle,
    });
    const deferred = store.sampling.vacuumDeferred;
    // No project is sampled: nothing is slimmed, so nothing to put off.
    await service.runRound();
    expect(deferred).toEqual([]);

    await service.put('default', { rate: 0.1 });
    await service.runRound();
    await service.runRound();
    expect(deferred).toEqual([true]);
    expect(store.sampling.reclaimed).toBe(0);
    // Ingest idles: vacuuming as DuckDB does, and what was put off reclaimed, once.
    idle = true;
    await service.runRound();
    expect(deferred).toEqual([true, false]);
    expect(store.sampling.reclaimed).toBe(1);
    await service.runRound();
    expect(store.sampling.reclaimed).toBe(1);
    idle = false;
    await service.runRound();
    expect(deferred).toEqual([true, false, true]);
    // The policy goes while ingest has work: what was put off waits for ingest to idle, never forced.
    await service.delete('default');
    await service.runRound();
    expect(deferred).toEqual([true, false, true]);
    expect(store.sampling.reclaimed).toBe(1);
    idle = true;
    await service.runRound();
    expect(deferred).toEqual([true, false, true, false]);
    expect(store.sampling.reclaimed).toBe(2);
    await service.close();
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
    expect(store.sampling.vacuumDeferred).toEqual([true]);
    expect(store.sampling.reclaimed).toBe(0);
    await service.runRound();
    expect(store.sampling.vacuumDeferred).toEqual([true, false]);
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
    expect(store.sampling.vacuumDeferred).toEqual([true]);
    busy = false;
    await service.runRound();
    expect(store.sampling.vacuumDeferred).toEqual([true, false]);
    expect(store.sampling.reclaimed).toBe(1);
    await service.close();
    expect(store.sampling.reclaimed).toBe(1);
  });
});
