import { microsFromIso, type Span } from '@spoor/model';

/**
 * A trace's spans flattened into rows in depth-first order, with typed arrays instead of node
 * objects: a 50,000-span trace becomes a handful of arrays built in one pass, and everything the
 * waterfall asks (a subtree, a parent, the rows under a collapsed span) is an index lookup.
 *
 * Row `i`'s subtree is the rows `i + 1 .. subtreeEnd[i] - 1`, because the order is depth-first.
 */
export interface SpanTree {
  /** Spans in row order. */
  spans: readonly Span[];
  /** Row of the parent; -1 for a root (or a span whose parent never arrived). */
  parent: Int32Array;
  depth: Uint16Array;
  /** One past the last row of the row's subtree. */
  subtreeEnd: Int32Array;
  childCount: Int32Array;
  /** Start, milliseconds after the trace's first span started. */
  startMs: Float64Array;
  durationMs: Float64Array;
  /** Whole trace: first start to last end, milliseconds. */
  totalMs: number;
  /** Epoch microseconds of the first start. */
  originUs: number;
  rowOfSpan: ReadonlyMap<string, number>;
  maxDepth: number;
  errorCount: number;
}

/** Builds the rows. Children sort by start time, then by their order in `spans`. */
export function buildSpanTree(input: readonly Span[]): SpanTree {
  const n = input.length;
  const startUs = new Float64Array(n);
  let originUs = Infinity;
  let endUs = -Infinity;
  const indexOfId = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const span = input[i]!;
    const start = microsFromIso(span.startTime) ?? 0;
    startUs[i] = start;
    if (start < originUs) originUs = start;
    const end = start + span.durationMs * 1000;
    if (end > endUs) endUs = end;
    // A duplicate id keeps its first span; the later one shows as a root of its own.
    if (!indexOfId.has(span.spanId)) indexOfId.set(span.spanId, i);
  }
  if (n === 0) originUs = endUs = 0;

  // Children as linked lists in one pass (head/next arrays), then sorted per parent below.
  const firstChild = new Int32Array(n).fill(-1);
  const nextSibling = new Int32Array(n).fill(-1);
  const roots: number[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const parentId = input[i]!.parentSpanId;
    const p = parentId === null ? undefined : indexOfId.get(parentId);
    if (p === undefined || p === i) {
      roots.push(i);
    } else {
      nextSibling[i] = firstChild[p]!;
      firstChild[p] = i;
    }
  }
  roots.reverse();
  const byStart = (a: number, b: number) => startUs[a]! - startUs[b]! || a - b;
  roots.sort(byStart);

  const spans: Span[] = new Array(n);
  const parent = new Int32Array(n);
  const depth = new Uint16Array(n);
  const subtreeEnd = new Int32Array(n);
  const childCount = new Int32Array(n);
  const startMs = new Float64Array(n);
  const durationMs = new Float64Array(n);
  const rowOfSpan = new Map<string, number>();
  let maxDepth = 0;
  let errorCount = 0;
  let row = 0;
  const visited = new Uint8Array(n);

  // Iterative depth-first walk: a stack of (span index, parent row) pairs; traces can nest deeper
  // than the call stack would like. `close` entries fix subtreeEnd when a subtree is done.
  const stack: number[] = [];
  const pushChildren = (i: number, parentRow: number) => {
    const kids: number[] = [];
    for (let c = firstChild[i]!; c !== -1; c = nextSibling[c]!) kids.push(c);
    if (kids.length > 1) kids.sort(byStart);
    for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]!, parentRow);
  };
  for (let r = roots.length - 1; r >= 0; r--) stack.push(roots[r]!, -1);
  const open: number[] = [];
  while (stack.length > 0) {
    const parentRow = stack.pop()!;
    const i = stack.pop()!;
    // A parent cycle (a -> b -> a) would loop forever; each span is placed once.
    if (visited[i] === 1) continue;
    visited[i] = 1;
    while (open.length > 0 && open[open.length - 1] !== parentRow) subtreeEnd[open.pop()!] = row;
    const span = input[i]!;
    spans[row] = span;
    parent[row] = parentRow;
    const d = parentRow === -1 ? 0 : depth[parentRow]! + 1;
    depth[row] = d;
    if (d > maxDepth) maxDepth = d;
    if (parentRow !== -1) childCount[parentRow]!++;
    startMs[row] = (startUs[i]! - originUs) / 1000;
    durationMs[row] = span.durationMs;
    if (span.status.code === 'error') errorCount++;
    rowOfSpan.set(span.spanId, row);
    open.push(row);
    pushChildren(i, row);
    row++;
  }
  while (open.length > 0) subtreeEnd[open.pop()!] = row;

  // Spans caught in a parent cycle never reached from a root: shown as roots at the end.
  for (let i = 0; i < n; i++) {
    if (visited[i] === 1) continue;
    visited[i] = 1;
    const span = input[i]!;
    spans[row] = span;
    parent[row] = -1;
    depth[row] = 0;
    subtreeEnd[row] = row + 1;
    startMs[row] = (startUs[i]! - originUs) / 1000;
    durationMs[row] = span.durationMs;
    if (span.status.code === 'error') errorCount++;
    rowOfSpan.set(span.spanId, row);
    row++;
  }

  return { spans, parent, depth, subtreeEnd, childCount, startMs, durationMs, totalMs: (endUs - originUs) / 1000, originUs, rowOfSpan, maxDepth, errorCount };
}

/** The rows from the root down to `row`'s parent, outermost first. */
export function ancestorsOf(tree: SpanTree, row: number): number[] {
  const out: number[] = [];
  for (let p = tree.parent[row]!; p !== -1; p = tree.parent[p]!) out.push(p);
  return out.reverse();
}
