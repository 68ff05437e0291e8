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

/** When spans started and ended, in microseconds (any origin, one for both): element `i` is span `i`. */
export interface SpanTimes {
  startUs: ArrayLike<number>;
  endUs: ArrayLike<number>;
}

/** A trace's spans as columns, ids as text: element `i` of each is span `i`. */
export interface SpanTreeInput extends SpanTimes {
  spanIds: ArrayLike<string>;
  /** `null` (or `undefined`) for a span that names no parent. */
  parentSpanIds: ArrayLike<string | null | undefined>;
}

/**
 * A trace's spans as columns, each 64-bit id as its high and low 32 bits (a parent of 0:0 is
 * none): the same rules as `SpanTreeInput`, without a string per span.
 */
export interface SpanTreeWordsInput extends SpanTimes {
  count: number;
  idHigh: ArrayLike<number>;
  idLow: ArrayLike<number>;
  parentHigh: ArrayLike<number>;
  parentLow: ArrayLike<number>;
}

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
  return linkSpans(input).links;
}

/** The links, with what ordering them needs again. */
function linkSpans(input: SpanTreeInput | SpanTreeWordsInput): { links: SpanParents; end: Float64Array; idLess: (a: number, b: number) => boolean } {
  const ids = 'spanIds' in input ? textKeys(input) : wordKeys(input);
  const n = ids.key.length;
  const start = input.startUs;
  const end = effectiveEnds(input, n);

  const kept = new Int32Array(n);
  const copies = new Int32Array(n);
  // `key[i]` is the first index with span i's id, so the keeper of a key is chosen before its copies come.
  const keeper = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = ids.key[i]!;
    copies[k]!++;
    if (k === i) keeper[k] = i;
    else {
      const j = keeper[k]!;
      const ei = input.endUs[i]!;
      const ej = input.endUs[j]!;
      if (ei > ej || (ei === ej && (start[i]! < start[j]! || (start[i] === start[j] && ids.parentLess(i, j))))) keeper[k] = i;
    }
  }

  const parent = new Int32Array(n).fill(-1);
  const place = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = ids.key[i]!;
    kept[i] = keeper[k]!;
    copies[i] = copies[k]!;
    if (kept[i] !== i) {
      place[i] = DUPLICATE;
      continue;
    }
    const p = ids.parentKey[i]!;
    if (p === NO_PARENT) place[i] = ROOT;
    else if (p === MISSING) place[i] = ORPHAN;
    else if (keeper[p] === i) place[i] = CYCLE;
    else parent[i] = keeper[p]!;
  }
  cutLoops(parent, place, siblingOrder(start, end, ids.idLess));
  return { links: { count: n, parent, place, kept, copies }, end, idLess: ids.idLess };
}

/**
 * A trace's spans in tree order by the rules above, copies left out.
 *
 * @example
 * const tree = resolveSpanTree(spanTreeInputFrom(trace.spans));
 * for (let row = 0; row < tree.count; row++) draw(trace.spans[tree.order[row]], tree.depth[row]);
 */
