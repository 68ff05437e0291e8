/**
 * What a release comparison needs of two sides' durations, computed from sorted arrays: the
 * Mann-Whitney rank sums (both sides ranked together, ties averaged), the tie term, and
 * interpolated percentiles. Engine-neutral: a store hands over each side's durations and gets the
 * same numbers whichever engine it is.
 *
 * Why not in SQL: ranks need every span of a name in order, and DuckDB's window operators took
 * 1.5 s of the comparison's 2.6 s of operator time on 5M spans; a radix sort of each side here
 * and one merge take a fraction of that (BENCHMARKS.md, "release comparison").
 */

/** Ascending numbers; a `Uint32Array` when they all fit 32 bits (the usual case for microseconds). */
export type SortedNumbers = Float64Array | Uint32Array;

const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;
const DIGIT = RADIX - 1;
const counts = new Int32Array(RADIX);

/**
 * `values` sorted ascending, in a new array. Whole numbers in [0, 2³²) take an LSD radix sort (three
 * passes of 11 bits); anything else the typed array's own numeric sort.
 */
export function sortNumbers(values: ArrayLike<number>): SortedNumbers {
  const n = values.length;
  let fits = true;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v < 4294967296 && Math.floor(v) === v)) {
      fits = false;
      break;
    }
  }
  if (!fits) return Float64Array.from(values).sort();
  let from = Uint32Array.from(values);
  let to = new Uint32Array(n);
  for (let shift = 0; shift < 32; shift += RADIX_BITS) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(from[i]! >>> shift) & DIGIT]!++;
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const count = counts[d]!;
      counts[d] = sum;
      sum += count;
    }
    for (let i = 0; i < n; i++) {
      const v = from[i]!;
      to[counts[(v >>> shift) & DIGIT]!++] = v;
    }
    [from, to] = [to, from];
  }
  return from;
}

/**
 * The `q` quantile of ascending values, interpolated linearly between the two nearest ranks (what
 * DuckDB's `quantile_cont` and ClickHouse's `quantileExact` family with interpolation compute);
 * `null` for no values.
 */
export function quantileOfSorted(sorted: SortedNumbers, q: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const at = (n - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  const low = sorted[lo]!;
  if (lo === hi) return low;
  return low + (sorted[hi]! - low) * (at - lo);
}

export interface RankSums {
  /** Sums of each side's ranks among both sides' values (tied values share their average rank). */
  a: number;
  b: number;
  /** Σ(t³ - t) over the groups of equal values, both sides together. */
  tieTerm: number;
}

/** The rank sums of two ascending arrays ranked together, in one merge. */
export function rankSums(a: SortedNumbers, b: SortedNumbers): RankSums {
  const na = a.length;
  const nb = b.length;
  let i = 0;
  let j = 0;
  // Values ranked so far, twice side b's rank sum (so that average ranks stay whole), Σ(t³ - t).
  let below = 0;
  let twiceB = 0;
  let tieTerm = 0;
  while (i < na || j < nb) {
    const value = j === nb || (i < na && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    const startA = i;
    const startB = j;
    while (i < na && a[i] === value) i++;
    while (j < nb && b[j] === value) j++;
    const fromB = j - startB;
    const tied = i - startA + fromB;
    // The tied values take ranks below + 1 .. below + tied; each gets their average.
    twiceB += fromB * (2 * below + tied + 1);
    tieTerm += tied * tied * tied - tied;
    below += tied;
  }
  const total = na + nb;
  const b2 = twiceB / 2;
  return { a: (total * (total + 1)) / 2 - b2, b: b2, tieTerm };
}

/** Values in ascending order, each once, with how many times each occurs. */
export interface Tally {
  values: Float64Array;
  counts: Float64Array;
  /** The sum of `counts`. */
  total: number;
}

/**
 * One tally of several, each a value beside its count in any order and a value possibly listed
 * more than once: the values ascending, each once. Already ascending lists (a store's usual
 * answer) are only merged; others sorted first.
 */
export function tallyOf(parts: ReadonlyArray<{ values: ArrayLike<number>; counts: ArrayLike<number> }>): Tally {
  let n = 0;
  for (const part of parts) n += part.values.length;
  const values = new Float64Array(n);
  const counts = new Float64Array(n);
  let at = 0;
  let ascending = true;
  for (const part of parts) {
    for (let i = 0; i < part.values.length; i++, at++) {
      values[at] = part.values[i]!;
      counts[at] = part.counts[i]!;
      if (at > 0 && values[at]! < values[at - 1]!) ascending = false;
    }
  }
  const order = ascending ? null : Uint32Array.from({ length: n }, (_, i) => i).sort((x, y) => values[x]! - values[y]!);
  const outValues = new Float64Array(n);
  const outCounts = new Float64Array(n);
  let distinct = 0;
  let total = 0;
  for (let k = 0; k < n; k++) {
    const i = order === null ? k : order[k]!;
    total += counts[i]!;
    if (distinct > 0 && outValues[distinct - 1] === values[i]) outCounts[distinct - 1]! += counts[i]!;
    else {
      outValues[distinct] = values[i]!;
      outCounts[distinct++] = counts[i]!;
    }
  }
  return { values: outValues.subarray(0, distinct), counts: outCounts.subarray(0, distinct), total };
}

/** `rankSums` of the values two tallies count, in one merge of their distinct values. */
export function tallyRankSums(a: Tally, b: Tally): RankSums {
  const na = a.values.length;
  const nb = b.values.length;
  let i = 0;
  let j = 0;
  let below = 0;
  let twiceB = 0;
  let tieTerm = 0;
  while (i < na || j < nb) {
    const value = j === nb || (i < na && a.values[i]! <= b.values[j]!) ? a.values[i]! : b.values[j]!;
    const fromA = i < na && a.values[i] === value ? a.counts[i++]! : 0;
    const fromB = j < nb && b.values[j] === value ? b.counts[j++]! : 0;
    const tied = fromA + fromB;
    twiceB += fromB * (2 * below + tied + 1);
    tieTerm += tied * tied * tied - tied;
    below += tied;
  }
  const b2 = twiceB / 2;
  return { a: (below * (below + 1)) / 2 - b2, b: b2, tieTerm };
}
