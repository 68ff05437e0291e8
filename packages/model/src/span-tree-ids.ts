/**
 * The span-tree resolver's ids as small numbers (`span-tree.ts`): for ids as text, a map; for
 * 64-bit ids as two 32-bit words, an open-addressing table, with no string per span.
 */
import type { SpanTreeInput, SpanTreeWordsInput } from './span-tree.js';

/** `parentKey` of a span that names no parent. */
export const NO_PARENT = -1;
/** `parentKey` of a span whose parent is not in the trace. */
export const MISSING = -2;

/**
 * Ids as small numbers: `key[i]` is the first index whose id is span i's, `parentKey[i]` the key
 * of its parent's id (or `NO_PARENT`, `MISSING`). An array, not a function to call: a server
 * links ids of both kinds, and a call that reaches two functions is not inlined in the hot loop.
 */
export interface Keys {
  key: Int32Array;
  /** Whether any id came more than once. */
  duplicates: boolean;
  parentKey: Int32Array;
  idLess: (a: number, b: number) => boolean;
  /** Whether span a's parent id comes before span b's; no parent comes first. */
  parentLess: (a: number, b: number) => boolean;
}

/** Keys of ids as text, through a map. */
export function textKeys(input: SpanTreeInput): Keys {
  const ids = input.spanIds;
  const n = ids.length;
  const firstOf = new Map<string, number>();
  const key = new Int32Array(n);
  let duplicates = false;
  for (let i = 0; i < n; i++) {
    const k = firstOf.get(ids[i]!);
    if (k === undefined) {
      firstOf.set(ids[i]!, i);
      key[i] = i;
    } else {
      key[i] = k;
      duplicates = true;
    }
  }
  const parents = input.parentSpanIds;
  const parentKey = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = parents[i];
    parentKey[i] = p === null || p === undefined ? NO_PARENT : (firstOf.get(p) ?? MISSING);
  }
  const parentLess = (a: number, b: number): boolean => {
    const pb = parents[b];
    if (pb === null || pb === undefined) return false;
    const pa = parents[a];
    return pa === null || pa === undefined || pa < pb;
  };
  return { key, duplicates, parentKey, idLess: (a, b) => ids[a]! < ids[b]!, parentLess };
}

/** Keys of 64-bit ids through an open-addressing table (linear probing, at most half full): no string per span. */
export function wordKeys(input: SpanTreeWordsInput): Keys {
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
  let duplicates = false;
  for (let i = 0; i < n; i++) {
    const s = slotOf(idHigh[i]!, idLow[i]!);
    if (slots[s] === -1) slots[s] = i;
    else duplicates = true;
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
  const less =
    (high: ArrayLike<number>, low: ArrayLike<number>) =>
    (a: number, b: number): boolean =>
      high[a]! < high[b]! || (high[a] === high[b] && low[a]! < low[b]!);
  // No parent is 0:0, which comes first.
  return { key, duplicates, parentKey, idLess: less(idHigh, idLow), parentLess: less(input.parentHigh, input.parentLow) };
}
