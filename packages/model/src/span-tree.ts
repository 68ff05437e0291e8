/**
 * The one span-tree resolver: how every tree Spoor shows (the trace answer, the waterfall, the
 * critical path, the trace diff) links a trace's spans to their parents and orders them. The rules:
 *
 * - **A span id names one span.** When a trace holds an id more than once (a span sent again), the
 *   copy that ended last is the span (a finished span over a snapshot of it), then the one that
 *   started first, then the one naming no parent or the smallest parent id, then the first given.
 *   The other copies are left out of the tree and counted in the kept span's `copies`: nothing
 *   counts a span twice, and its children hang under one span.
 * - **A span whose parent never arrived is a root**, marked `orphan`: shown rather than hidden.
 * - **A parent loop is cut**: a span that is its own parent, or a loop of parents (a → b → a),
 *   hangs under nothing; the loop's first span in sibling order becomes a root, marked `cycle`,
 *   and the rest of the loop (and whatever hangs under it) stays under it as the links say.
 * - **Siblings, roots among them, go by start time, then end time, then span id.** Ids are unique
 *   once copies are left out, so this is a total order: the same spans give the same tree in
 *   whatever order a store returns them. An end before the start counts as the start.
 * - **Tree order is depth first**, each parent before its children. Nothing recurses on depth,
 *   so a 50,000-deep chain is as safe as a flat trace.
 *
 * Everything is typed arrays indexed by span: a 50,000-span trace is resolved without an object
 * per span, in O(n) plus one sort of the start times (native, on packed keys, when they are whole
 * microseconds).
 */

import { MISSING, NO_PARENT, textKeys, wordKeys } from './span-tree-ids.js';

/**
 * How a span came by its place in a tree, by index: `place[i]` of a resolved tree is an index into
 * this list. `child`: under its parent. `root`: it names no parent. `orphan`: its parent is not in
 * the trace. `cycle`: a root because its parents loop back to it (or it is its own parent).
 * `duplicate`: a copy left out, another span with its id is kept.
 */
export const SPAN_PLACES = ['child', 'root', 'orphan', 'cycle', 'duplicate'] as const;

/** A name of `SPAN_PLACES`. */
export type SpanPlace = (typeof SPAN_PLACES)[number];

// `place` starts as 0, `child`.
const ROOT = 1;
const ORPHAN = 2;
const CYCLE = 3;
const DUPLICATE = 4;

/**
 * When spans started, and when they ended or how long they ran, in microseconds (any origin, one
 * for all): element `i` is span `i`.
 */
export type SpanTimes = { startUs: ArrayLike<number>; endUs: ArrayLike<number> } | { startUs: ArrayLike<number>; durationUs: ArrayLike<number> };

/** A trace's spans as columns, ids as text: element `i` of each is span `i`. */
export type SpanTreeInput = SpanTimes & {
  spanIds: ArrayLike<string>;
  /** `null` (or `undefined`) for a span that names no parent. */
  parentSpanIds: ArrayLike<string | null | undefined>;
};

/**
 * A trace's spans as columns, each 64-bit id as its high and low 32 bits (a parent of 0:0 is
 * none): the same rules as `SpanTreeInput`, without a string per span.
 */
export type SpanTreeWordsInput = SpanTimes & {
  count: number;
  idHigh: ArrayLike<number>;
  idLow: ArrayLike<number>;
  parentHigh: ArrayLike<number>;
  parentLow: ArrayLike<number>;
};

/** Who is whose parent, by span index: what every tree of the trace agrees on. */
export interface SpanParents {
  /** How many spans were given. */
  count: number;
  /** Span `i`'s parent span; -1 for a root (of any kind) and for a copy left out. */
  parent: Int32Array;
  /** Index into `SPAN_PLACES`: how span `i` came by its place. */
  place: Uint8Array;
  /** The span that span `i`'s id names: `i` itself unless `i` is a copy left out. */
  kept: Int32Array;
  /** How many spans given carry span `i`'s id (1 unless it came more than once). */
  copies: Int32Array;
}

/**
 * A trace's spans as rows in tree order, copies left out. Row `r`'s subtree is rows
 * `r + 1 .. subtreeEnd[r] - 1`; every array but `rowOf` is indexed by row.
 */
