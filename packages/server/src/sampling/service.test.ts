import { describe, expect, it } from 'vitest';
import { FakeStore } from '../../test/support/fake-store.js';
import { samplingBackendOf } from '../../test/support/sampling.js';
import { SamplingService } from './service.js';

describe('the tail-sampling service', () => {
  it('puts off vacuuming while ingest is busy and a project is sampled, and resumes it once ingest idles, after the longest delay, and on close', async () => {
    const store = new FakeStore();
    let busy = true;
    let nowUs = 1_800_000_000_000_000;
    const service = await SamplingService.start({
      db: samplingBackendOf(store),
      serverId: 'server-1',
      traceQuietMs: 1000,
      file: null,
      projects: () => ['default'],
      // Rounds only when the test runs them.
      tickMs: 3_600_000,
      runner: { ingestBusy: () => busy },
      maxVacuumDelayMs: 10_000,
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
    // Busy for 10 s: reclaimed after the round's moves, then put off again.
    nowUs += 1_000_000;
    await service.runRound();
    expect(deferred).toEqual([true, false]);
    await service.runRound();
    expect(deferred).toEqual([true, false, true]);
    busy = false;
    await service.runRound();
    expect(deferred).toEqual([true, false, true, false]);
    busy = true;
    await service.runRound();
    await service.close();
    expect(deferred).toEqual([true, false, true, false, true, false]);
  });
});
