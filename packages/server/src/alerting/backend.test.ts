import { describe, expect, it } from 'vitest';
import type { AlertSeriesQuery } from '../store/store.js';
import { type AlertsDb, alertBackendOver } from './backend.js';
import { type SeriesSpec, SeriesReader } from './series.js';

const spec: SeriesSpec = { metric: null, source: 'spans', fn: 'count', matchers: [], by: [] };
const range = { startUs: 0, stepUs: 60_000_000, buckets: 1 };

// An alert round's reads are the ones a store may put after its commits (ClickHouse's priority):
// the engine's backend marks them, a chart's or a query's reads are not.
describe('background reads', () => {
  it("marks the alert engine's series reads, and only those", async () => {
    const calls: unknown[][] = [];
    const db = { alerts: { series: async (...args: unknown[]) => (calls.push(args), []) } } as unknown as AlertsDb;
    await alertBackendOver(db, 'p1').readSeries(spec, range);
    expect(calls).toEqual([['p1', spec, range, true]]);
  });

  it('passes the mark to the store with the query, false unless given', async () => {
    const queries: AlertSeriesQuery[] = [];
    const reader = new SeriesReader({
      alertSeries: { read: async (query: AlertSeriesQuery) => (queries.push(query), []) },
      metrics: {} as never,
    });
    await reader.read('p1', spec, range, true);
    await reader.read('p1', spec, range);
    expect(queries.map((q) => q.background)).toEqual([true, false]);
  });
});