export interface ResolvedSpanTree {
  /** How many rows: spans given, less the copies left out. */
  count: number;
  /** Row -> index of its span in the input. */
  order: Int32Array;
  /** Input index -> row; -1 for a copy left out. */
  rowOf: Int32Array;
  /** Row of the parent; -1 for a root. */
  parent: Int32Array;
  /** 0 for a root. */
  depth: Int32Array;
  /** One past the last row of the row's subtree. */
  subtreeEnd: Int32Array;
  childCount: Int32Array;
  /** 1-based position among its siblings (the roots are siblings of each other). */
  posInSet: Int32Array;
  /** Index into `SPAN_PLACES` (never `duplicate`: copies have no row). */
  place: Uint8Array;
  /** How many spans given carry the row's span id. */
  copies: Int32Array;
  rootCount: number;
  /** Depth of the deepest row; 0 for an empty tree. */
  maxDepth: number;
}

/** The fields a span record gives the resolver. */
export interface SpanTreeRecord {
  spanId: string;
  parentSpanId: string | null;
  startTimeUs: number;
  endTimeUs: number;
}

/** Columns for `resolveSpanTree` from spans as objects. */
export function spanTreeInputFrom(spans: readonly SpanTreeRecord[]): SpanTreeInput {
  const n = spans.length;
  const spanIds = new Array<string>(n);
  const parentSpanIds = new Array<string | null>(n);
  const startUs = new Float64Array(n);
  const endUs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = spans[i]!;
    spanIds[i] = s.spanId;
    parentSpanIds[i] = s.parentSpanId;
    startUs[i] = s.startTimeUs;
    endUs[i] = s.endTimeUs;
  }
  return { spanIds, parentSpanIds, startUs, endUs };
}

/**
 * Links each span to its parent by the rules above: copies left out, orphans and loop cuts made
 * roots. O(n). The critical path needs no more than this; `resolveSpanTree` orders it.
 *
 * @example
 * const { parent, place } = resolveSpanParents({ spanIds: ['a', 'b'], parentSpanIds: [null, 'a'], startUs: [0, 1], endUs: [9, 5] });
 * // parent: [-1, 0]; place: [1, 0] ('root', 'child')
 */
export function resolveSpanParents(input: SpanTreeInput | SpanTreeWordsInput): SpanParents {
  const linked = linkSpans(input, false);
  cutLoops(linked);
  const { n, parent, place } = linked;
  let { kept, copies } = linked;
  if (kept === null) {
    kept = new Int32Array(n);
    for (let i = 0; i < n; i++) kept[i] = i;
  }
  copies ??= new Int32Array(n).fill(1);
  return { count: n, parent, place, kept, copies };
}

/**
 * A trace's spans in tree order by the rules above, copies left out.
 *
 * @example
 * const tree = resolveSpanTree(spanTreeInputFrom(trace.spans));
 * for (let row = 0; row < tree.count; row++) draw(trace.spans[tree.order[row]], tree.depth[row]);
 */
export function resolveSpanTree(input: SpanTreeInput | SpanTreeWordsInput): ResolvedSpanTree {
  const linked = linkSpans(input, true);
  const sorted = sortSiblings(linked);
  // A walk from the roots reaches every span unless parents loop: only then are loops looked for
  // (a pass of its own), and the walk made again.
  const tree = walk(linked, sorted);
  if (tree.count === sorted.length) return tree;
  cutLoops(linked);
  return walk(linked, sorted);
}

/**
 * The links, loops not yet cut, with what cutting and ordering them needs. A page draws its first
 * tree before the JIT has compiled this code, when each pass over 50,000 spans costs a few ms:
 * so one pass links, checks and packs the start times, and arrays of what is usually a given
 * (each span its own id's only copy, each end after its start) are made only when needed.
 */
