import { microsFromIso, resolveSpanTree, SPAN_CATEGORIES, SPAN_PLACES, type SpanCategory, type TraceTree } from '@spoor/model';

/**
 * A trace's spans as rows in depth-first order, built from the columns of
 * `GET /api/traces/:id/tree`: typed arrays and plain arrays indexed by row, no object per span.
 * A 50,000-span trace becomes a handful of arrays (the model's resolver links and orders them, one
 * pass copies the columns into row order), and everything the waterfall asks (a subtree, a parent,
 * the rows under a collapsed span) is an index lookup.
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
  /** Row of the parent; -1 for a root (or a span whose parent never arrived, or where a parent loop was cut). */
  parent: Int32Array;
  depth: Int32Array;
  /** One past the last row of the row's subtree. */
  subtreeEnd: Int32Array;
  childCount: Int32Array;
  /** 1-based position among its siblings (roots count as siblings), for `aria-posinset`. */
  posInSet: Int32Array;
  /** How many roots the trace has: the set size of a root row. */
  rootCount: number;
  /** Index into `SPAN_PLACES`: how the row came by its place (a root whose parent is missing is `orphan`). */
  place: Uint8Array;
  /** How many times the row's span was stored (1 unless it was sent again; the copies have no row). */
  copies: Int32Array;
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

/**
 * Builds the rows, linked and ordered by `@spoor/model`'s span-tree resolver (the rules every tree
 * of Spoor shares: one row per span id, orphans and loop cuts as marked roots, siblings by start).
 */
export function buildSpanTree(trace: TraceTree): SpanTree {
  const start = trace.startOffsetsUs;
  const resolved = resolveSpanTree({ spanIds: trace.spanIds, parentSpanIds: trace.parentSpanIds, startUs: start, durationUs: trace.durationsUs });
  const { order, rowOf } = resolved;
  const rows = resolved.count;

  const spanIds = new Array<string>(rows);
  const names = new Array<string>(rows);
  const services = new Array<string>(rows);
  const categories = new Array<SpanCategory>(rows);
  const models = new Array<string | null>(rows);
  const isError = new Uint8Array(rows);
  const startMs = new Float64Array(rows);
  const durationMs = new Float64Array(rows);
  const rowOfSpan = new Map<string, number>();
  const totals = { llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: null as number | null };
  let errorCount = 0;
  // Of copies left out, the one kept ended last: the last end among the rows is the trace's.
  let lastEndUs = 0;
  for (let r = 0; r < rows; r++) {
    const i = order[r]!;
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
    if (start[i]! + trace.durationsUs[i]! > lastEndUs) lastEndUs = start[i]! + trace.durationsUs[i]!;
    rowOfSpan.set(spanIds[r]!, r);
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
    // A copy left out (-1) is the span kept, drawn with the kept copy's events.
    const r = rowOf[i] ?? -1;
    if (r === -1) continue;
    let list = events.get(r);
    if (list === undefined) events.set(r, (list = []));
    list.push([offsetUs / 1000, name]);
  }

  return {
    traceId: trace.traceId,
    count: rows,
    spanIds,
    names,
    services,
    categories,
    isError,
    models,
    parent: resolved.parent,
    depth: resolved.depth,
    subtreeEnd: resolved.subtreeEnd,
    childCount: resolved.childCount,
    posInSet: resolved.posInSet,
    rootCount: resolved.rootCount,
    place: resolved.place,
    copies: resolved.copies,
    startMs,
    durationMs,
    events,
    totalMs: lastEndUs / 1000,
    originUs: microsFromIso(trace.startTime) ?? 0,
    rowOfSpan,
    maxDepth: resolved.maxDepth,
    errorCount,
    totals,
    sessionId: trace.sessionId,
    serviceNames: trace.services,
  };
}

/**
 * What a row's mark says, or `null` for a row placed as its span says: a root whose parent never
 * arrived, a root where a loop of parents was cut, a span stored more than once (shown once).
 */
export function rowNote(tree: SpanTree, row: number): string | null {
  const place = SPAN_PLACES[tree.place[row]!];
  const copies = tree.copies[row]!;
  // Called for every row drawn while scrolling: nothing is allocated for a plain row.
  if (copies === 1 && place !== 'orphan' && place !== 'cycle') return null;
  const link = place === 'orphan' ? 'parent not in trace' : place === 'cycle' ? 'parent loop cut here' : null;
  const stored = copies > 1 ? `stored ${copies}×` : null;
  return link !== null && stored !== null ? `${link} · ${stored}` : (link ?? stored);
}
