import { describe, expect, it } from 'vitest';
import { buildSpanTree, rowNote } from './span-tree';
import { idsOf, spanOf, traceOf } from './testing';

// root ─┬─ a ─┬─ a1
//       │     └─ a2
//       └─ b ─── b1
const TRACE = [
  spanOf('b1', 'b', 60, 10),
  spanOf('a2', 'a', 30, 10),
  spanOf('root', null, 0, 100),
  spanOf('b', 'root', 50, 40, { error: true }),
  spanOf('a', 'root', 10, 30),
  spanOf('a1', 'a', 15, 5),
];

describe('buildSpanTree', () => {
  const tree = buildSpanTree(traceOf(TRACE));
  const order = idsOf(tree, tree.spanIds.map((_, i) => i));

  it('puts spans in depth-first order, children by start time, whatever order they came in', () => {
    expect(order).toEqual(['root', 'a', 'a1', 'a2', 'b', 'b1']);
  });

  it('records depth, parent row, child count and the end of each subtree', () => {
    expect(Array.from(tree.depth)).toEqual([0, 1, 2, 2, 1, 2]);
    expect(Array.from(tree.parent)).toEqual([-1, 0, 1, 1, 0, 4]);
    expect(Array.from(tree.childCount)).toEqual([2, 2, 0, 0, 1, 0]);
    expect(Array.from(tree.subtreeEnd)).toEqual([6, 4, 3, 4, 6, 6]);
    expect(Array.from(tree.posInSet)).toEqual([1, 1, 1, 2, 2, 1]);
    expect(tree.rootCount).toBe(1);
  });

  it('measures times from the first start, in milliseconds, keeping microseconds', () => {
    const t = buildSpanTree(traceOf([spanOf('r', null, 1.5, 3), spanOf('c', 'r', 2.25, 0.5)]));
    expect(Array.from(t.startMs)).toEqual([0, 0.75]);
    expect(t.totalMs).toBe(3);
  });

  it('carries names, services, categories and errors into row order, and the LLM totals', () => {
    const t = buildSpanTree(
      traceOf([
        spanOf('call', 'root', 5, 2, { name: 'chat', service: 'llm-proxy', category: 'llm', model: 'gpt-4o', inputTokens: 100, outputTokens: 20, costUsd: 0.002, events: [[6, 'exception']] }),
        spanOf('root', null, 0, 10, { name: 'workflow', category: 'workflow', error: true, sessionId: 's-1' }),
        spanOf('call2', 'root', 7, 2, { category: 'llm', inputTokens: 5, outputTokens: null, costUsd: null }),
      ]),
    );
    expect(t.names).toEqual(['workflow', 'chat', 'span call2']);
    expect(t.services).toEqual(['agent', 'llm-proxy', 'agent']);
    expect(t.categories).toEqual(['workflow', 'llm', 'llm']);
    expect(Array.from(t.isError)).toEqual([1, 0, 0]);
    expect(t.models).toEqual([null, 'gpt-4o', null]);
    expect(t.events.get(1)).toEqual([[6, 'exception']]);
    expect(t.totals).toEqual({ llmCalls: 2, inputTokens: 105, outputTokens: 20, costUsd: 0.002 });
    expect(t.sessionId).toBe('s-1');
  });

  it('counts errors, the deepest level and finds rows by span id', () => {
    expect(tree.errorCount).toBe(1);
    expect(tree.maxDepth).toBe(2);
    expect(tree.rowOfSpan.get('b1')).toBe(5);
  });

  // How spans are linked and ordered (orphans, parent loops, copies, ties, depth) is the model's
  // span-tree resolver, tested there; these are what the waterfall makes of it.
  it('draws a span stored twice as one row, with its children and its events, counted once', () => {
    const t = buildSpanTree(
      traceOf([
        spanOf('root', null, 0, 10),
        spanOf('call', 'root', 1, 2, { category: 'llm', inputTokens: 10, costUsd: 0.5, error: true, events: [[1.5, 'exception']] }),
        spanOf('call', 'root', 1, 2, { category: 'llm', inputTokens: 10, costUsd: 0.5, error: true, events: [[1.5, 'exception']] }),
        spanOf('tool', 'call', 1.2, 0.5),
      ]),
    );
    expect(idsOf(t, [0, 1, 2])).toEqual(['root', 'call', 'tool']);
    expect(t.count).toBe(3);
    expect(Array.from(t.depth)).toEqual([0, 1, 2]);
    expect(t.events.get(1)).toEqual([[1.5, 'exception']]);
    expect(t.totals).toEqual({ llmCalls: 1, inputTokens: 10, outputTokens: 0, costUsd: 0.5 });
    expect(t.errorCount).toBe(1);
    expect(t.rowOfSpan.get('call')).toBe(1);
  });

  it('keeps what hangs under a loop of parents under the span where the loop is cut', () => {
    const t = buildSpanTree(traceOf([spanOf('y', 'x', 1, 5), spanOf('c', 'y', 2, 1), spanOf('x', 'y', 0, 10)]));
    expect(idsOf(t, [0, 1, 2])).toEqual(['x', 'y', 'c']);
    expect(Array.from(t.depth)).toEqual([0, 1, 2]);
    expect(t.childCount[0]).toBe(1);
  });

  it('marks a root whose parent never arrived, a cut parent loop and a span stored more than once', () => {
    const t = buildSpanTree(
      traceOf([spanOf('root', null, 0, 10), spanOf('late', 'gone', 5, 1), spanOf('self', 'self', 6, 1), spanOf('twice', 'root', 1, 1), spanOf('twice', 'root', 1, 1), spanOf('lost', 'gone', 7, 1), spanOf('lost', 'gone', 7, 1)]),
    );
    expect(idsOf(t, [0, 1, 2, 3, 4])).toEqual(['root', 'twice', 'late', 'self', 'lost']);
    expect([0, 1, 2, 3, 4].map((row) => rowNote(t, row))).toEqual([null, 'stored 2×', 'parent not in trace', 'parent loop cut here', 'parent not in trace · stored 2×']);
  });

  it('handles an empty trace', () => {
    const t = buildSpanTree(traceOf([]));
    expect(t.count).toBe(0);
    expect(t.totalMs).toBe(0);
  });
});
