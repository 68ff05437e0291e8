import { describe, expect, it } from 'vitest';
import { RETAINED } from '../../src/pipeline/retention.js';
import type { ExperimentRecord, ExperimentResultRecord, Store } from '../../src/store/store.js';
import { T0, sid, tid } from '../support/record-fixtures.js';
import { openForEachTest } from './per-test-store.js';

/** An experiment id: 32 hex digits. */
const xid = (n: number): string => n.toString(16).padStart(32, 'e');
const itemId = (n: number): string => n.toString(16).padStart(32, 'a');

/** An experiment's first row (running), with what a test changes. */
const experiment = (n: number, overrides: Partial<ExperimentRecord> = {}): ExperimentRecord => ({
  experimentId: xid(n),
  name: 'nightly',
  dataset: 'qa',
  datasetVersion: 3,
  target: '{"kind":"sdk","replay":"none"}',
  evaluators: '["exact"]',
  metadata: '{"commit":"abc"}',
  state: 'running',
  error: null,
  itemCount: 4,
  createdUs: T0 + n,
  timeUs: T0 + n,
  finishedUs: null,
  deleted: false,
  ...overrides,
});

const result = (experimentId: string, item: number, overrides: Partial<ExperimentResultRecord> = {}): ExperimentResultRecord => ({
  experimentId,
  itemId: itemId(item),
  traceId: tid(item),
  spanId: null,
  output: '"4"',
  error: null,
  latencyMs: 100,
  inputTokens: 10,
  outputTokens: 5,
  costUsd: 0.25,
  timeUs: T0 + 100,
  unpricedCalls: 0,
  ...overrides,
});

