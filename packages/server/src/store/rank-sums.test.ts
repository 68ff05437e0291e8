import { describe, expect, it } from 'vitest';
import { quantileOfSorted, rankSums, sortNumbers, tallyOf, tallyRankSums } from './rank-sums.js';

/** Average ranks the slow, obvious way: sort everything, give each run of equal values its mean rank. */
function naiveRankSums(a: number[], b: number[]): { a: number; b: number; tieTerm: number } {
  const all = [...a.map((value) => ({ value, side: 'a' })), ...b.map((value) => ({ value, side: 'b' }))].sort((x, y) => x.value - y.value);
  const sums = { a: 0, b: 0, tieTerm: 0 };
  for (let start = 0; start < all.length; ) {
    let end = start;
    while (end < all.length && all[end]!.value === all[start]!.value) end++;
    const t = end - start;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) sums[all[k]!.side as 'a' | 'b'] += rank;
    sums.tieTerm += t ** 3 - t;
    start = end;
  }
  return sums;
}

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('rank sums', () => {
  it('equal the average ranks of both sides sorted together, ties and all', () => {
    const next = random(7);
    for (let round = 0; round < 200; round++) {
      const spread = [3, 50, 1e6, 5e9][round % 4]!;
      const a = Array.from({ length: Math.floor(next() * 60) }, () => Math.floor(next() * spread));
      const b = Array.from({ length: Math.floor(next() * 60) }, () => Math.floor(next() * spread));
      expect(rankSums(sortNumbers(a), sortNumbers(b))).toEqual(naiveRankSums(a, b));
    }
  });

  it('rank one side alone as 1..n', () => {
    expect(rankSums(sortNumbers([5, 5, 9]), sortNumbers([]))).toEqual({ a: 6, b: 0, tieTerm: 6 });
    expect(rankSums(sortNumbers([]), sortNumbers([]))).toEqual({ a: 0, b: 0, tieTerm: 0 });
  });
});

describe('sortNumbers', () => {
  it('sorts whole numbers of 32 bits by radix and anything else by value', () => {
    const next = random(11);
    const small = Array.from({ length: 5000 }, () => Math.floor(next() * 4294967296));
    expect([...sortNumbers(small)]).toEqual([...small].sort((x, y) => x - y));
    const mixed = [3.5, 4294967296 * 3, 0, -2, 7];
    expect([...sortNumbers(mixed)]).toEqual([-2, 0, 3.5, 7, 4294967296 * 3]);
    expect(sortNumbers(small)).toBeInstanceOf(Uint32Array);
    expect(sortNumbers(mixed)).toBeInstanceOf(Float64Array);
  });
});

describe('quantileOfSorted', () => {
  it('interpolates between the two nearest ranks', () => {
    const sorted = sortNumbers([10, 20, 30, 40]);
    expect(quantileOfSorted(sorted, 0.5)).toBe(25);
    expect(quantileOfSorted(sorted, 0.95)).toBeCloseTo(38.5, 10);
    expect(quantileOfSorted(sorted, 0)).toBe(10);
    expect(quantileOfSorted(sorted, 1)).toBe(40);
    expect(quantileOfSorted(sortNumbers([]), 0.5)).toBeNull();
  });

  it('are the same over tallies, in any order and split into parts, as over the values they count', () => {
    const next = random(11);
    // A tally in pieces: each value with a count of 1 to 3, shuffled, split in up to three parts (as a store's groups by label).
    const pieces = (values: number[]) => {
      const counted = new Map<number, number>();
      for (const v of values) counted.set(v, (counted.get(v) ?? 0) + 1);
      const entries: Array<[number, number]> = [];
      for (const [value, count] of counted)
        for (let left = count; left > 0; ) {
          const take = Math.min(left, 1 + Math.floor(next() * 3));
          entries.push([value, take]);
          left -= take;
        }
      entries.sort(() => next() - 0.5);
      const parts = Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({ values: [] as number[], counts: [] as number[] }));
      for (const [value, count] of entries) {
        const part = parts[Math.floor(next() * parts.length)]!;
        part.values.push(value);
        part.counts.push(count);
      }
      return parts;
    };
    for (let round = 0; round < 200; round++) {
      const spread = [3, 50, 1e6, 0.5][round % 4]!;
      const a = Array.from({ length: Math.floor(next() * 60) }, () => Math.floor(next() * spread * 4) / 4);
      const b = Array.from({ length: Math.floor(next() * 60) }, () => Math.floor(next() * spread * 4) / 4);
      const [ta, tb] = [tallyOf(pieces(a)), tallyOf(pieces(b))];
      expect([ta.total, tb.total]).toEqual([a.length, b.length]);
      expect([...ta.values]).toEqual([...new Set(a)].sort((x, y) => x - y));
      expect(tallyRankSums(ta, tb)).toEqual(naiveRankSums(a, b));
    }
  });
});
