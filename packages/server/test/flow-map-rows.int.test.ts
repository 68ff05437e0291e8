import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOW_TRACE_PAGE, type FlowMap, type SpanRecord } from '@spoor/model';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { foldFlows } from '../src/flows/fold.js';
import { flowMapOfRows } from '../src/flows/map-rows.js';
import { flowMapOf } from '../src/flows/map.js';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import type { FlowSpanQuery, Store } from '../src/store/store.js';
import { recordBatch } from './contract/per-test-store.js';
import { flowFleet } from './support/flow-fleet.js';
import { T0, emptyLlm, sid, span, spanFilter, tid } from './support/record-fixtures.js';

/**
 * The flow map DuckDB aggregates (`store/duckdb/flow-map.ts`) against the JS fold, the rule it
 * follows, over random fleets: parents that start after their children, orphans, siblings that
 * start together, repeats, failures, costs, LLM calls of several names, more runs than the map
 * keeps. Where a run's parent links close a loop, the aggregate must say so (and the fold answers).
 */

const SEC = 1_000_000;
const CATEGORIES: SpanRecord['category'][] = ['workflow', 'agent', 'step', 'llm', 'tool', 'embedding', 'other'];
const NAMES = ['plan', 'search', 'pay', 'chat gpt-4o', 'chat claude'];

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomFleet(seed: number, runs: number, loops: boolean): SpanRecord[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const spans: SpanRecord[] = [];
  for (let i = 0; i < runs; i++) {
    const n = 1 + Math.floor(r() * 12);
    const at = T0 + i * SEC;
    for (let j = 1; j <= n; j++) {
      const roll = r();
      // Mostly a parent among the run's spans; sometimes none, or one never stored (an orphan).
      let parent: number | null = j === 1 || roll < 0.08 ? null : roll < 0.14 ? 90 : 1 + Math.floor(r() * (j - 1));
      if (loops && j === 1 && r() < 0.3) parent = 2;
      if (loops && j === 2 && parent === null) parent = 1;
      const category = pick(CATEGORIES);
      const start = at + Math.floor(r() * 6) * 1000;
      spans.push(
        span({
          traceId: tid(1 + i),
          spanId: sid((1 + i) * 100 + j),
          parentSpanId: parent === null ? null : sid((1 + i) * 100 + parent),
          name: pick(NAMES),
          category,
          startTimeUs: start,
          endTimeUs: start + 1 + Math.floor(r() * 5000),
          status: r() < 0.15 ? { code: 'error', message: 'failed' } : { code: 'unset', message: '' },
          llm: category === 'llm' && r() < 0.7 ? { ...emptyLlm(), requestModel: 'gpt-4o', costUsd: Math.round(r() * 1000) / 1e5 } : null,
        }),
      );
    }
  }
  return spans;
}

/** The map as compared: costs to a billionth (the engine sums in another order), an LLM or embedding node's name left out (either of its names is its label's). */
function comparable(map: FlowMap) {
  const cost = (c: number | null) => (c === null ? null : Math.round(c * 1e9));
  return {
    ...map,
    nodes: map.nodes.map((n) => ({ ...n, name: n.category === 'llm' || n.category === 'embedding' ? '' : n.name, costUsd: cost(n.costUsd) })),
    edges: map.edges.map((e) => ({ ...e, costUsd: cost(e.costUsd) })),
  };
}

describe('the flow map DuckDB aggregates, against the fold', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spoor-flow-rows-'));
    store = await DuckDbStore.open({ path: join(dir, 'spoor.duckdb'), alertSlicesFromSpans: 0 });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const query = (maxRuns: number, over: Partial<FlowSpanQuery> = {}): FlowSpanQuery => ({
    filter: spanFilter({ range: { fromUs: T0 - SEC, toUs: T0 + 1000 * SEC } }),
    sides: null,
    maxRuns,
    ...over,
  });
  const both = async (q: FlowSpanQuery) => {
    const spans = await store.flows.flowSpans(q);
    const rows = await store.flows.flowMapRows!(q, FLOW_TRACE_PAGE);
    return { folded: flowMapOf(foldFlows(spans, FLOW_TRACE_PAGE), spans), aggregated: flowMapOfRows(rows, q.maxRuns) };
  };

  it('gives the fold’s map of the generated fleet, exactly', async () => {
    await store.writer.write(recordBatch({ spans: flowFleet({ runs: 30, release: '1.0' }) }), null);
    const { folded, aggregated } = await both(query(1000));
    expect(folded.nodes.length).toBeGreaterThan(5);
    expect(aggregated).toEqual(folded);
  });

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`gives the fold’s map of random fleet ${seed}, and keeps the newest runs`, async () => {
      await store.writer.write(recordBatch({ spans: randomFleet(seed, 40, false) }), null);
      for (const maxRuns of [1000, 25]) {
        const { folded, aggregated } = await both(query(maxRuns));
        expect(aggregated).not.toBeNull();
        expect(comparable(aggregated!)).toEqual(comparable(folded));
      }
    });
  }

  it('says when a run’s parent links close a loop, where the fold’s rule decides', async () => {
    await store.writer.write(recordBatch({ spans: randomFleet(7, 40, true) }), null);
    const { folded, aggregated } = await both(query(1000));
    expect(folded.runs).toBe(40);
    expect(aggregated).toBeNull();
  });
});
