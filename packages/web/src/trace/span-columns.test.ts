import { describe, expect, it } from 'vitest';
import { RUNNING, SpanColumns, type SpanBatch } from './span-columns';
import { buildSpanTree, durationMsAt, nameAt, rowOfSpan, stateAt, totalMsOf, totalsOf } from './span-tree';
import { toggleRow, visibleRows } from './visible-rows';
import { batchFromTraceTree } from './span-batch';
import { idsOf, spanOf, traceOf } from './testing';

/** A batch of `spans` (test spans), with `state` for each. */
const batchOf = (spans: Parameters<typeof traceOf>[0], state?: number[]): SpanBatch => ({
  ...batchFromTraceTree(traceOf(spans, 0)),
  ...(state === undefined ? {} : { state }),
});

describe('SpanColumns', () => {
  it('replaces a running span by id in place: its new duration and state show without a new tree order', () => {
    const spans = new SpanColumns('t', 0);
    spans.add(batchOf([spanOf('root', null, 0, 10), spanOf('llm', 'root', 1, 2, { category: 'llm', inputTokens: 5 })], [RUNNING, RUNNING]));
    const tree = buildSpanTree(spans);
    expect(stateAt(tree, 0)).toBe('running');
    expect(spans.runningCount).toBe(2);
    const result = spans.upsert(batchOf([spanOf('llm', 'root', 1, 8, { category: 'llm', inputTokens: 50, outputTokens: 7 }), spanOf('root', null, 0, 30)]));
    expect(result).toEqual({ added: 0, replaced: 2, structure: false });
    expect(spans.count).toBe(2);
    expect([stateAt(tree, 0), stateAt(tree, 1)]).toEqual(['ended', 'ended']);
    expect(spans.runningCount).toBe(0);
    expect(durationMsAt(tree, 1)).toBe(8);
    expect(totalMsOf(tree)).toBe(30);
    // The call is counted once, with its last numbers.
    expect(totalsOf(tree)).toEqual({ llmCalls: 1, inputTokens: 50, outputTokens: 7, costUsd: null, unpricedCalls: 1 });
  });

  it('never lets a running snapshot replace the ended span, and says when the order must be rebuilt', () => {
    const spans = new SpanColumns('t', 0);
    spans.add(batchOf([spanOf('root', null, 0, 10)]));
    expect(spans.upsert(batchOf([spanOf('root', null, 0, 3)], [RUNNING]))).toEqual({ added: 0, replaced: 0, structure: false });
    const tree = buildSpanTree(spans);
    expect([stateAt(tree, 0), durationMsAt(tree, 0)]).toEqual(['ended', 10]);
    const version = spans.structureVersion;
    expect(spans.upsert(batchOf([spanOf('child', 'root', 1, 1)])).structure).toBe(true);
    expect(spans.upsert(batchOf([spanOf('child', 'root', 2, 1)])).structure).toBe(true);
    expect(spans.structureVersion).toBe(version + 2);
  });

  it('shrinks the trace when the span that ended last is replaced by a shorter one', () => {
    const spans = new SpanColumns('t', 0);
    spans.add(batchOf([spanOf('root', null, 0, 5), spanOf('long', 'root', 1, 99)], [0, RUNNING]));
    spans.upsert(batchOf([spanOf('long', 'root', 1, 2)]));
    expect(totalMsOf(buildSpanTree(spans))).toBe(5);
  });

  it('grows past its first capacity, finding every span by id', () => {
    const spans = new SpanColumns('t', 0);
    const n = 5_000;
    const id = (k: number): string => `f${k.toString(16).padStart(15, '0')}`;
    const list = [spanOf(id(0), null, 0, n + 1), ...Array.from({ length: n }, (_, k) => spanOf(id(k + 1), id(0), k + 1, 1, { name: `step ${k % 7}` }))];
    for (let from = 0; from < list.length; from += 700) spans.add(batchOf(list.slice(from, from + 700)));
    expect(spans.count).toBe(n + 1);
    const tree = buildSpanTree(spans);
    expect(tree.count).toBe(n + 1);
    expect(tree.childCount[0]).toBe(n);
    for (const k of [1, 64, 65, 4096, n]) expect(idsOf(tree, [rowOfSpan(tree, id(k))])).toEqual([id(k)]);
    expect(nameAt(tree, 3)).toBe('step 2');
  });

  it('keeps what the user folded when more spans arrive and the rows are ordered again', () => {
    const spans = new SpanColumns('t', 0);
    spans.add(batchOf([spanOf('b', null, 50, 10), spanOf('b1', 'b', 51, 1)]));
    const first = buildSpanTree(spans);
    const collapsed = toggleRow(first, new Uint8Array(0), 0);
    // A root that started earlier arrives: 'b' moves down a row, and stays folded.
    spans.add(batchOf([spanOf('a', null, 0, 10), spanOf('a1', 'a', 1, 1), spanOf('b2', 'b', 52, 1)]));
    const second = buildSpanTree(spans);
    expect(idsOf(second, visibleRows(second, collapsed))).toEqual(['a', 'a1', 'b']);
  });
});
