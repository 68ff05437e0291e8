import { describe, expect, it } from 'vitest';
import { batchFromTraceTree } from './span-batch';
import { SpanColumns } from './span-columns';
import { buildSpanTree } from './span-tree';
import { idsOf, spanOf, traceOf, treeOf } from './testing';
import { anchoredScrollTop, collapseBelow, indexOfRow, MAX_CANVAS_PX, revealRows, rowWindow, scrollMap, toggleRow, visibleRows } from './visible-rows';

const tree = treeOf([
  spanOf('root', null, 0, 100),
  spanOf('a', 'root', 10, 30),
  spanOf('a1', 'a', 15, 5),
  spanOf('a1x', 'a1', 16, 1),
  spanOf('a2', 'a', 30, 10),
  spanOf('b', 'root', 50, 40),
  spanOf('b1', 'b', 60, 10),
]);
const none = new Uint8Array(tree.count);
const shown = (collapsed: Uint8Array) => idsOf(tree, visibleRows(tree, collapsed));

describe('visibleRows', () => {
  it('shows every row when nothing is collapsed', () => {
    expect(shown(none)).toEqual(['root', 'a', 'a1', 'a1x', 'a2', 'b', 'b1']);
  });

  it('hides the whole subtree of a collapsed row but keeps the row', () => {
    expect(shown(toggleRow(tree, none, 1))).toEqual(['root', 'a', 'b', 'b1']);
  });

  it('keeps what was collapsed inside a collapsed subtree when it is expanded again', () => {
    const inner = toggleRow(tree, none, 2);
    const both = toggleRow(tree, inner, 1);
    expect(shown(both)).toEqual(['root', 'a', 'b', 'b1']);
    expect(shown(toggleRow(tree, both, 1))).toEqual(['root', 'a', 'a1', 'a2', 'b', 'b1']);
  });

  it('leaves a leaf alone and never changes the set it was given', () => {
    expect(toggleRow(tree, none, 3)).toBe(none);
    toggleRow(tree, none, 1);
    expect(Array.from(none).every((v) => v === 0)).toBe(true);
  });

  it.each([
    [0, ['root']],
    [1, ['root', 'a', 'b']],
    [2, ['root', 'a', 'a1', 'a2', 'b', 'b1']],
    [Infinity, ['root', 'a', 'a1', 'a1x', 'a2', 'b', 'b1']],
  ])('collapses everything from depth %s down', (depth, ids) => {
    expect(shown(collapseBelow(tree, depth))).toEqual(ids);
  });

  it('expands the ancestors of rows it must reveal, and nothing else', () => {
    const all = collapseBelow(tree, 0);
    const revealed = revealRows(tree, all, [3]);
    expect(shown(revealed)).toEqual(['root', 'a', 'a1', 'a1x', 'a2', 'b']);
    expect(revealRows(tree, none, [3])).toBe(none);
  });
});

describe('indexOfRow and rowWindow', () => {
  it('finds a row among the visible ones, or says it is hidden', () => {
    const visible = visibleRows(tree, toggleRow(tree, none, 1));
    expect(indexOfRow(visible, 5)).toBe(2);
    expect(indexOfRow(visible, 3)).toBe(-1);
  });

  it.each([
    [
      { count: 1000, top: 0, height: 240 },
      { first: 0, last: 15 },
    ],
    [
      { count: 1000, top: 2400, height: 240 },
      { first: 95, last: 115 },
    ],
    [
      { count: 12, top: 0, height: 600 },
      { first: 0, last: 12 },
    ],
    [
      { count: 0, top: 0, height: 600 },
      { first: 0, last: 0 },
    ],
  ])('renders only the rows in view plus overscan: %o', ({ count, top, height }, want) => {
    expect(rowWindow(count, top, height, 24, 5)).toEqual(want);
  });
});

describe('scrollMap', () => {
  it.each([
    [1000, 26_000, 1],
    [0, 0, 1],
    [576_000, 14_976_000, 1],
    [600_000, MAX_CANVAS_PX, (15_600_000 - 800) / (MAX_CANVAS_PX - 800)],
  ])('gives %i rows of 26 px a canvas of %i px, %f row px a scrolled px', (rows, canvasPx, ratio) => {
    expect(scrollMap(rows, 26, 800)).toEqual({ canvasPx, ratio });
  });

  it('caps the canvas of a million rows and scales scrolling so that its end shows the last row', () => {
    const map = scrollMap(1_000_000, 26, 800);
    expect(map.canvasPx).toBe(MAX_CANVAS_PX);
    const endScrollTop = map.canvasPx - 800;
    const rowsTop = endScrollTop * map.ratio;
    expect(rowsTop + 800).toBeCloseTo(26_000_000, 3);
    const { last } = rowWindow(1_000_000, rowsTop, 800, 26, 0);
    expect(last).toBe(1_000_000);
  });
});

describe('anchoredScrollTop', () => {
  // A root with children late0..late9; then early0..early4, which start earlier, arrive and go above them.
  const spans = new SpanColumns('t', 0);
  const add = (list: Parameters<typeof traceOf>[0]) => spans.add(batchFromTraceTree(traceOf(list, 0)));
  add([spanOf('root', null, 0, 100), ...Array.from({ length: 10 }, (_, k) => spanOf(`late${k}`, 'root', 50 + k, 1))]);
  const first = buildSpanTree(spans);
  const shownFirst = { tree: first, visible: visibleRows(first, new Uint8Array(0)), ratio: 1 };
  add(Array.from({ length: 5 }, (_, k) => spanOf(`early${k}`, 'root', 10 + k, 1)));
  const second = buildSpanTree(spans);
  const shownSecond = { tree: second, visible: visibleRows(second, new Uint8Array(0)), ratio: 1 };

  it('keeps the row at the top of the view in place when rows arrive above it, to the pixel', () => {
    // Row 3 (late2) at the top, 10 px of it scrolled past; it is row 8 once early0..early4 are in.
    expect(idsOf(first, [3])).toEqual(['late2']);
    expect(anchoredScrollTop(shownFirst, shownSecond, 3 * 26 + 10, 26)).toBe(8 * 26 + 10);
  });

  it('leaves a view at the top, or one whose top row is folded away, where it is', () => {
    expect(anchoredScrollTop(shownFirst, shownSecond, 0, 26)).toBeNull();
    const folded = { ...shownSecond, visible: visibleRows(second, toggleRow(second, new Uint8Array(0), 0)) };
    expect(anchoredScrollTop(shownFirst, folded, 3 * 26, 26)).toBeNull();
  });

  it('converts through a scaled canvas', () => {
    expect(anchoredScrollTop({ ...shownFirst, ratio: 2 }, { ...shownSecond, ratio: 4 }, (3 * 26) / 2, 26)).toBe((8 * 26) / 4);
  });
});
