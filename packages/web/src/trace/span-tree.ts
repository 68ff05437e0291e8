import { microsFromIso, SPAN_CATEGORIES, type SpanCategory, type TraceTree } from '@spoor/model';

/**
 * A trace's spans as rows in depth-first order, built from the columns of
 * `GET /api/traces/:id/tree`: typed arrays and plain arrays indexed by row, no object per span.
 * A 50,000-span trace becomes a handful of arrays built in one pass, and everything the waterfall
 * asks (a subtree, a parent, the rows under a collapsed span) is an index lookup.
 *
 * Row `i`'s subtree is the rows `i + 1 .. subtreeEnd[i] - 1`, because the order is depth-first.
 */
export interface SpanTree {
  traceId: string;
  count: number;
  spanIds: string[];
  names: string[];
  services: string[];
  categories: SpanCategory[];
  isError: Uint8Array;
  /** Response (else request) model of LLM spans, else `null`. */
  models: (string | null)[];
  /** Row of the parent; -1 for a root (or a span whose parent never arrived). */
  parent: Int32Array;
  depth: Uint16Array;
  /** One past the last row of the row's subtree. */
  subtreeEnd: Int32Array;
  childCount: Int32Array;
  /** 1-based position among its siblings (roots count as siblings), for `aria-posinset`. */
  posInSet: Int32Array;
  /** How many roots the trace has: the set size of a root row. */
  rootCount: number;
  /** Start, milliseconds after the trace's first span started. */
  startMs: Float64Array;
  durationMs: Float64Array;
  /** Row -> its events as [offset ms, name] (trace time), for the few rows that have any. */
  events: ReadonlyMap<number, readonly (readonly [number, string])[]>;
  /** Whole trace: first start to last end, milliseconds. */
  totalMs: number;
  /** Epoch microseconds of the first start. */
  originUs: number;
  rowOfSpan: ReadonlyMap<string, number>;
  maxDepth: number;
  errorCount: number;
  totals: { llmCalls: number; inputTokens: number; outputTokens: number; costUsd: number | null };
  sessionId: string | null;
  /** The trace's distinct services. */
  serviceNames: readonly string[];
}

