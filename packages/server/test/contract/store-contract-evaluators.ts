import { describe, expect, it } from 'vitest';
import type { EvaluatorRecord, EvaluatorRunRecord, Store, TraceFilter } from '../../src/store/store.js';
import { T0, emptyLlm, sid, span, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

const SEC = 1_000_000;

const evaluator = (overrides: Partial<EvaluatorRecord> = {}): EvaluatorRecord => ({
  name: 'polite',
  spec: '{"kind":"contains","text":"please"}',
  version: 1,
  state: 'active',
  pausedReason: null,
  createdUs: T0,
  updatedUs: T0,
  ...overrides,
});

const run = (overrides: Partial<EvaluatorRunRecord> = {}): EvaluatorRunRecord => ({
  evaluator: 'polite',
  version: 1,
  traceId: tid(1),
  spanId: null,
  ok: true,
  error: null,
  costUsd: 0,
  timeUs: T0,
  ...overrides,
});

const NO_FILTER: TraceFilter = {
  service: null,
  spanName: null,
  text: null,
  status: null,
  minDurationMs: null,
  maxDurationMs: null,
  attributes: [],
  sessionId: null,
  model: null,
  scores: [],
};

/** The contract of `store.evaluators`: definitions, runs, complete traces and the runner lease. */
export function describeEvaluatorContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Evaluator store contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    it('keeps the newest row of each evaluator, lists them by name per project, and keeps a deletion for its version', async () => {
      const e = store.evaluators;
      await e.putEvaluator('default', evaluator(), false);
      await e.putEvaluator('default', evaluator({ name: 'fast', spec: '{"kind":"latency","maxMs":100}' }), false);
      await e.putEvaluator('default', evaluator({ spec: '{"kind":"contains","text":"thanks"}', version: 2, updatedUs: T0 + 5 }), false);
      await e.putEvaluator('default', evaluator({ version: 2, state: 'paused', pausedReason: 'budget', updatedUs: T0 + 6 }), false);
      await e.putEvaluator('p2', evaluator({ name: 'other' }), false);
      expect(await e.listEvaluators('default')).toEqual([
        evaluator({ name: 'fast', spec: '{"kind":"latency","maxMs":100}' }),
        evaluator({ version: 2, state: 'paused', pausedReason: 'budget', updatedUs: T0 + 6 }),
      ]);
      await e.putEvaluator('default', evaluator({ version: 2, updatedUs: T0 + 7 }), true);
      expect((await e.listEvaluators('default')).map((r) => r.name)).toEqual(['fast']);
      expect(await e.latestEvaluator('default', 'polite')).toEqual({ ...evaluator({ version: 2, updatedUs: T0 + 7 }), deleted: true });
      expect(await e.latestEvaluator('default', 'never')).toBeNull();
      expect((await e.listEvaluators('p2')).map((r) => r.name)).toEqual(['other']);
    });

    it('reads the newest run of each target, the failed ones, and totals with the cost since a time', async () => {
      const e = store.evaluators;
      await e.addRuns('default', [
        run({ traceId: tid(1), costUsd: 0.5, timeUs: T0 - 100 * SEC }),
        run({ traceId: tid(2), ok: false, error: 'timeout', costUsd: 0.25, timeUs: T0 }),
        run({ traceId: tid(2), spanId: sid(7), ok: false, error: 'bad answer', timeUs: T0 + 1 }),
        run({ traceId: tid(3), version: 2, costUsd: 1, timeUs: T0 }),
        // Ok with a reason: there was nothing to judge.
        run({ traceId: tid(4), error: 'the target has no output to judge', timeUs: T0 }),
      ]);
      await e.addRuns('p2', [run({ traceId: tid(2), costUsd: 9 })]);
      // The retry of trace 2 succeeded; its span's run still failed.
      await e.addRuns('default', [run({ traceId: tid(2), costUsd: 0.125, timeUs: T0 + 10 * SEC })]);
      expect(await e.runsOf('default', 'polite', 1, [tid(1), tid(2), tid(9)])).toEqual([
        run({ traceId: tid(1), costUsd: 0.5, timeUs: T0 - 100 * SEC }),
        run({ traceId: tid(2), costUsd: 0.125, timeUs: T0 + 10 * SEC }),
        run({ traceId: tid(2), spanId: sid(7), ok: false, error: 'bad answer', timeUs: T0 + 1 }),
      ]);
      expect(await e.runsOf('default', 'polite', 1, [])).toEqual([]);
      expect(await e.failedRuns('default', 'polite', 1, 10)).toEqual([
        run({ traceId: tid(2), spanId: sid(7), ok: false, error: 'bad answer', timeUs: T0 + 1 }),
      ]);
      expect(await e.failedRuns('default', 'polite', 2, 10)).toEqual([]);
      expect(await e.runTotals('default', T0)).toEqual([
        { evaluator: 'polite', version: 1, ok: 2, errors: 1, notApplicable: 1, costUsd: 0.375 },
        { evaluator: 'polite', version: 2, ok: 1, errors: 0, notApplicable: 0, costUsd: 1 },
      ]);
      // Oldest first (what a retry takes), or newest first (what the errors list shows).
      await e.addRuns('default', [
        run({ traceId: tid(5), ok: false, error: 'later', timeUs: T0 + 20 * SEC }),
        run({ traceId: tid(6), ok: false, error: 'latest', timeUs: T0 + 30 * SEC }),
      ]);
      expect((await e.failedRuns('default', 'polite', 1, 2)).map((r) => r.error)).toEqual(['bad answer', 'later']);
      expect((await e.failedRuns('default', 'polite', 1, 2, true)).map((r) => r.error)).toEqual(['latest', 'later']);
    });

    it('finds traces whose root ended and whose spans all ended by a time, in end order, after a key, matching a filter', async () => {
      const root = (n: number, endUs: number, service = 'api') =>
        span({ traceId: tid(n), spanId: sid(n * 10), startTimeUs: T0, endTimeUs: endUs, serviceName: service });
      const child = (n: number, endUs: number) =>
        span({ traceId: tid(n), spanId: sid(n * 10 + 1), parentSpanId: sid(n * 10), startTimeUs: T0, endTimeUs: endUs });
      await store.writer.write(
        recordBatch({
          spans: [
            root(1, T0 + 10 * SEC),
            child(1, T0 + 5 * SEC),
            // A child ended after the quiet point: not complete yet.
            root(2, T0 + 10 * SEC),
            child(2, T0 + 40 * SEC),
            // No root: not complete.
            child(3, T0 + 5 * SEC),
            // The root is still running (stored without an end).
            span({ traceId: tid(4), spanId: sid(40), startTimeUs: T0, endTimeUs: 0 }),
            child(4, T0 + 2 * SEC),
            root(5, T0 + 20 * SEC, 'worker'),
            root(6, T0 + 20 * SEC),
          ],
        }),
        null,
      );
      const endedBy = T0 + 30 * SEC;
      const start = { timeUs: T0, id: '' };
      const found = await store.evaluators.completeTraces('default', NO_FILTER, start, endedBy, 10);
      expect(found).toEqual([
        { traceId: tid(1), endUs: T0 + 10 * SEC },
        { traceId: tid(5), endUs: T0 + 20 * SEC },
        { traceId: tid(6), endUs: T0 + 20 * SEC },
      ]);
      expect(await store.evaluators.completeTraces('default', NO_FILTER, start, endedBy, 2)).toEqual(found.slice(0, 2));
      expect(await store.evaluators.completeTraces('default', NO_FILTER, { timeUs: T0 + 20 * SEC, id: tid(5) }, endedBy, 10)).toEqual(found.slice(2));
      expect(await store.evaluators.completeTraces('default', { ...NO_FILTER, service: 'api' }, start, endedBy, 10)).toEqual([found[0], found[2]]);
      expect(await store.evaluators.completeTraces('default', NO_FILTER, start, T0 + 50 * SEC, 10)).toContainEqual({ traceId: tid(2), endUs: T0 + 40 * SEC });
      expect(await store.evaluators.completeTraces('p2', NO_FILTER, start, endedBy, 10)).toEqual([]);
    });

    it('takes a trace sampled out and slimmed (its spans moved to statistics) for not complete, and reads on past it to fill a page', async () => {
      const trace = (n: number, endUs: number) => [
        span({ traceId: tid(n), spanId: sid(n * 10), startTimeUs: T0, endTimeUs: endUs }),
        span({ traceId: tid(n), spanId: sid(n * 10 + 1), parentSpanId: sid(n * 10), startTimeUs: T0 + SEC, endTimeUs: endUs - SEC }),
      ];
      await store.writer.write(recordBatch({ spans: [...trace(1, T0 + 10 * SEC), ...trace(2, T0 + 20 * SEC), ...trace(3, T0 + 30 * SEC)] }), null);
      await store.sampling.slim('default', [tid(1)]);
      const start = { timeUs: T0, id: '' };
      expect(await store.evaluators.completeTraces('default', NO_FILTER, start, T0 + 60 * SEC, 1)).toEqual([{ traceId: tid(2), endUs: T0 + 20 * SEC }]);
      expect(await store.evaluators.completeTraces('default', NO_FILTER, start, T0 + 60 * SEC, 10)).toEqual([
        { traceId: tid(2), endUs: T0 + 20 * SEC },
        { traceId: tid(3), endUs: T0 + 30 * SEC },
      ]);
    });

    it("reads the spans of several traces at once, with what a target is made of, and only the project's", async () => {
      const llm = span({
        traceId: tid(1),
        spanId: sid(11),
        parentSpanId: sid(10),
        name: 'chat gpt-4o',
        startTimeUs: T0 + SEC,
        endTimeUs: T0 + 3 * SEC,
        category: 'llm',
        attributes: { 'gen_ai.prompt': 'hi', n: 3 },
        llm: { ...emptyLlm(), costUsd: 0.25, inputTokens: 40, outputTokens: 7 },
      });
      await store.writer.write(
        recordBatch({
          spans: [
            span({ traceId: tid(1), spanId: sid(10), name: 'run', startTimeUs: T0, endTimeUs: T0 + 5 * SEC, category: 'workflow' }),
            llm,
            // Another day: the read's time bounds take in every asked trace's spans.
            span({ traceId: tid(2), spanId: sid(20), name: 'later', startTimeUs: T0 + 86_400 * SEC, endTimeUs: T0 + 86_401 * SEC }),
            span({ traceId: tid(3), spanId: sid(30), name: 'not asked' }),
            span({ projectId: 'p2', traceId: tid(1), spanId: sid(12), name: 'other project' }),
          ],
        }),
        null,
      );
      const read = await store.evaluators.evaluationSpans('default', [tid(1), tid(2), tid(9)]);
      expect(
        read.sort((a, b) => (a.spanId < b.spanId ? -1 : 1)).map(({ attributesJson, ...rest }) => ({ ...rest, attributes: JSON.parse(attributesJson) })),
      ).toEqual([
        {
          traceId: tid(1),
          spanId: sid(10),
          parentSpanId: null,
          name: 'run',
          category: 'workflow',
          startTimeUs: T0,
          endTimeUs: T0 + 5 * SEC,
          isLlm: false,
          costUsd: null,
          inputTokens: null,
          outputTokens: null,
          attributes: {},
        },
        {
          traceId: tid(1),
          spanId: sid(11),
          parentSpanId: sid(10),
          name: 'chat gpt-4o',
          category: 'llm',
          startTimeUs: T0 + SEC,
          endTimeUs: T0 + 3 * SEC,
          isLlm: true,
          costUsd: 0.25,
          inputTokens: 40,
          outputTokens: 7,
          attributes: { 'gen_ai.prompt': 'hi', n: 3 },
        },
        {
          traceId: tid(2),
          spanId: sid(20),
          parentSpanId: null,
          name: 'later',
          category: 'other',
          startTimeUs: T0 + 86_400 * SEC,
          endTimeUs: T0 + 86_401 * SEC,
          isLlm: false,
          costUsd: null,
          inputTokens: null,
          outputTokens: null,
          attributes: {},
        },
      ]);
      expect(await store.evaluators.evaluationSpans('default', [])).toEqual([]);
      expect(await store.evaluators.evaluationSpans('p2', [tid(2)])).toEqual([]);
    });

    it('retention deletes runs older than the cutoff, of every project', async () => {
      await store.evaluators.addRuns('default', [run({ traceId: tid(1), timeUs: T0 - 10 * SEC }), run({ traceId: tid(2), timeUs: T0 + SEC })]);
      await store.evaluators.addRuns('p2', [run({ traceId: tid(3), timeUs: T0 - 10 * SEC })]);
      expect(await store.retention.deleteOlderThan('evaluatorRuns', T0)).toBe(2);
      expect((await store.evaluators.runsOf('default', 'polite', 1, [tid(1), tid(2)])).map((r) => r.traceId)).toEqual([tid(2)]);
      expect(await store.evaluators.runsOf('p2', 'polite', 1, [tid(3)])).toEqual([]);
    });

    it('gives the runner lease to one holder until it expires, and to one of two asking at once', async () => {
      const e = store.evaluators;
      expect(await e.takeLease('default', 'a', T0, 30 * SEC)).toBe(true);
      expect(await e.takeLease('default', 'b', T0 + 10 * SEC, 30 * SEC)).toBe(false);
      expect(await e.takeLease('default', 'a', T0 + 20 * SEC, 30 * SEC)).toBe(true);
      expect(await e.takeLease('default', 'b', T0 + 40 * SEC, 30 * SEC)).toBe(false);
      expect(await e.takeLease('p2', 'b', T0, 30 * SEC)).toBe(true);
      const later = T0 + 100 * SEC;
      const [a, b] = await Promise.all([e.takeLease('default', 'a', later, 30 * SEC), e.takeLease('default', 'b', later, 30 * SEC)]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
    });
  });
}
