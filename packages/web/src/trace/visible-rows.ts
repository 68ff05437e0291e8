import type { SpanTree } from './span-tree';

/**
 * Which rows show, given the collapsed ones. `collapsed[row] === 1` hides the row's subtree (the
 * row itself stays). One pass that jumps over hidden subtrees: a collapse or expand on a
 * 50,000-span trace touches each row at most once.
 */
export function visibleRows(tree: SpanTree, collapsed: Uint8Array): Int32Array {
  const n = tree.count;
  const out = new Int32Array(n);
  let count = 0;
  for (let row = 0; row < n; ) {
    out[count++] = row;
    row = collapsed[row] === 1 ? tree.subtreeEnd[row]! : row + 1;
  }
  return out.subarray(0, count);
}

/** A new collapsed set with `row` flipped; rows without children stay as they are. */
export function toggleRow(tree: SpanTree, collapsed: Uint8Array, row: number): Uint8Array {
  if (tree.childCount[row] === 0) return collapsed;
  const next = collapsed.slice();
  next[row] = collapsed[row] === 1 ? 0 : 1;
  return next;
}

/** Collapses every row with children deeper than `depth` (0: only roots show). `Infinity`: expand all. */
export function collapseBelow(tree: SpanTree, depth: number): Uint8Array {
  const n = tree.count;
  const next = new Uint8Array(n);
  for (let row = 0; row < n; row++) if (tree.depth[row]! >= depth && tree.childCount[row]! > 0) next[row] = 1;
  return next;
}

/** A new collapsed set with every ancestor of `rows` expanded, so those rows show. */
export function revealRows(tree: SpanTree, collapsed: Uint8Array, rows: Iterable<number>): Uint8Array {
  let next: Uint8Array | null = null;
  for (const row of rows) {
    for (let p = tree.parent[row]!; p !== -1; p = tree.parent[p]!) {
      if ((next ?? collapsed)[p] !== 1) continue;
      next ??= collapsed.slice();
      next[p] = 0;
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
