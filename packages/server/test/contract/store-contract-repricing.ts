import type { LlmFields, SpanRecord, TraceQuery, TraceSummaryRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import type { RecordBatch, Store } from '../../src/store/store.js';
import { batchOf } from '../../src/store/tables.js';
import { repriceSpans } from '../../src/store/reprice.js';
import { spanRecordFromStored } from '../../src/store/stored-trace.js';
import { ALL, T0, emptyLlm, query, sid, span, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

/** The contract of re-pricing (`readSpansToPrice`, `setSpanCosts`): spans' costs and their traces' totals brought up to date. */
export function describeRepricingContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store re-pricing contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    const write = (batch: Partial<RecordBatch>) => store.writer.write(recordBatch(batch), null);
    const readTrace = async (projectId: string, traceId: string) => {
      const found = await store.traces.getTrace(projectId, traceId);
      return found === null ? null : { spans: found.spans.map(spanRecordFromStored) };
    };

    const RANGE = { fromUs: T0, toUs: T0 + 1_000_000 };
    const llm = (
      model: string,
      inputTokens: number,
      outputTokens: number,
      costUsd: number | null,
      costSource: LlmFields['costSource'] = costUsd === null ? null : 'price_table',
    ): LlmFields => ({
      ...emptyLlm(),
      provider: 'acme',
      operation: 'chat',
      requestModel: model,
      inputTokens,
      outputTokens,
      totalTokens: inputTokens + outputTokens,
      costUsd,
      costSource,
    });
    /** The price table of the tests: acme-1 by its tokens, gpt-x and other at fixed costs. */
    const prices = (l: LlmFields): number | null => {
      if (l.requestModel === 'acme-1') return ((l.inputTokens ?? 0) * 1 + (l.outputTokens ?? 0) * 2) / 1000;
      if (l.requestModel === 'gpt-x') return 0.02;
      if (l.requestModel === 'other') return 0.2;
      return null;
    };

    /**
     * Trace 70: a root that started before the range (in a batch of its own), and in the range an
     * unpriced acme-1 call, a priced gpt-x call that failed, and an acme-1 call whose cost was
     * reported. Trace 71: an unpriced acme-1 call before the range. Trace 72: a call already at
     * its price. Trace 73: an unpriced acme-1 call. Project p2 has a trace 70 of its own.
     */
    async function seed(): Promise<void> {
      await write({
        spans: [
          span({ traceId: tid(70), spanId: sid(1), name: 'agent run', serviceName: 'gateway', startTimeUs: T0 - 10, endTimeUs: T0 + 5_000, category: 'agent' }),
        ],
      });
      await write({
        spans: [
          span({
            traceId: tid(70),
            spanId: sid(2),
            parentSpanId: sid(1),
            name: 'chat acme-1',
            startTimeUs: T0 + 10,
            endTimeUs: T0 + 900,
            category: 'llm',
            llm: llm('acme-1', 1000, 500, null),
          }),
          span({
            traceId: tid(70),
            spanId: sid(3),
            parentSpanId: sid(1),
            name: 'chat gpt-x',
            startTimeUs: T0 + 20,
            endTimeUs: T0 + 6_000,
            category: 'llm',
            status: { code: 'error', message: 'rate limited' },
            llm: llm('gpt-x', 100, 50, 0.01),
          }),
          span({
            traceId: tid(70),
            spanId: sid(4),
            parentSpanId: sid(1),
            name: 'chat acme-1',
            startTimeUs: T0 + 30,
            endTimeUs: T0 + 40,
            category: 'llm',
            llm: llm('acme-1', 7, 7, 0.5, 'reported'),
          }),
          span({
            traceId: tid(71),
            spanId: sid(1),
            name: 'old call',
            startTimeUs: T0 - 1_000_000,
            endTimeUs: T0 - 999_000,
            category: 'llm',
            llm: llm('acme-1', 3000, 1, null),
          }),
          span({
            traceId: tid(72),
            spanId: sid(1),
            name: 'priced call',
            startTimeUs: T0 + 100,
            endTimeUs: T0 + 200,
            category: 'llm',
            llm: llm('other', 40, 4, 0.2),
          }),
          span({
            traceId: tid(73),
            spanId: sid(1),
            name: 'new call',
            startTimeUs: T0 + 500,
            endTimeUs: T0 + 600,
            category: 'llm',
            llm: llm('acme-1', 100, 0, null),
          }),
          span({
            projectId: 'p2',
            traceId: tid(70),
            spanId: sid(2),
            name: 'their call',
            startTimeUs: T0 + 10,
            endTimeUs: T0 + 20,
            category: 'llm',
            llm: llm('acme-1', 1000, 500, null),
          }),
        ],
      });
    }

    const traces = async (projectId = 'default'): Promise<Map<string, TraceSummaryRecord>> =>
      new Map((await store.traces.listTraces(query({ projectId }), null, 100)).map((t) => [t.traceId, t]));
    const spanOf = async (traceId: string, spanId: string, projectId = 'default'): Promise<SpanRecord> =>
      (await readTrace(projectId, traceId))!.spans.find((s) => s.spanId === spanId)!;
    const withoutCost = ({ costUsd: _, unpricedCalls: _u, ...rest }: TraceSummaryRecord) => rest;
    const unpriced = (summaries: Map<string, TraceSummaryRecord>) => [...summaries].map(([id, t]) => [id, t.unpricedCalls]).sort();

    it("re-prices the spans of the range, except reported costs, and brings their traces' totals up to date", async () => {
      await seed();
      const before = await traces();
      const theirsBefore = await traces('p2');
      expect(before.get(tid(70))).toMatchObject({ costUsd: 0.51, spanCount: 4, errorCount: 1, inputTokens: 1107, outputTokens: 557 });
      // The cost leaves out the calls without a price, and says how many.
      expect(unpriced(before)).toEqual([
        [tid(70), 1],
        [tid(71), 1],
        [tid(72), 0],
        [tid(73), 1],
      ]);
      const untouched = await Promise.all([spanOf(tid(70), sid(4)), spanOf(tid(71), sid(1)), spanOf(tid(72), sid(1)), spanOf(tid(70), sid(2), 'p2')]);
      // What tail sampling decides by, but the cost (each category's longest span included): as the rebuilt parts keep it.
      const facts = async () =>
        (await store.sampling.facts('default', [...before.keys()])).map(({ costUsd: _, ...rest }) => rest).sort((x, y) => (x.traceId < y.traceId ? -1 : 1));
      const factsBefore = await facts();
      expect(factsBefore.find((f) => f.traceId === tid(70))!.longestUs.some((us) => us > 0)).toBe(true);
      const sizes = async () => Promise.all([...before.keys()].sort().map((id) => store.traces.traceSize('default', id)));
      const sizesBefore = await sizes();

      const seen: LlmFields[] = [];
      const result = await repriceSpans(store.prices, 'default', RANGE, (l) => {
        seen.push(l);
        return prices(l);
      });
      // Changed: trace 70's acme-1 (null -> 2) and gpt-x (0.01 -> 0.02) calls, trace 73's call (null -> 0.1).
      expect(result).toEqual({ spans: 3, traces: 2 });

      // The callback saw the LLM spans of the range with their tokens, and never the reported one.
      expect(seen.map((l) => [l.requestModel, l.inputTokens, l.outputTokens]).sort()).toEqual(
        [
          ['acme-1', 100, 0],
          ['acme-1', 1000, 500],
          ['gpt-x', 100, 50],
          ['other', 40, 4],
        ].sort(),
      );
      expect(seen.find((l) => l.inputTokens === 1000)).toMatchObject({ provider: 'acme', operation: 'chat', requestModel: 'acme-1', totalTokens: 1500 });

      expect((await spanOf(tid(70), sid(2))).llm).toMatchObject({ costUsd: 2, costSource: 'price_table' });
      expect((await spanOf(tid(70), sid(3))).llm).toMatchObject({ costUsd: 0.02, costSource: 'price_table' });
      expect((await spanOf(tid(73), sid(1))).llm).toMatchObject({ costUsd: 0.1, costSource: 'price_table' });
      // The reported cost, the span before the range, the span already at its price and the other project's: unchanged.
      expect(await Promise.all([spanOf(tid(70), sid(4)), spanOf(tid(71), sid(1)), spanOf(tid(72), sid(1)), spanOf(tid(70), sid(2), 'p2')])).toEqual(untouched);

      const after = await traces();
      expect(after.get(tid(70))!.costUsd).toBeCloseTo(2.52, 12);
      expect(after.get(tid(73))!.costUsd).toBeCloseTo(0.1, 12);
      // Priced now, but for the call before the range.
      expect(unpriced(after)).toEqual([
        [tid(70), 0],
        [tid(71), 1],
        [tid(72), 0],
        [tid(73), 0],
      ]);
      // Only the cost of a summary changes: the rebuild keeps the root (which started before the
      // range), the times, the counts and the tokens.
      for (const [id, summary] of before) expect(withoutCost(after.get(id)!), id).toEqual(withoutCost(summary));
      expect(await facts()).toEqual(factsBefore);
      // The rebuilt parts keep their spans' text bytes: a trace's size reads as before.
      expect(await sizes()).toEqual(sizesBefore);
      expect(after.get(tid(71))).toEqual(before.get(tid(71)));
      expect(after.get(tid(72))).toEqual(before.get(tid(72)));
      expect(after.get(tid(70))).toMatchObject({ rootName: 'agent run', serviceName: 'gateway', startTimeUs: T0 - 10, endTimeUs: T0 + 6_000 });
      expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
      expect(await traces('p2')).toEqual(theirsBefore);

      // The trace filters still find the rebuilt traces.
      const ids = async (q: Partial<TraceQuery>) => (await store.traces.listTraces(query(q), null, 10)).map((t) => t.traceId).sort();
      expect(await ids({ status: 'error' })).toEqual([tid(70)]);
      expect(await ids({ model: 'acme-1' })).toEqual([tid(70), tid(71), tid(73)]);

      // Nothing left to change at the same prices.
      expect(await repriceSpans(store.prices, 'default', RANGE, prices)).toEqual({ spans: 0, traces: 0 });
      expect(await traces()).toEqual(after);
    });

    it('re-prices spans of traces that arrive after a re-price, and keeps summing new parts', async () => {
      await seed();
      await repriceSpans(store.prices, 'default', RANGE, prices);
      // A further span of trace 70 arrives afterwards: its part adds to the rebuilt one.
      await write({
        spans: [
          span({
            traceId: tid(70),
            spanId: sid(5),
            parentSpanId: sid(1),
            name: 'late call',
            startTimeUs: T0 + 7_000,
            endTimeUs: T0 + 8_000,
            category: 'llm',
            llm: llm('acme-1', 10, 10, null),
          }),
        ],
      });
      expect((await traces()).get(tid(70))).toMatchObject({ spanCount: 5, endTimeUs: T0 + 8_000, inputTokens: 1117, outputTokens: 567 });
      expect(await repriceSpans(store.prices, 'default', RANGE, prices)).toEqual({ spans: 1, traces: 1 });
      const summary = (await traces()).get(tid(70))!;
      expect(summary).toMatchObject({ spanCount: 5, errorCount: 1, rootName: 'agent run', endTimeUs: T0 + 8_000, inputTokens: 1117, outputTokens: 567 });
      expect(summary.costUsd).toBeCloseTo(2.55, 12);
    });

    it('leaves a trace with no cost at all with a null cost, not 0', async () => {
      await seed();
      await repriceSpans(store.prices, 'default', RANGE, prices);
      // Every price withdrawn: every cost of the range that did not come from the instrumentation goes.
      expect(await repriceSpans(store.prices, 'default', RANGE, () => null)).toEqual({ spans: 4, traces: 3 });
      const after = await traces();
      expect(after.get(tid(73))).toMatchObject({ costUsd: null, inputTokens: 100, outputTokens: 0, spanCount: 1, unpricedCalls: 1 });
      expect(unpriced(after)).toEqual([
        [tid(70), 2],
        [tid(71), 1],
        [tid(72), 1],
        [tid(73), 1],
      ]);
      expect(after.get(tid(72))).toMatchObject({ costUsd: null, inputTokens: 40, outputTokens: 4 });
      // The reported cost stays.
      expect(after.get(tid(70))).toMatchObject({ costUsd: 0.5, spanCount: 4, errorCount: 1 });
      expect((await spanOf(tid(73), sid(1))).llm).toMatchObject({ costUsd: null, costSource: null });
      expect((await spanOf(tid(70), sid(4))).llm).toMatchObject({ costUsd: 0.5, costSource: 'reported' });
      expect(after.get(tid(71))).toMatchObject({ costUsd: null, inputTokens: 3000 });
      expect((await traces('p2')).get(tid(70))).toMatchObject({ costUsd: null, spanCount: 1 });
      // The spans count as unpriced again.
      expect((await store.prices.listUnpricedModels('default', RANGE)).map((m) => [m.model, m.spanCount])).toEqual([
        ['acme-1', 2],
        ['gpt-x', 1],
        ['other', 1],
      ]);
    });

    it('re-prices while a write is open, and the write commits after it', async () => {
      await seed();
      // The open write adds a span to trace 70 (the commit loop keeps a write open between batches).
      await store.writer.append(
        batchOf({
          spans: [
            span({
              traceId: tid(70),
              spanId: sid(6),
              parentSpanId: sid(1),
              name: 'pending call',
              startTimeUs: T0 + 50,
              endTimeUs: T0 + 60,
              category: 'llm',
              llm: llm('acme-1', 1, 1, 0.003),
            }),
          ],
          logs: [],
          metricPoints: [],
        }),
        { serverId: 'server-1', position: '1:1' },
      );
      expect(await repriceSpans(store.prices, 'default', RANGE, prices)).toEqual({ spans: 3, traces: 2 });
      await store.writer.commit({ serverId: 'server-1', position: '1:1' });
      const summary = (await traces()).get(tid(70))!;
      expect(summary).toMatchObject({ spanCount: 5, errorCount: 1, inputTokens: 1108, outputTokens: 558 });
      expect(summary.costUsd).toBeCloseTo(2.523, 12);
      expect(await store.writer.readPosition('server-1')).toBe('1:1');
    });

    it('changes nothing when the range holds no LLM span', async () => {
      await seed();
      const before = await traces();
      expect(await repriceSpans(store.prices, 'default', { fromUs: T0 + 10_000_000, toUs: null }, prices)).toEqual({ spans: 0, traces: 0 });
      expect(await repriceSpans(store.prices, 'p3', ALL, prices)).toEqual({ spans: 0, traces: 0 });
      expect(await traces()).toEqual(before);
    });
  });
}