export function resolveSpanTree(input: SpanTreeInput | SpanTreeWordsInput): ResolvedSpanTree {
  const { links, end, idLess } = linkSpans(input);
  const { count: n, parent } = links;
  const sorted = sortSiblings(links, input.startUs, end, idLess);
  // Children of span p are kids[first[p]] .. kids[first[p + 1] - 1] in sibling order; the roots are those of n.
  const first = new Int32Array(n + 2);
  for (let k = 0; k < sorted.length; k++) {
    const p = parent[sorted[k]!]!;
    first[(p === -1 ? n : p) + 1]!++;
  }
  for (let p = 0; p <= n; p++) first[p + 1]! += first[p]!;
  const next = first.slice(0, n + 1);
  const kids = new Int32Array(sorted.length);
  for (let k = 0; k < sorted.length; k++) {
    const i = sorted[k]!;
    const p = parent[i]!;
    kids[next[p === -1 ? n : p]!++] = i;
  }

  const m = sorted.length;
  const order = new Int32Array(m);
  const rowOf = new Int32Array(n).fill(-1);
  const parentRow = new Int32Array(m);
  const depth = new Int32Array(m);
  const subtreeEnd = new Int32Array(m);
  const childCount = new Int32Array(m);
  const posInSet = new Int32Array(m);
  const place = new Uint8Array(m);
  const copies = new Int32Array(m);
  let rootCount = 0;
  let maxDepth = 0;
  // A depth-first walk with its own stack: frame d is a span at depth d - 1 (frame 0 the roots'
  // virtual parent), the next of its children to enter, and its row.
  const frameSpan = new Int32Array(m + 1);
  const frameKid = new Int32Array(m + 1);
  const frameRow = new Int32Array(m + 1);
  frameSpan[0] = n;
  frameKid[0] = first[n]!;
  frameRow[0] = -1;
  let top = 0;
  let row = 0;
  while (top >= 0) {
    const s = frameSpan[top]!;
    const k = frameKid[top]!;
    if (k === first[s + 1]) {
      if (top > 0) subtreeEnd[frameRow[top]!] = row;
      top--;
      continue;
    }
    frameKid[top] = k + 1;
    const i = kids[k]!;
    const up = frameRow[top]!;
    order[row] = i;
    rowOf[i] = row;
    parentRow[row] = up;
    depth[row] = top;
    if (top > maxDepth) maxDepth = top;
    posInSet[row] = up === -1 ? ++rootCount : ++childCount[up]!;
    place[row] = links.place[i]!;
    copies[row] = links.copies[i]!;
    top++;
    frameSpan[top] = i;
    frameKid[top] = first[i]!;
    frameRow[top] = row++;
  }
  return { count: m, order, rowOf, parent: parentRow, depth, subtreeEnd, childCount, posInSet, place, copies, rootCount, maxDepth };
}

/** `parentKey` of a span that names no parent. */
const NO_PARENT = -1;
/** `parentKey` of a span whose parent is not in the trace. */
const MISSING = -2;

/**
 * Ids as small numbers: `key[i]` is the first index whose id is span i's, `parentKey[i]` the key
 * of its parent's id (or `NO_PARENT`, `MISSING`).
 */
interface Keys {
  key: Int32Array;
  parentKey: Int32Array;
  idLess: (a: number, b: number) => boolean;
  /** Whether span a's parent id comes before span b's; no parent comes first. */
  parentLess: (a: number, b: number) => boolean;
}

function textKeys(input: SpanTreeInput): Keys {
  const ids = input.spanIds;
  const n = ids.length;
  const firstOf = new Map<string, number>();
  const key = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = firstOf.get(ids[i]!);
    if (k === undefined) {
      firstOf.set(ids[i]!, i);
      key[i] = i;
    } else key[i] = k;
  }
  const parentKey = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = input.parentSpanIds[i];
    parentKey[i] = p === null || p === undefined ? NO_PARENT : (firstOf.get(p) ?? MISSING);
  }
  const parents = input.parentSpanIds;
  const parentLess = (a: number, b: number): boolean => {
    const pb = parents[b];
    if (pb === null || pb === undefined) return false;
    const pa = parents[a];
    return pa === null || pa === undefined || pa < pb;
  };
  return { key, parentKey, idLess: (a, b) => ids[a]! < ids[b]!, parentLess };
}

