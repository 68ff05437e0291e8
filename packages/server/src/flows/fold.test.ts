import { FLOW_TRACE_PAGE, type SpanCategory } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { FlowSpansBuilder } from '../store/flow-spans.js';
import type { FlowSpans } from '../store/store.js';
import { foldFlows } from './fold.js';
import { flowMapOf, selectQuantile } from './map.js';

/** A span of a table below: [run, id, parent id (0: none), category, name, start, duration, failed]. */
type Row = [number, number, number, SpanCategory, string, number, number, boolean?];

const CATEGORIES: SpanCategory[] = ['workflow', 'agent', 'step', 'llm', 'tool', 'retriever', 'embedding', 'other'];

/** The rows as an engine's reader would hand them over, in the order given (not sorted). */
function spansOf(rows: Row[], runs = 1 + Math.max(...rows.map((r) => r[0]))): FlowSpans {
  const builder = new FlowSpansBuilder(runs);
  const labelKeys = new Map<string, number>();
  for (let run = 0; run < runs; run++) builder.setRun(run, `t${run}`, false);
  for (const [run, id, parent, category, name, start, duration, failed] of rows) {
    const labelKey = labelKeys.get(`${category}:${name}`) ?? labelKeys.set(`${category}:${name}`, labelKeys.size).size - 1;
    const columns = [run, id, parent === 0 ? -1 : parent, labelKey, CATEGORIES.indexOf(category), start, duration, failed === true ? 1 : 0, Number.NaN, 0];
    builder.addColumns(
      1,
      columns.map((v) => Float64Array.of(v)),
      { name: () => name },
    );
  }
  return builder.done();
}

const mapOf = (rows: Row[]) => {
  const spans = spansOf(rows);
  return flowMapOf(foldFlows(spans, FLOW_TRACE_PAGE), spans);
};

describe('foldFlows', () => {
  it('places a child that started before its parent under it, whatever order the rows came in', () => {
    const map = mapOf([
      [0, 2, 1, 'tool', 'search', 5, 10],
      [0, 1, 0, 'agent', 'planner', 10, 100],
    ]);
    expect(map.nodes.map((n) => [n.id, n.depth])).toEqual([
      ['agent:planner', 0],
      ['agent:planner/tool:search', 1],
    ]);
  });

  it('makes an orphan a root of its run, after the root that started before it', () => {
    const map = mapOf([
      [0, 1, 0, 'workflow', 'checkout', 0, 100],
      [0, 2, 99, 'tool', 'late', 50, 10],
    ]);
    expect(map.nodes.map((n) => [n.id, n.parent])).toEqual([
      ['workflow:checkout', null],
      ['tool:late', null],
    ]);
    expect(map.edges.map((e) => [e.kind, e.from, e.to])).toEqual([['then', 'workflow:checkout', 'tool:late']]);
  });

  it('cuts a loop of parent ids where it closes, so every span still has a node', () => {
    const map = mapOf([
      [0, 1, 2, 'step', 'a', 0, 10],
      [0, 2, 1, 'step', 'b', 1, 10],
    ]);
    expect(map.nodes.reduce((n, node) => n + node.spans, 0)).toBe(2);
    expect(map.nodes).toHaveLength(2);
    expect(map.nodes[0]!.parent).toBeNull();
  });

  it('counts a node repeated within a run as a loop: the runs doing it and the most repeats', () => {
    const rows: Row[] = [];
    const repeats = [3, 1, 2];
    repeats.forEach((times, run) => {
      rows.push([run, 1, 0, 'agent', 'planner', 0, 100]);
      for (let k = 0; k < times; k++) rows.push([run, 10 + k, 1, 'tool', 'search', 1 + k, 10]);
    });
    const search = mapOf(rows).nodes.find((n) => n.id === 'agent:planner/tool:search')!;
    expect([search.runs, search.spans, search.loop]).toEqual([3, 6, { runs: 2, maxRepeats: 3 }]);
    expect(search.traceIds).toEqual(['t0', 't1', 't2']);
  });

  it('puts LLM calls of different models on one node, named as its first span', () => {
    const map = mapOf([
      [0, 1, 0, 'agent', 'a', 0, 100],
      [0, 2, 1, 'llm', 'chat gpt-4o', 1, 10],
      [1, 1, 0, 'agent', 'a', 0, 100],
      [1, 2, 1, 'llm', 'chat claude', 1, 10],
    ]);
    expect(map.nodes.map((n) => [n.id, n.name, n.runs])).toEqual([
      ['agent:a', 'a', 2],
      ['agent:a/llm', 'chat gpt-4o', 2],
    ]);
  });
});

describe('selectQuantile', () => {
  it.each([
    [[5], 0.5, 5],
    [[1, 2, 3, 4], 0.5, 2.5],
    [[10, 1, 7, 3, 5], 0.95, 9.4],
    [[4, 4, 4], 0.95, 4],
    [[], 0.5, 0],
  ])('of %j at %d is %d, as quantileOfSorted interpolates', (values, q, expected) => {
    expect(selectQuantile(Float64Array.from(values), q)).toBeCloseTo(expected, 9);
  });
});