/** The contract of `store.experiments`: rows per state change and per item run, the newest read, per project. */
export function describeExperimentContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Experiment store contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    it('reads an experiment as its newest row by time, whatever order the rows were written in', async () => {
      const x = store.experiments;
      const done = experiment(1, { state: 'done', timeUs: T0 + 50, finishedUs: T0 + 50 });
      await x.putExperiment('default', experiment(1));
      await x.putExperiment('default', done);
      // A row written later but timed earlier (a slow writer) does not undo the finish.
      await x.putExperiment('default', experiment(1, { timeUs: T0 + 20 }));
      expect(await x.getExperiment('default', xid(1))).toEqual(done);
      expect(await x.getExperiment('default', xid(2))).toBeNull();
      expect(await x.listExperiments('default', null, 10)).toEqual([done]);
      expect(await x.latestByName('default', 'nightly')).toEqual(done);
    });

    it('of rows of one microsecond reads the later state: deleted over failed over done over running, whichever was written first', async () => {
      const x = store.experiments;
      const at = T0 + 50;
      const running = (n: number): ExperimentRecord => experiment(n, { timeUs: at });
      const done = (n: number): ExperimentRecord => experiment(n, { state: 'done', timeUs: at, finishedUs: at });
      const failed = (n: number): ExperimentRecord => experiment(n, { state: 'failed', error: 'provider down', timeUs: at, finishedUs: at });
      const deleted = (n: number): ExperimentRecord => ({ ...done(n), deleted: true });
      // Each pair twice, the later state written last and first, so no order of writing decides it.
      const pairs: Array<[(n: number) => ExperimentRecord, (n: number) => ExperimentRecord]> = [
        [running, done],
        [done, failed],
        [failed, deleted],
        [running, deleted],
      ];
      let n = 0;
      for (const [earlier, later] of pairs) {
        for (const rows of [
          [earlier, later],
          [later, earlier],
        ]) {
          n++;
          for (const row of rows) await x.putExperiment('default', row(n));
        }
      }
      const states = await Promise.all(Array.from({ length: n }, (_, i) => x.getExperiment('default', xid(i + 1))));
      expect(states.map((e) => e?.state ?? 'gone')).toEqual(['done', 'done', 'failed', 'failed', 'gone', 'gone', 'gone', 'gone']);
      expect(states[2]).toEqual(failed(3));
      expect((await x.listExperiments('default', null, 10)).map((e) => [e.experimentId, e.state])).toEqual([
        [xid(4), 'failed'],
        [xid(3), 'failed'],
        [xid(2), 'done'],
        [xid(1), 'done'],
      ]);
    });

    it('leaves a deleted experiment out of get, list and latestByName, which then names the one made before it', async () => {
      const x = store.experiments;
      const older = experiment(1, { state: 'done', timeUs: T0 + 10, finishedUs: T0 + 10 });
      await x.putExperiment('default', older);
      await x.putExperiment('default', experiment(2));
      expect((await x.latestByName('default', 'nightly'))?.experimentId).toBe(xid(2));
      await x.putExperiment('default', experiment(2, { timeUs: T0 + 30, deleted: true }));
      expect(await x.getExperiment('default', xid(2))).toBeNull();
      expect(await x.listExperiments('default', null, 10)).toEqual([older]);
      expect(await x.listExperiments('default', 'qa', 10)).toEqual([older]);
      expect(await x.latestByName('default', 'nightly')).toEqual(older);
      await x.putExperiment('default', experiment(1, { timeUs: T0 + 40, deleted: true }));
      expect(await x.latestByName('default', 'nightly')).toBeNull();
      expect(await x.listExperiments('default', null, 10)).toEqual([]);
      expect(await x.latestByName('default', 'never')).toBeNull();
    });

    it('lists experiments newest made first, of one dataset when asked, at most the limit', async () => {
      const x = store.experiments;
      await x.putExperiment('default', experiment(1, { dataset: 'qa' }));
      await x.putExperiment('default', experiment(2, { dataset: 'math', name: 'math run' }));
      await x.putExperiment('default', experiment(3, { dataset: 'qa' }));
      await x.putExperiment('default', experiment(4, { dataset: 'qa' }));
      // A change of state does not move an experiment: it is listed by when it was made.
      await x.putExperiment('default', experiment(1, { dataset: 'qa', state: 'done', timeUs: T0 + 90, finishedUs: T0 + 90 }));
      const ids = (list: ExperimentRecord[]): string[] => list.map((e) => e.experimentId);
      expect(ids(await x.listExperiments('default', null, 10))).toEqual([xid(4), xid(3), xid(2), xid(1)]);
      expect(ids(await x.listExperiments('default', 'qa', 10))).toEqual([xid(4), xid(3), xid(1)]);
      expect(ids(await x.listExperiments('default', 'qa', 2))).toEqual([xid(4), xid(3)]);
      expect(ids(await x.listExperiments('default', 'math', 10))).toEqual([xid(2)]);
      expect(await x.listExperiments('default', 'none', 10)).toEqual([]);
      expect((await x.latestByName('default', 'nightly'))?.experimentId).toBe(xid(4));
      expect((await x.latestByName('default', 'math run'))?.experimentId).toBe(xid(2));
    });

    it('keeps the newest result of each item and pages them by item id', async () => {
      const x = store.experiments;
      const [a, b] = [xid(1), xid(2)];
      await x.addResults(
        'default',
        [1, 2, 3, 4, 5].map((n) => result(a, n)),
      );
      // Item 2 run again: its newer row replaces the older, even written before it.
      const rerun = result(a, 2, { output: '"5"', latencyMs: 80, timeUs: T0 + 200 });
      await x.addResults('default', [rerun, result(b, 1)]);
      await x.addResults('default', [result(a, 2, { output: '"stale"', timeUs: T0 + 150 })]);
      const first = await x.listResults('default', a, null, 2);
      const second = await x.listResults('default', a, first.at(-1)!.itemId, 2);
      const third = await x.listResults('default', a, second.at(-1)!.itemId, 2);
      expect([first, second, third].map((page) => page.map((r) => r.itemId))).toEqual([[itemId(1), itemId(2)], [itemId(3), itemId(4)], [itemId(5)]]);
      expect(first).toEqual([result(a, 1), rerun]);
      expect(await x.listResults('default', a, itemId(5), 2)).toEqual([]);
      expect(await x.listResults('default', b, null, 10)).toEqual([result(b, 1)]);
      expect(await x.listResults('default', xid(3), null, 10)).toEqual([]);
    });

    it("keeps an errored result's nulls, and totals each experiment over its items' newest results", async () => {
      const x = store.experiments;
      const [a, b, c] = [xid(1), xid(2), xid(3)];
      const errored = result(a, 3, {
        traceId: null,
        output: null,
        error: 'task threw',
        latencyMs: null,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        unpricedCalls: null,
      });
      await x.addResults('default', [
        result(a, 1, { latencyMs: 100, inputTokens: 10, outputTokens: 5, costUsd: 0.25, spanId: sid(1) }),
        result(a, 2, { error: 'first try failed', timeUs: T0 + 50 }),
        // The rerun of item 2 succeeded: it counts, the error before it does not.
        // One of its calls had no price: the cost leaves it out, and the totals count it.
        result(a, 2, { latencyMs: 300, inputTokens: 30, outputTokens: 7, costUsd: 0.5, timeUs: T0 + 60, unpricedCalls: 1 }),
        errored,
        // Known for none of its items: its sums and mean stay unknown, not 0.
        result(b, 1, { error: 'provider down', output: null, latencyMs: null, inputTokens: null, outputTokens: null, costUsd: null, unpricedCalls: null }),
      ]);
      await x.addResults('p2', [result(a, 9)]);
      expect(await x.listResults('default', a, itemId(2), 1)).toEqual([errored]);
      expect(await x.resultTotals('default', [c, b, a])).toEqual([
        { experimentId: a, done: 3, errored: 1, inputTokens: 40, outputTokens: 12, costUsd: 0.75, unpricedCalls: 1, latencyMsMean: 200 },
        { experimentId: b, done: 1, errored: 1, inputTokens: null, outputTokens: null, costUsd: null, unpricedCalls: 0, latencyMsMean: null },
      ]);
      expect(await x.resultTotals('default', [b])).toEqual([
        { experimentId: b, done: 1, errored: 1, inputTokens: null, outputTokens: null, costUsd: null, unpricedCalls: 0, latencyMsMean: null },
      ]);
      expect(await x.resultTotals('default', [])).toEqual([]);
    });

    it("keeps each project's experiments and results to itself", async () => {
      const x = store.experiments;
      const mine = experiment(1);
      const theirs = experiment(1, { name: 'theirs', dataset: 'other', state: 'done', timeUs: T0 + 99, finishedUs: T0 + 99 });
      await x.putExperiment('default', mine);
      await x.putExperiment('p2', theirs);
      await x.addResults('default', [result(xid(1), 1)]);
      await x.addResults('p2', [result(xid(1), 1, { output: '"theirs"', timeUs: T0 + 500 }), result(xid(1), 2)]);
      expect(await x.getExperiment('default', xid(1))).toEqual(mine);
      expect(await x.getExperiment('p2', xid(1))).toEqual(theirs);
      expect(await x.getExperiment('p3', xid(1))).toBeNull();
      expect(await x.listExperiments('default', null, 10)).toEqual([mine]);
      expect(await x.listExperiments('p2', 'qa', 10)).toEqual([]);
      expect(await x.latestByName('default', 'theirs')).toBeNull();
      expect(await x.listResults('default', xid(1), null, 10)).toEqual([result(xid(1), 1)]);
      expect((await x.resultTotals('default', [xid(1)])).map((t) => t.done)).toEqual([1]);
      expect((await x.resultTotals('p2', [xid(1)])).map((t) => t.done)).toEqual([2]);
      expect(await x.allRows('p3')).toEqual({ experiments: [], results: [] });
    });

    it("loses nothing to retention: an experiment and its results outlive every record kind's cutoff", async () => {
      const x = store.experiments;
      const rows = [experiment(1), experiment(1, { state: 'done', timeUs: T0 + 40, finishedUs: T0 + 40 })];
      for (const row of rows) await x.putExperiment('default', row);
      await x.addResults('default', [result(xid(1), 1), result(xid(1), 2, { error: 'threw', output: null })]);
      const before = await x.allRows('default');
      const yearsLaterUs = T0 + 10 * 365 * 86_400_000_000;
      for (const records of Object.values(RETAINED).flat()) await store.retention.deleteOlderThan(records, yearsLaterUs);
      expect(await x.allRows('default')).toEqual(before);
      expect(await x.getExperiment('default', xid(1))).toEqual(rows[1]);
      expect((await x.resultTotals('default', [xid(1)]))[0]).toMatchObject({ done: 2, errored: 1 });
    });

    it('gives every row back as stored, for a copy that reads the same', async () => {
      const x = store.experiments;
      const e1 = [experiment(1), experiment(1, { state: 'done', timeUs: T0 + 40, finishedUs: T0 + 40 })];
      const e2 = [
        experiment(2, { name: 'b' }),
        experiment(2, { name: 'b', state: 'failed', error: 'no provider', timeUs: T0 + 30, finishedUs: T0 + 30 }),
        experiment(2, { name: 'b', state: 'failed', error: 'no provider', timeUs: T0 + 45, finishedUs: T0 + 30, deleted: true }),
      ];
      for (const row of [...e2, ...e1]) await x.putExperiment('default', row);
      const results = [
        result(xid(1), 2),
        result(xid(1), 1),
        result(xid(1), 1, { output: '"again"', timeUs: T0 + 300, spanId: sid(4) }),
        result(xid(2), 1, { error: 'x', output: null }),
      ];
      await x.addResults('default', results);
      const rows = await x.allRows('default');
      expect(rows.experiments).toEqual([...e1, ...e2]);
      expect(rows.results).toEqual([results[1], results[2], results[0], results[3]]);
      await x.appendRows('copy', rows.experiments, rows.results);
      expect(await x.allRows('copy')).toEqual(rows);
      expect(await x.listExperiments('copy', null, 10)).toEqual(await x.listExperiments('default', null, 10));
      expect(await x.getExperiment('copy', xid(2))).toBeNull();
      expect(await x.listResults('copy', xid(1), null, 10)).toEqual(await x.listResults('default', xid(1), null, 10));
      expect(await x.resultTotals('copy', [xid(1), xid(2)])).toEqual(await x.resultTotals('default', [xid(1), xid(2)]));
    });
  });
}
