import { describe, expect, it } from 'vitest';
import { buildSpanTree } from './span-tree';
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

  it('shows a span whose parent never arrived as a root, in start order with the others', () => {
    const t = buildSpanTree(traceOf([spanOf('late', 'missing', 5, 1), spanOf('root', null, 0, 10), spanOf('c', 'root', 1, 1)]));
    expect(idsOf(t, [0, 1, 2])).toEqual(['root', 'c', 'late']);
    expect(t.depth[2]).toBe(0);
  });

  it('places every span of a parent cycle once instead of looping', () => {
    const t = buildSpanTree(traceOf([spanOf('x', 'y', 0, 1), spanOf('y', 'x', 1, 1), spanOf('self', 'self', 2, 1)]));
    expect(t.count).toBe(3);
    expect(new Set(idsOf(t, [0, 1, 2]))).toEqual(new Set(['x', 'y', 'self']));
  });

  it('builds a 50,000-span chain deeper than the call stack would allow', () => {
    const chain = Array.from({ length: 50_000 }, (_, i) => spanOf(`s${i}`, i === 0 ? null : `s${i - 1}`, i * 0.01, 1));
    const t = buildSpanTree(traceOf(chain));
    expect(t.depth[49_999]).toBe(49_999);
    expect(t.subtreeEnd[0]).toBe(50_000);
  });

  it('handles an empty trace', () => {
    const t = buildSpanTree(traceOf([]));
    expect(t.count).toBe(0);
    expect(t.totalMs).toBe(0);
  });
});
