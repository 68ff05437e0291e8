import { describe, expect, it } from 'vitest';
import { categoryAt, durationMsAt, eventsAt, isErrorAt, modelAt, nameAt, rowNote, rowOfSpan, serviceAt, startMsAt, totalMsOf, totalsOf } from './span-tree';
import { hexId, idsOf, spanOf, treeOf } from './testing';

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
  const tree = treeOf(TRACE);
  const order = idsOf(
    tree,
    Array.from({ length: tree.count }, (_, i) => i),
  );

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
    const t = treeOf([spanOf('r', null, 1.5, 3), spanOf('c', 'r', 2.25, 0.5)]);
    expect([0, 1].map((r) => startMsAt(t, r))).toEqual([0, 0.75]);
    expect([0, 1].map((r) => durationMsAt(t, r))).toEqual([3, 0.5]);
    expect(totalMsOf(t)).toBe(3);
  });

  it('carries names, services, categories and errors into row order, and the LLM totals', () => {
    const t = treeOf([
      spanOf('call', 'root', 5, 2, {
        name: 'chat',
        service: 'llm-proxy',
        category: 'llm',
        model: 'gpt-4o',
        inputTokens: 100,
        outputTokens: 20,
        costUsd: 0.002,
        events: [[6, 'exception']],
      }),
      spanOf('root', null, 0, 10, { name: 'workflow', category: 'workflow', error: true, sessionId: 's-1' }),
      spanOf('call2', 'root', 7, 2, { category: 'llm', inputTokens: 5, outputTokens: null, costUsd: null }),
    ]);
    const rows = [0, 1, 2];
    expect(rows.map((r) => nameAt(t, r))).toEqual(['workflow', 'chat', 'span call2']);
    expect(rows.map((r) => serviceAt(t, r))).toEqual(['agent', 'llm-proxy', 'agent']);
    expect(rows.map((r) => categoryAt(t, r))).toEqual(['workflow', 'llm', 'llm']);
    expect(rows.map((r) => isErrorAt(t, r))).toEqual([true, false, false]);
    expect(rows.map((r) => modelAt(t, r))).toEqual([null, 'gpt-4o', null]);
    expect(eventsAt(t, 1)).toEqual([[6, 'exception']]);
    expect(eventsAt(t, 0)).toBeUndefined();
    // call2 has tokens and no price: the cost leaves it out, and the totals say so.
    expect(totalsOf(t)).toEqual({ llmCalls: 2, inputTokens: 105, outputTokens: 20, costUsd: 0.002, unpricedCalls: 1 });
    expect(t.spans.sessionId).toBe('s-1');
  });

  it('counts errors, the deepest level and finds rows by span id', () => {
    expect(tree.spans.errorCount).toBe(1);
    expect(tree.maxDepth).toBe(2);
    expect(rowOfSpan(tree, hexId('b1'))).toBe(5);
    expect(rowOfSpan(tree, hexId('nowhere'))).toBe(-1);
    expect(rowOfSpan(tree, 'not an id')).toBe(-1);
  });

  // How spans are linked and ordered (orphans, parent loops, copies, ties, depth) is the model's
  // span-tree resolver, tested there; these are what the waterfall makes of it.
  it('draws a span stored twice as one row, with its children and its events, counted once', () => {
    const t = treeOf([
      spanOf('root', null, 0, 10),
      spanOf('call', 'root', 1, 2, { category: 'llm', inputTokens: 10, costUsd: 0.5, error: true, events: [[1.5, 'exception']] }),
      spanOf('call', 'root', 1, 2, { category: 'llm', inputTokens: 10, costUsd: 0.5, error: true, events: [[1.5, 'exception']] }),
      spanOf('tool', 'call', 1.2, 0.5),
    ]);
    expect(idsOf(t, [0, 1, 2])).toEqual(['root', 'call', 'tool']);
    expect(t.count).toBe(3);
    expect(Array.from(t.depth)).toEqual([0, 1, 2]);
    expect(eventsAt(t, 1)).toEqual([[1.5, 'exception']]);
    expect(totalsOf(t)).toEqual({ llmCalls: 1, inputTokens: 10, outputTokens: 0, costUsd: 0.5, unpricedCalls: 0 });
    expect(t.spans.errorCount).toBe(1);
    expect(rowOfSpan(t, hexId('call'))).toBe(1);
  });

  it('keeps what hangs under a loop of parents under the span where the loop is cut', () => {
    const t = treeOf([spanOf('y', 'x', 1, 5), spanOf('c', 'y', 2, 1), spanOf('x', 'y', 0, 10)]);
    expect(idsOf(t, [0, 1, 2])).toEqual(['x', 'y', 'c']);
    expect(Array.from(t.depth)).toEqual([0, 1, 2]);
    expect(t.childCount[0]).toBe(1);
  });

  it('marks a root whose parent never arrived, a cut parent loop and a span stored more than once', () => {
    const t = treeOf([
      spanOf('root', null, 0, 10),
      spanOf('late', 'gone', 5, 1),
      spanOf('self', 'self', 6, 1),
      spanOf('twice', 'root', 1, 1),
      spanOf('twice', 'root', 1, 1),
      spanOf('lost', 'gone', 7, 1),
      spanOf('lost', 'gone', 7, 1),
    ]);
    expect(idsOf(t, [0, 1, 2, 3, 4])).toEqual(['root', 'twice', 'late', 'self', 'lost']);
    expect([0, 1, 2, 3, 4].map((row) => rowNote(t, row))).toEqual([
      null,
      'stored 2×',
      'parent not in trace',
      'parent loop cut here',
      'parent not in trace · stored 2×',
    ]);
  });

  it('handles an empty trace', () => {
    const t = treeOf([]);
    expect(t.count).toBe(0);
    expect(totalMsOf(t)).toBe(0);
  });
});
