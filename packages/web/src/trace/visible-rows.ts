import type { SpanTree } from './span-tree';

/**
 * Which rows show, given the collapsed spans. `collapsed` is indexed by span index in the columns
 * (not by row), so it survives a new tree order when more spans arrive: `collapsed[i] === 1` hides
 * span i's subtree (its row stays). One pass that jumps over hidden subtrees: a collapse or expand
 * touches each row at most once.
 */
export function visibleRows(tree: SpanTree, collapsed: Uint8Array): Int32Array {
  const n = tree.count;
  const { order, subtreeEnd } = tree;
  const out = new Int32Array(n);
  // A set made before more spans came is shorter than the columns: a span past its end is not
  // folded (checked, rather than read past the end of a typed array).
  const held = collapsed.length;
  let count = 0;
  for (let row = 0; row < n; ) {
    out[count++] = row;
    const i = order[row]!;
    row = i < held && collapsed[i] === 1 ? subtreeEnd[row]! : row + 1;
  }
  return out.subarray(0, count);
}

/** Whether `row` is collapsed. */
export const isCollapsed = (tree: SpanTree, collapsed: Uint8Array, row: number): boolean => {
  const i = tree.order[row]!;
  return i < collapsed.length && collapsed[i] === 1;
};

/** A copy of `collapsed` with room for every span the tree's columns hold. */
function copyFor(tree: SpanTree, collapsed: Uint8Array): Uint8Array {
  const next = new Uint8Array(Math.max(collapsed.length, tree.spans.count));
  next.set(collapsed);
  return next;
}

/** A new collapsed set with `row` flipped; rows without children stay as they are. */
export function toggleRow(tree: SpanTree, collapsed: Uint8Array, row: number): Uint8Array {
  if (tree.childCount[row] === 0) return collapsed;
  const next = copyFor(tree, collapsed);
  next[tree.order[row]!] = isCollapsed(tree, collapsed, row) ? 0 : 1;
  return next;
}

/** Collapses every row with children deeper than `depth` (0: only roots show). `Infinity`: expand all. */
export function collapseBelow(tree: SpanTree, depth: number): Uint8Array {
  const n = tree.count;
  const next = new Uint8Array(tree.spans.count);
  const { order } = tree;
  for (let row = 0; row < n; row++) if (tree.depth[row]! >= depth && tree.childCount[row]! > 0) next[order[row]!] = 1;
  return next;
}

/** A new collapsed set with every ancestor of `rows` expanded, so those rows show. */
export function revealRows(tree: SpanTree, collapsed: Uint8Array, rows: Iterable<number>): Uint8Array {
  let next: Uint8Array | null = null;
  const { order } = tree;
  for (const row of rows) {
    for (let p = tree.parent[row]!; p !== -1; p = tree.parent[p]!) {
      if (!isCollapsed(tree, next ?? collapsed, p)) continue;
      next ??= copyFor(tree, collapsed);
      next[order[p]!] = 0;
    }
  }
  return next ?? collapsed;
}

/** Position of `row` among the visible rows (binary search: visible rows are ascending), or -1. */
export function indexOfRow(visible: Int32Array, row: number): number {
  let lo = 0;
  let hi = visible.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const value = visible[mid]!;
    if (value === row) return mid;
    if (value < row) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The slice of visible rows a scroll position shows, with `overscan` rows either side. */
export function rowWindow(count: number, scrollTop: number, viewportHeight: number, rowHeight: number, overscan: number): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return { first, last: Math.max(first, last) };
}

/**
 * The tallest the waterfall's scrolled canvas is made. Browsers cap an element's height (Firefox
 * at 17,895,697 px, Chromium at 33,554,431): a million rows of 26 px are 26 million. Past this
 * height the canvas stays this tall and a scroll position stands for a proportionally bigger
 * offset into the rows.
 */
export const MAX_CANVAS_PX = 15_000_000;

/** How the scrolled canvas maps to the rows: its height, and row pixels per scrolled pixel (1 unless scaled). */
export interface ScrollMap {
  canvasPx: number;
  ratio: number;
}

/** The canvas for `rows` rows of `rowHeight` in a view `viewportPx` tall. */
export function scrollMap(rows: number, rowHeight: number, viewportPx: number, maxCanvasPx = MAX_CANVAS_PX): ScrollMap {
  const contentPx = rows * rowHeight;
  if (contentPx <= maxCanvasPx) return { canvasPx: contentPx, ratio: 1 };
  // Scrolled to the end of the canvas shows the end of the rows: the ranges a scroll covers match.
  const scrollRange = Math.max(1, maxCanvasPx - viewportPx);
  return { canvasPx: maxCanvasPx, ratio: Math.max(1, (contentPx - viewportPx) / scrollRange) };
}