/** Keys of 64-bit ids through an open-addressing table (linear probing, at most half full): no string per span. */
function wordKeys(input: SpanTreeWordsInput): Keys {
  const n = input.count;
  const { idHigh, idLow } = input;
  const size = 2 ** Math.max(4, Math.ceil(Math.log2(2 * n + 1)));
  const slots = new Int32Array(size).fill(-1);
  const slotOf = (high: number, low: number): number => {
    let h = Math.imul(high ^ Math.imul(low, 0x9e3779b1), 0x85ebca6b);
    h = (h ^ (h >>> 15)) & (size - 1);
    for (let i = slots[h]!; i !== -1 && (idHigh[i] !== high || idLow[i] !== low); i = slots[h]!) h = (h + 1) & (size - 1);
    return h;
  };
  const key = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = slotOf(idHigh[i]!, idLow[i]!);
    if (slots[s] === -1) slots[s] = i;
    key[i] = slots[s]!;
  }
  const parentKey = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const high = input.parentHigh[i]!;
    const low = input.parentLow[i]!;
    if (high === 0 && low === 0) parentKey[i] = NO_PARENT;
    else {
      const p = slots[slotOf(high, low)]!;
      parentKey[i] = p === -1 ? MISSING : p;
    }
  }
  // Unsigned 32-bit words compare as numbers: the order of the ids' hex text.
  const less = (high: ArrayLike<number>, low: ArrayLike<number>) => (a: number, b: number): boolean =>
    high[a]! < high[b]! || (high[a] === high[b] && low[a]! < low[b]!);
  // No parent is 0:0, which comes first.
  return { key, parentKey, idLess: less(idHigh, idLow), parentLess: less(input.parentHigh, input.parentLow) };
}

/** Each span's end, or its start where the end came before it. */
function effectiveEnds(input: SpanTimes, n: number): Float64Array {
  const end = new Float64Array(n);
  for (let i = 0; i < n; i++) end[i] = Math.max(input.startUs[i]!, input.endUs[i]!);
  return end;
}

/** Whether span a comes before span b among siblings. */
function siblingOrder(start: ArrayLike<number>, end: Float64Array, idLess: (a: number, b: number) => boolean): (a: number, b: number) => boolean {
  return (a, b) => start[a]! < start[b]! || (start[a] === start[b] && (end[a]! < end[b]! || (end[a] === end[b] && idLess(a, b))));
}

/**
 * Makes every span reach a root: a chain of parents that loops back is cut above the loop's
 * first span in sibling order. Each span is climbed past once (0: not seen, 1: on the chain being
 * climbed, 2: known to reach a root), so O(n) however long the chains.
 */
function cutLoops(parent: Int32Array, place: Uint8Array, before: (a: number, b: number) => boolean): void {
  const n = parent.length;
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
        if (before(k, cut)) cut = k;
        k = parent[k]!;
      } while (k !== j);
      parent[cut] = -1;
      place[cut] = CYCLE;
    }
    for (let k = i; k !== -1 && state[k] === 1; k = parent[k]!) state[k] = 2;
  }
}

/**
 * The kept spans in sibling order (start, end, id). Whole-microsecond starts within 2^52 / n µs
 * of each other (25 hours for 50,000 spans) are packed with the span index into one number and
 * sorted natively: 7 ms against 24 for a compare function over 50,000 spans (medians of 40 runs).
 * Only runs of equal starts are then sorted by end and id; other traces take the compare function.
 */
function sortSiblings(links: SpanParents, start: ArrayLike<number>, end: Float64Array, idLess: (a: number, b: number) => boolean): Int32Array {
  const n = links.count;
  let m = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let whole = true;
  for (let i = 0; i < n; i++) {
    if (links.place[i] === DUPLICATE) continue;
    m++;
    const s = start[i]!;
    if (s < lo) lo = s;
    if (s > hi) hi = s;
    if (!Number.isInteger(s)) whole = false;
  }
  const sorted = new Int32Array(m);
  const compare = (a: number, b: number): number =>
    start[a]! - start[b]! || end[a]! - end[b]! || (idLess(a, b) ? -1 : idLess(b, a) ? 1 : a - b);
  if (!whole || (hi - lo + 2) * n > 2 ** 52) {
    for (let i = 0, k = 0; i < n; i++) if (links.place[i] !== DUPLICATE) sorted[k++] = i;
    return sorted.sort(compare);
  }
  const packed = new Float64Array(m);
  for (let i = 0, k = 0; i < n; i++) if (links.place[i] !== DUPLICATE) packed[k++] = (start[i]! - lo) * n + i;
  packed.sort();
  for (let k = 0; k < m; k++) sorted[k] = packed[k]! % n;
  for (let k = 0; k < m; ) {
    let e = k + 1;
    while (e < m && start[sorted[e]!] === start[sorted[k]!]) e++;
    if (e - k > 1) sorted.subarray(k, e).sort(compare);
    k = e;
  }
  return sorted;
}
