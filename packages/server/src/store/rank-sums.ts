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
