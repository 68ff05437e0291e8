import { FLOW_TRACE_PAGE, type FlowMap, type FlowStats } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { compareFlows } from '../../src/flows/compare.js';
import { foldFlows } from '../../src/flows/fold.js';
import { flowMapOf } from '../../src/flows/map.js';
import type { FlowSpanQuery, Store } from '../../src/store/store.js';
import { flowFleet } from '../support/flow-fleet.js';
import { T0, spanFilter, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

const SEC = 1_000_000;
const P = 'workflow:checkout/agent:planner';

/** What a test checks of a node or an edge: its counts, error rate, loop and cost, rounded as a user reads them. */
const counts = (s: FlowStats) => ({
  runs: s.runs,
  spans: s.spans,
  errorRate: s.errorRate,
  loop: s.loop,
  costUsd: s.costUsd === null ? null : Math.round(s.costUsd * 1e6) / 1e6,
});

/**
 * The contract of the flow map's read every `Store` adapter passes: the spans of the runs a span
 * filter matches, which the fold (`flows/fold.ts`, the same for every engine) turns into the map.
 * The fleet (`flow-fleet.ts`) has a known mix of paths; the numbers below follow from its rules.
 */
export function describeFlowContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store flow map contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    const query = (over: Partial<FlowSpanQuery> = {}): FlowSpanQuery => ({
      filter: spanFilter({ range: { fromUs: T0 - SEC, toUs: T0 + 1000 * SEC } }),
      sides: null,
      maxRuns: 1000,
      ...over,
    });
    const mapOf = async (q: FlowSpanQuery): Promise<FlowMap> => {
      const spans = await store.flows.flowSpans(q);
      return flowMapOf(foldFlows(spans, FLOW_TRACE_PAGE), spans);
    };
    const seed = () =>
      store.writer.write(
        recordBatch({
          spans: [
            ...flowFleet({ runs: 20, release: '1.0' }),
            ...flowFleet({ runs: 20, release: '2.0', startUs: T0 + 100 * SEC, firstTrace: 101 }),
            // Another project's run, which no map of the default project folds.
            ...flowFleet({ runs: 1, release: '1.0', firstTrace: 900, projectId: 'p2' }),
          ],
        }),
        null,
      );

    it('folds 20 runs of a release into their nodes, with the loop of 10% of them and the failing path', async () => {
      await seed();
      const map = await mapOf(
        query({ filter: spanFilter({ range: { fromUs: T0 - SEC, toUs: T0 + 1000 * SEC }, attributes: [{ key: 'service.version', value: '1.0' }] }) }),
      );
      expect(map.runs).toBe(20);
      expect(map.truncated).toBe(false);
      // Tree order: each node after its parent, siblings as first met.
      expect(map.nodes.map((n) => [n.id, n.depth, counts(n)])).toEqual([
        ['workflow:checkout', 0, { runs: 20, spans: 20, errorRate: 4 / 20, loop: null, costUsd: null }],
        [P, 1, { runs: 20, spans: 20, errorRate: 0, loop: null, costUsd: null }],
        [`${P}/llm`, 2, { runs: 20, spans: 20, errorRate: 0, loop: null, costUsd: 0.2 }],
        // Runs 0 and 10 call search three times: 18 + 2 × 3 spans.
        [`${P}/tool:search`, 2, { runs: 20, spans: 24, errorRate: 0, loop: { runs: 2, maxRepeats: 3 }, costUsd: null }],
        [`${P}/tool:pay`, 2, { runs: 16, spans: 16, errorRate: 0, loop: null, costUsd: null }],
        // Runs 1, 6, 11 and 16.
        [`${P}/tool:refund`, 2, { runs: 4, spans: 4, errorRate: 1, loop: null, costUsd: null }],
      ]);
      const llm = map.nodes[2]!;
      expect([llm.name, llm.category, llm.parent]).toEqual(['chat gpt-4o', 'llm', P]);
      // LLM calls of 100..106 ms (i % 7 over runs 0..19): exact percentiles.
      expect(llm.p50Ms).toBe(103);
      const edges = Object.fromEntries(map.edges.map((e) => [`${e.kind} ${e.from.replace(P, 'P')} > ${e.to.replace(P, 'P')}`, counts(e)]));
      expect(edges).toEqual({
        'calls workflow:checkout > P': { runs: 20, spans: 20, errorRate: 0, loop: null, costUsd: null },
        'calls P > P/llm': { runs: 20, spans: 20, errorRate: 0, loop: null, costUsd: 0.2 },
        'calls P > P/tool:search': { runs: 20, spans: 24, errorRate: 0, loop: { runs: 2, maxRepeats: 3 }, costUsd: null },
        'then P/llm > P/tool:search': { runs: 20, spans: 20, errorRate: 0, loop: null, costUsd: null },
        'then P/tool:search > P/tool:search': { runs: 2, spans: 4, errorRate: 0, loop: { runs: 2, maxRepeats: 2 }, costUsd: null },
        'calls P > P/tool:pay': { runs: 16, spans: 16, errorRate: 0, loop: null, costUsd: null },
        'then P/tool:search > P/tool:pay': { runs: 16, spans: 16, errorRate: 0, loop: null, costUsd: null },
        'calls P > P/tool:refund': { runs: 4, spans: 4, errorRate: 1, loop: null, costUsd: null },
        'then P/tool:search > P/tool:refund': { runs: 4, spans: 4, errorRate: 1, loop: null, costUsd: null },
      });
      // The runs through the failing path, newest first.
      expect(map.nodes[5]!.traceIds).toEqual([tid(17), tid(12), tid(7), tid(2)]);
    });

    it('reads the newest runs up to its limit, and says it left older ones out', async () => {
      await seed();
      const map = await mapOf(query({ maxRuns: 5 }));
      expect(map.runs).toBe(5);
      expect(map.truncated).toBe(true);
      expect(map.nodes[0]!.traceIds).toEqual([tid(120), tid(119), tid(118), tid(117), tid(116)]);
    });

    it('folds the runs with a span the filter matches, whole', async () => {
      await seed();
      // Only failing runs have a `refund` span; their maps hold the workflow above it as well.
      const map = await mapOf(query({ filter: spanFilter({ range: { fromUs: T0 - SEC, toUs: T0 + 1000 * SEC }, spanName: 'refund' }) }));
      expect(map.runs).toBe(8);
      expect(map.nodes.map((n) => [n.id, n.runs])).toEqual([
        ['workflow:checkout', 8],
        [P, 8],
        [`${P}/llm`, 8],
        [`${P}/tool:search`, 8],
        [`${P}/tool:refund`, 8],
      ]);
    });

    it('compares two releases as one map: the path 2.0 added, and what did not change', async () => {
      await seed();
      const spans = await store.flows.flowSpans(query({ sides: { by: { attribute: 'service.version' }, a: '1.0', b: '2.0' } }));
      const comparison = compareFlows(spans, FLOW_TRACE_PAGE, { by: 'service.version', a: '1.0', b: '2.0' });
      expect(comparison.runs).toEqual({ a: 20, b: 20 });
      const added = comparison.nodes.filter((n) => n.kind !== 'both');
      expect(added.map((n) => [n.id, n.kind, n.b?.runs, n.change.frequency])).toEqual([[`${P}/tool:notify`, 'added', 16, 0.8]]);
      expect(added[0]!.frequency.significant).toBe(true);
      expect(
        comparison.edges
          .filter((e) => e.kind === 'added')
          .map((e) => `${e.edgeKind} ${e.from} > ${e.to}`)
          .sort(),
      ).toEqual([`calls ${P} > ${P}/tool:notify`, `then ${P}/tool:pay > ${P}/tool:notify`]);
      const pay = comparison.nodes.find((n) => n.id === `${P}/tool:pay`)!;
      expect([pay.kind, pay.change.frequency, pay.change.errorRate, pay.latency.significant, pay.frequency.significant]).toEqual(['both', 0, 0, false, false]);
    });
  });
}
