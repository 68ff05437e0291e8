import { describe, expect, it } from 'vitest';
import type { RetainedRecords } from '../store/store.js';
import { RETAINED, applyRetention } from './retention.js';

describe('applyRetention', () => {
  it("deletes each signal's records by its own cutoff; errors, scores, response ids, evaluator runs, alert history and ended silences go with the traces", async () => {
    const calls: Array<[RetainedRecords, number]> = [];
    const store = { deleteOlderThan: async (records: RetainedRecords, cutoffUs: number) => (calls.push([records, cutoffUs]), records === 'spans' ? 7 : 1) };
    const day = 86_400_000;
    const results = await applyRetention(store, { tracesMs: 7 * day, logsMs: 3 * day, metricsMs: 30 * day, intervalMs: 3_600_000 }, 100 * day);

    const cutoff = (days: number): number => (100 - days) * day * 1000;
    expect(calls).toEqual([
      ['spans', cutoff(7)], ['traceParts', cutoff(7)], ['errors', cutoff(7)], ['scores', cutoff(7)], ['llmResponses', cutoff(7)], ['evaluatorRuns', cutoff(7)], ['runningSpans', cutoff(7)], ['alertHistory', cutoff(7)], ['silences', cutoff(7)],
      ['logs', cutoff(3)],
      ['metricPoints', cutoff(30)],
    ]);
    expect(results).toEqual([{ signal: 'traces', deleted: 7 }, { signal: 'logs', deleted: 1 }, { signal: 'metrics', deleted: 1 }]);
  });

  it('names every kind of record once', () => {
    const all = Object.values(RETAINED).flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(11);
  });
});
