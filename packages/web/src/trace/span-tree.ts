import { resolveSpanTree, SPAN_CATEGORIES, SPAN_PLACES, SPAN_STATES, type SpanCategory, type SpanState } from '@spoor/model';
import { type SpanColumns, STATUS_ERROR } from './span-columns';

/**
 * A trace's spans as rows in depth-first order, over the columns that hold them (`SpanColumns`):
 * the tree is typed arrays indexed by row, plus `order` (row -> span index) and `rowOf` (span
 * index -> row) to reach the columns; nothing per span is an object or a string. The model's
 * resolver links and orders the spans; what a row shows is read from the columns through `order`
 * (the `*At` functions below), so a running span's new duration shows without a new tree.
 *
 * Row `i`'s subtree is the rows `i + 1 .. subtreeEnd[i] - 1`, because the order is depth-first.
 */
export interface SpanTree {
  spans: SpanColumns;
  traceId: string;
  /** Rows: one per span held when the tree was built. */
  count: number;
  /** Row -> span index in the columns. */
  order: Int32Array;
  /** Span index -> row; -1 for a span that came after the tree was built. */
  rowOf: Int32Array;
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
  maxDepth: number;
  /** The columns' `structureVersion` this order was built from. */
  structureVersion: number;
}

/**
 * Orders the spans held by `spans` by the rules every tree of Spoor shares (`resolveSpanTree`: one
 * row per span id, orphans and loop cuts as marked roots, siblings by start). O(n log n); a page
 * loading a big trace calls it at doubling sizes, not per chunk.
 */
export function buildSpanTree(spans: SpanColumns): SpanTree {
  const n = spans.count;
  const resolved = resolveSpanTree({
    count: n,
    idHigh: spans.idHigh.subarray(0, n),
    idLow: spans.idLow.subarray(0, n),
    parentHigh: spans.parentHigh.subarray(0, n),
    parentLow: spans.parentLow.subarray(0, n),
    startUs: spans.startUs.subarray(0, n),
    durationUs: spans.durationUs.subarray(0, n),
  });
  return {
    spans,
    traceId: spans.traceId,
    count: resolved.count,
    order: resolved.order,
    rowOf: resolved.rowOf,
    parent: resolved.parent,
    depth: resolved.depth,
    subtreeEnd: resolved.subtreeEnd,
    childCount: resolved.childCount,
    posInSet: resolved.posInSet,
    rootCount: resolved.rootCount,
    place: resolved.place,
    maxDepth: resolved.maxDepth,
    structureVersion: spans.structureVersion,
  };
}

/** Where the trace's time starts, µs after the columns' origin: the origin is the earliest start the server knew. */
const baseUs = (spans: SpanColumns): number => Math.min(0, spans.minStartUs);

export const spanIdAt = (tree: SpanTree, row: number): string => tree.spans.spanId(tree.order[row]!);
export const nameAt = (tree: SpanTree, row: number): string => tree.spans.strings[tree.spans.name[tree.order[row]!]!]!;
export const serviceAt = (tree: SpanTree, row: number): string => tree.spans.strings[tree.spans.service[tree.order[row]!]!]!;
export const categoryAt = (tree: SpanTree, row: number): SpanCategory => SPAN_CATEGORIES[tree.spans.category[tree.order[row]!]!] ?? 'other';
/** Response (else request) model of an LLM span, else `null`. */
export const modelAt = (tree: SpanTree, row: number): string | null => {
  const m = tree.spans.model[tree.order[row]!]!;
  return m === -1 ? null : tree.spans.strings[m]!;
};
export const isErrorAt = (tree: SpanTree, row: number): boolean => tree.spans.status[tree.order[row]!] === STATUS_ERROR;
export const stateAt = (tree: SpanTree, row: number): SpanState => SPAN_STATES[tree.spans.state[tree.order[row]!]!] ?? 'ended';
/** Start, milliseconds after the trace's first span started. */
export const startMsAt = (tree: SpanTree, row: number): number => (tree.spans.startUs[tree.order[row]!]! - baseUs(tree.spans)) / 1000;
export const durationMsAt = (tree: SpanTree, row: number): number => tree.spans.durationUs[tree.order[row]!]! / 1000;
/** How many times the row's span was stored (1 unless it was sent again; the copies have no row). */
export const copiesAt = (tree: SpanTree, row: number): number => tree.spans.copies[tree.order[row]!]!;

/** Each span's events in trace time, made once per list (and base): a row memoized on them stays put. */
const eventsInMs = new WeakMap<readonly [number, string][], { base: number; events: readonly (readonly [number, string])[] }>();

/** The row's events as [offset ms, name], trace time; `undefined` for the many rows without any. */
export function eventsAt(tree: SpanTree, row: number): readonly (readonly [number, string])[] | undefined {
  const events = tree.spans.events.get(tree.order[row]!);
  if (events === undefined) return undefined;
  const base = baseUs(tree.spans);
  let held = eventsInMs.get(events);
  if (held === undefined || held.base !== base || held.events.length !== events.length) {
    held = { base, events: events.map(([offsetUs, name]) => [(offsetUs - base) / 1000, name] as const) };
    eventsInMs.set(events, held);
  }
  return held.events;
}

/** The row of a span id; -1 when the trace has no such span (or it came after the tree was built). */
export function rowOfSpan(tree: SpanTree, spanId: string): number {
  const i = tree.spans.indexOf(spanId);
  return i === -1 || i >= tree.rowOf.length ? -1 : tree.rowOf[i]!;
}

/** The whole trace: first start to last end, milliseconds. */
export const totalMsOf = (tree: SpanTree): number => (tree.spans.count === 0 ? 0 : (tree.spans.endUs() - baseUs(tree.spans)) / 1000);

/** Epoch microseconds of the trace's first start. */
export const originUsOf = (tree: SpanTree): number => tree.spans.originUs + baseUs(tree.spans);

/** The LLM calls' totals: calls, tokens, cost (`null` when no call has one) and the calls with tokens but no price. */
export function totalsOf(tree: SpanTree): { llmCalls: number; inputTokens: number; outputTokens: number; costUsd: number | null; unpricedCalls: number } {
  const s = tree.spans;
  return {
    llmCalls: s.llmCalls,
    inputTokens: s.inputTokenTotal,
    outputTokens: s.outputTokenTotal,
    costUsd: s.costCount === 0 ? null : s.costTotalUsd,
    unpricedCalls: s.unpricedCalls,
  };
}

/**
 * What a row's mark says, or `null` for a row placed as its span says: a root whose parent never
 * arrived, a root where a loop of parents was cut, a span stored more than once (shown once).
 */
export function rowNote(tree: SpanTree, row: number): string | null {
  const place = SPAN_PLACES[tree.place[row]!];
  const copies = copiesAt(tree, row);
  // Called for every row drawn while scrolling: nothing is allocated for a plain row.
  if (copies === 1 && place !== 'orphan' && place !== 'cycle') return null;
  const link = place === 'orphan' ? 'parent not in trace' : place === 'cycle' ? 'parent loop cut here' : null;
  const stored = copies > 1 ? `stored ${copies}×` : null;
  return link !== null && stored !== null ? `${link} · ${stored}` : (link ?? stored);
}