interface Linked {
  n: number;
  /** Parent span, -1 for none; loops not cut yet. */
  parent: Int32Array;
  place: Uint8Array;
  /** The span each span's id names, and how many spans carry it; `null` when no id came twice. */
  kept: Int32Array | null;
  copies: Int32Array | null;
  start: ArrayLike<number>;
  /** A span's end, its start where the end came before it. */
  endOf: (i: number) => number;
  idLess: (a: number, b: number) => boolean;
  /** How many spans are kept: one per id. */
  keptCount: number;
  /** The kept spans, `(start - first kept start) * n + index` each (when asked for): sorted, the order of starts. */
  packed: Float64Array;
  /** Whether `packed` holds every key exactly: whole-microsecond starts within 2^52 / n of each other. */
  packable: boolean;
}

/** Links the spans; with `pack`, packs their start times for `sortSiblings` too. */
function linkSpans(input: SpanTreeInput | SpanTreeWordsInput, pack: boolean): Linked {
  const ids = 'spanIds' in input ? textKeys(input) : wordKeys(input);
  const n = ids.key.length;
  const start = input.startUs;
  const ends = 'endUs' in input ? input.endUs : null;
  const durations = 'durationUs' in input ? input.durationUs : null;
  const rawEnd = (i: number): number => (ends !== null ? ends[i]! : start[i]! + durations![i]!);
  const endOf = (i: number): number => Math.max(start[i]!, rawEnd(i));

  let kept: Int32Array | null = null;
  let copies: Int32Array | null = null;
  if (ids.duplicates) {
    // `key[i]` is the first index with span i's id, so the keeper of a key is chosen before its copies come.
    const keeper = new Int32Array(n);
    copies = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = ids.key[i]!;
      copies[k]!++;
      if (k === i) keeper[k] = i;
      else {
        const j = keeper[k]!;
        const ei = rawEnd(i);
        const ej = rawEnd(j);
        if (ei > ej || (ei === ej && (start[i]! < start[j]! || (start[i] === start[j] && ids.parentLess(i, j))))) keeper[k] = i;
      }
    }
    kept = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = ids.key[i]!;
      kept[i] = keeper[k]!;
      copies[i] = copies[k]!;
    }
  }

  const parent = new Int32Array(n).fill(-1);
  const place = new Uint8Array(n);
  const packed = new Float64Array(pack ? n : 0);
  let m = 0;
  let origin = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let whole = true;
  for (let i = 0; i < n; i++) {
    if (kept !== null && kept[i] !== i) {
      place[i] = DUPLICATE;
      continue;
    }
    if (pack) {
      const s = start[i]!;
      if (m === 0) origin = s;
      if (s < lo) lo = s;
      if (s > hi) hi = s;
      if (s % 1 !== 0) whole = false;
      packed[m] = (s - origin) * n + i;
    }
    m++;
    const p = ids.parentKey[i]!;
    if (p === NO_PARENT) place[i] = ROOT;
    else if (p === MISSING) place[i] = ORPHAN;
    else {
      const up = kept === null ? p : kept[p]!;
      if (up === i) place[i] = CYCLE;
      else parent[i] = up;
    }
  }
  const packable = pack && whole && (hi - lo + 2) * n <= 2 ** 52;
  return { n, parent, place, kept, copies, start, endOf, idLess: ids.idLess, keptCount: m, packed: packed.subarray(0, pack ? m : 0), packable };
}

