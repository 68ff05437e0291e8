import { describe, expect, it, vi } from 'vitest';
import type { RetainedRecords } from '../store/store.js';
import { RETAINED, applyRetention, scheduleRetention, scheduleRunningSweep } from './retention.js';

describe('applyRetention', () => {
  it("deletes each signal's records by its own cutoff; errors, scores, response ids, evaluator runs, running spans, alert history and ended silences go with the traces", async () => {
    const calls: Array<[RetainedRecords, number]> = [];
    const store = { deleteOlderThan: async (records: RetainedRecords, cutoffUs: number) => (calls.push([records, cutoffUs]), records === 'spans' ? 7 : 1) };
    const day = 86_400_000;
    const results = await applyRetention(store, { tracesMs: 7 * day, logsMs: 3 * day, metricsMs: 30 * day, intervalMs: 3_600_000 }, 100 * day);

    const cutoff = (days: number): number => (100 - days) * day * 1000;
    expect(calls).toEqual([
      ['spans', cutoff(7)],
      ['spanStats', cutoff(7)],
      ['traceParts', cutoff(7)],
      ['errors', cutoff(7)],
      ['scores', cutoff(7)],
      ['llmResponses', cutoff(7)],
      ['evaluatorRuns', cutoff(7)],
      ['runningSpans', cutoff(7)],
      ['samplingDecisions', cutoff(7)],
      ['alertHistory', cutoff(7)],
      ['silences', cutoff(7)],
      ['logs', cutoff(3)],
      ['metricPoints', cutoff(30)],
    ]);
    expect(results).toEqual([
      { signal: 'traces', deleted: 7 },
      { signal: 'logs', deleted: 1 },
      { signal: 'metrics', deleted: 1 },
    ]);
  });

  it('names every kind of record once', () => {
    const all = Object.values(RETAINED).flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(13);
  });
});

describe('scheduleRetention', () => {
  it('runs at once only when asked; its stop lets a run in progress delete no more, and resolves once it has ended', async () => {
    let release: () => void = () => undefined;
    const deletes: string[] = [];
    const store = {
      deleteOlderThan: async (records: RetainedRecords) => {
        deletes.push(records);
        // The first delete holds, as a day of spans on a big store does.
        if (deletes.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return 0;
      },
    };
    const reports: Array<[unknown, unknown]> = [];
    const day = 86_400_000;
    const { stop } = scheduleRetention(store, { tracesMs: day, logsMs: day, metricsMs: day, intervalMs: 3_600_000 }, (results, error) =>
      reports.push([results, error]),
    );
    const { first, stop: stopRunning } = scheduleRetention(
      store,
      { tracesMs: day, logsMs: day, metricsMs: day, intervalMs: 3_600_000 },
      (results, error) => reports.push([results, error]),
      { runNow: true },
    );
    await stop();
    expect(deletes).toEqual(['spans']);
    let stopped = false;
    const stopping = stopRunning().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stopping;
    await first;
    // Stopped during its first delete: it deleted no more, and the next run deletes the rest.
    expect(deletes).toEqual(['spans']);
    expect(reports).toEqual([[[{ signal: 'traces', deleted: 0 }], undefined]]);
  });
});

describe('scheduleRunningSweep', () => {
  it('sweeps every interval, never two at once, and reports a failure and goes on', async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      let release: () => void = () => undefined;
      const errors: unknown[] = [];
      const store = {
        sweep: () => {
          calls++;
          if (calls === 2) return Promise.reject(new Error('the store is down'));
          // The first sweep is slow: the ticks during it start none.
          return calls === 1 ? new Promise<number>((resolve) => (release = () => resolve(0))) : Promise.resolve(0);
        },
      };
      const stop = scheduleRunningSweep(store, 30_000, (error) => errors.push(error));
      await vi.advanceTimersByTimeAsync(30_000);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(calls).toBe(1);
      release();
      await vi.advanceTimersByTimeAsync(30_000);
      await vi.advanceTimersByTimeAsync(30_000);
      expect(calls).toBe(3);
      expect(errors.map(String)).toEqual(['Error: the store is down']);
      stop();
      await vi.advanceTimersByTimeAsync(120_000);
      expect(calls).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