/** Builds the rows. Children sort by start time, then by their order in the columns. */
export function buildSpanTree(trace: TraceTree): SpanTree {
  const n = trace.spanIds.length;
  const indexOfId = new Map<string, number>();
  let endUs = 0;
  for (let i = 0; i < n; i++) {
    const end = trace.startOffsetsUs[i]! + trace.durationsUs[i]!;
    if (end > endUs) endUs = end;
    // A duplicate id keeps its first span; the later one shows as a root of its own.
    if (!indexOfId.has(trace.spanIds[i]!)) indexOfId.set(trace.spanIds[i]!, i);
  }

  // Children as linked lists in one pass (head/next arrays), sorted per parent while walking.
  const firstChild = new Int32Array(n).fill(-1);
  const nextSibling = new Int32Array(n).fill(-1);
  const roots: number[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const parentId = trace.parentSpanIds[i] ?? null;
    const p = parentId === null ? undefined : indexOfId.get(parentId);
    if (p === undefined || p === i) {
      roots.push(i);
    } else {
      nextSibling[i] = firstChild[p]!;
      firstChild[p] = i;
    }
  }
  roots.reverse();
  const start = trace.startOffsetsUs;
  const byStart = (a: number, b: number) => start[a]! - start[b]! || a - b;
  roots.sort(byStart);

  const order = new Int32Array(n);
  const parent = new Int32Array(n);
  const depth = new Uint16Array(n);
  const subtreeEnd = new Int32Array(n);
  const childCount = new Int32Array(n);
  const posInSet = new Int32Array(n);
  let rootCount = 0;
  let maxDepth = 0;
  let row = 0;
  const visited = new Uint8Array(n);
  const place = (i: number, parentRow: number) => {
    visited[i] = 1;
    order[row] = i;
    parent[row] = parentRow;
    const d = parentRow === -1 ? 0 : depth[parentRow]! + 1;
    depth[row] = d;
    if (d > maxDepth) maxDepth = d;
    posInSet[row] = parentRow === -1 ? ++rootCount : ++childCount[parentRow]!;
  };

  // Iterative depth-first walk over (span index, parent row) pairs: traces can nest deeper than
  // the call stack would like. `open` holds the rows whose subtrees are not closed yet.
  const stack: number[] = [];
  for (let r = roots.length - 1; r >= 0; r--) stack.push(roots[r]!, -1);
  const open: number[] = [];
  const kids: number[] = [];
  while (stack.length > 0) {
    const parentRow = stack.pop()!;
    const i = stack.pop()!;
    // A parent cycle (a -> b -> a) would loop forever; each span is placed once.
    if (visited[i] === 1) continue;
    while (open.length > 0 && open[open.length - 1] !== parentRow) subtreeEnd[open.pop()!] = row;
    place(i, parentRow);
    open.push(row);
    kids.length = 0;
    for (let c = firstChild[i]!; c !== -1; c = nextSibling[c]!) kids.push(c);
    if (kids.length > 1) kids.sort(byStart);
    for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]!, row);
    row++;
  }
  while (open.length > 0) subtreeEnd[open.pop()!] = row;
  // Spans caught in a parent cycle, never reached from a root: roots of their own at the end.
  for (let i = 0; i < n; i++) {
    if (visited[i] === 1) continue;
    place(i, -1);
    subtreeEnd[row] = row + 1;
    row++;
  }

  const spanIds = new Array<string>(n);
  const names = new Array<string>(n);
  const services = new Array<string>(n);
  const categories = new Array<SpanCategory>(n);
  const models = new Array<string | null>(n);
  const isError = new Uint8Array(n);
  const startMs = new Float64Array(n);
  const durationMs = new Float64Array(n);
  const rowOf = new Int32Array(n);
  const rowOfSpan = new Map<string, number>();
  const totals = { llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: null as number | null };
  let errorCount = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    rowOf[i] = r;
    spanIds[r] = trace.spanIds[i]!;
    names[r] = trace.names[i]!;
    services[r] = trace.services[trace.serviceIndexes[i]!] ?? '';
    categories[r] = SPAN_CATEGORIES[trace.categories[i]!] ?? 'other';
    models[r] = trace.models[i] ?? null;
    if (trace.statusCodes[i] === 2) {
      isError[r] = 1;
      errorCount++;
    }
    startMs[r] = start[i]! / 1000;
    durationMs[r] = trace.durationsUs[i]! / 1000;
    if (!rowOfSpan.has(spanIds[r]!)) rowOfSpan.set(spanIds[r]!, r);
    const input = trace.inputTokens[i] ?? null;
    const output = trace.outputTokens[i] ?? null;
    const cost = trace.costUsd[i] ?? null;
    if (categories[r] === 'llm' || input !== null || output !== null) {
      totals.llmCalls++;
      totals.inputTokens += input ?? 0;
      totals.outputTokens += output ?? 0;
      if (cost !== null) totals.costUsd = (totals.costUsd ?? 0) + cost;
    }
  }
  const events = new Map<number, [number, string][]>();
  for (const [i, offsetUs, name] of trace.events) {
    const r = rowOf[i];
    if (r === undefined) continue;
    let list = events.get(r);
    if (list === undefined) events.set(r, (list = []));
    list.push([offsetUs / 1000, name]);
  }

  return {
    traceId: trace.traceId,
    count: n,
    spanIds,
    names,
    services,
    categories,
    isError,
    models,
    parent,
    depth,
    subtreeEnd,
    childCount,
    posInSet,
    rootCount,
    startMs,
    durationMs,
    events,
    totalMs: endUs / 1000,
    originUs: microsFromIso(trace.startTime) ?? 0,
    rowOfSpan,
    maxDepth,
    errorCount,
    totals,
    sessionId: trace.sessionId,
    serviceNames: trace.services,
  };
}