/** The rows of a depth-first walk from the roots, children in the order of `sorted`. */
function walk(linked: Linked, sorted: Int32Array): ResolvedSpanTree {
  const { n, parent } = linked;
  const m = sorted.length;
  // Each span's children as a list in sibling order: head[p] is the first, next[c] the one after c;
  // the roots are the children of n.
  const head = new Int32Array(n + 1).fill(-1);
  const next = new Int32Array(n);
  for (let k = m - 1; k >= 0; k--) {
    const i = sorted[k]!;
    const p = parent[i] === -1 ? n : parent[i]!;
    next[i] = head[p]!;
    head[p] = i;
  }

  const order = new Int32Array(m);
  const rowOf = new Int32Array(n).fill(-1);
  const parentRow = new Int32Array(m);
  const depth = new Int32Array(m);
  const subtreeEnd = new Int32Array(m);
  const childCount = new Int32Array(m);
  const posInSet = new Int32Array(m);
  const place = new Uint8Array(m);
  let rootCount = 0;
  let maxDepth = 0;
  // A depth-first walk with its own stack: frame d holds the next child to enter (-1: none left)
  // of the row at depth d - 1 (frame 0: of the roots' virtual parent, row -1).
  const frameNext = new Int32Array(m + 1);
  const frameRow = new Int32Array(m + 1);
  frameNext[0] = head[n]!;
  frameRow[0] = -1;
  let top = 0;
  let row = 0;
  while (top >= 0) {
    const i = frameNext[top]!;
    if (i === -1) {
      if (top > 0) subtreeEnd[frameRow[top]!] = row;
      top--;
      continue;
    }
    frameNext[top] = next[i]!;
    const up = frameRow[top]!;
    order[row] = i;
    rowOf[i] = row;
    parentRow[row] = up;
    depth[row] = top;
    if (top > maxDepth) maxDepth = top;
    posInSet[row] = up === -1 ? ++rootCount : ++childCount[up]!;
    place[row] = linked.place[i]!;
    top++;
    frameNext[top] = head[i]!;
    frameRow[top] = row++;
  }
  const copies = new Int32Array(m);
  if (linked.copies === null) copies.fill(1);
  else for (let r = 0; r < row; r++) copies[r] = linked.copies[order[r]!]!;
  return { count: row, order, rowOf, parent: parentRow, depth, subtreeEnd, childCount, posInSet, place, copies, rootCount, maxDepth };
}

/** Compares spans in sibling order: start, end, span id (then index, for copies). */
function siblingCompare({ start, endOf, idLess }: Linked): (a: number, b: number) => number {
  return (a, b) => start[a]! - start[b]! || endOf(a) - endOf(b) || (idLess(a, b) ? -1 : idLess(b, a) ? 1 : a - b);
}

/**
 * Makes every span reach a root: a chain of parents that loops back is cut above the loop's
 * first span in sibling order. Each span is climbed past once (0: not seen, 1: on the chain being
 * climbed, 2: known to reach a root), so O(n) however long the chains.
 */
function cutLoops(linked: Linked): void {
  const { n, parent, place } = linked;
  const compare = siblingCompare(linked);
  const state = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (place[i] === DUPLICATE) continue;
    let j = i;
    while (j !== -1 && state[j] === 0) {
      state[j] = 1;
      j = parent[j]!;
    }
    if (j !== -1 && state[j] === 1) {
      // j is on a loop: walk it once, marking it done, to find where to cut.
      let cut = j;
      let k = j;
      do {
        state[k] = 2;
        if (compare(k, cut) < 0) cut = k;
        k = parent[k]!;
      } while (k !== j);
      parent[cut] = -1;
      place[cut] = CYCLE;
    }
    for (let k = i; k !== -1 && state[k] === 1; k = parent[k]!) state[k] = 2;
  }
}

/**
 * The kept spans in sibling order (start, end, id). Packed starts (`Linked.packed`) are sorted
 * natively: 7 ms against 24 for a compare function over 50,000 spans (medians of 40 runs). Only
 * runs of equal starts are then sorted by end and id; starts that cannot be packed (fractional,
 * or more than 2^52 / n µs apart: 25 hours for 50,000 spans) take the compare function.
 */
function sortSiblings(linked: Linked): Int32Array {
  const { n, packed } = linked;
  const m = linked.keptCount;
  const sorted = new Int32Array(m);
  const compare = siblingCompare(linked);
  if (!linked.packable) {
    for (let i = 0, k = 0; i < n; i++) if (linked.place[i] !== DUPLICATE) sorted[k++] = i;
    return sorted.sort(compare);
  }
  packed.sort();
  // Unpacked in one pass, which also finds the runs of equal starts (equal packed starts). A start
  // before the first kept span's is negative, and so is its remainder.
  let run = 0;
  let runStart = NaN;
  for (let k = 0; k < m; k++) {
    const v = packed[k]!;
    let i = v % n;
    if (i < 0) i += n;
    sorted[k] = i;
    if (v - i !== runStart) {
      if (k - run > 1) sorted.subarray(run, k).sort(compare);
      run = k;
      runStart = v - i;
    }
  }
  if (m - run > 1) sorted.subarray(run, m).sort(compare);
  return sorted;
}
