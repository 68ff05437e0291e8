import { describe, expect, it } from 'vitest';
import {
  chiSquareIndependence,
  chiSquareSurvival,
  incompleteBeta,
  mannWhitney,
  mannWhitneyFromRanks,
  MIN_RANK_SAMPLE,
  normalCdf,
  twoProportionZ,
  welchT,
  wilcoxonSignedRank,
} from './significance.js';

// Expected values below come from SciPy 1.17.1 (scipy.stats), named on each table.

/** Within `tolerance`, relative to the expected value (absolute near 0). */
function close(actual: number | undefined, expected: number, tolerance = 1e-9): void {
  expect(actual).toBeDefined();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tolerance * Math.max(Math.abs(expected), 1e-300));
}

describe('normalCdf', () => {
  // norm.cdf(z)
  it.each([
    [-8, 6.22096057427174e-16],
    [-5, 2.866515718791933e-7],
    [-3, 0.0013498980316300933],
    [-1.96, 0.024997895148220435],
    [-1, 0.15865525393145707],
    [0, 0.5],
    [0.5, 0.6914624612740131],
    [1.2345, 0.8914916766373298],
    [2.5, 0.9937903346742238],
    [4, 0.9999683287581669],
  ])('Φ(%s) = %s, relatively to 1e-12 even deep in the lower tail', (z, expected) => {
    close(normalCdf(z), expected, 1e-12);
  });

  it('is symmetric: Φ(-z) = 1 - Φ(z)', () => {
    for (const z of [0.1, 0.7, 1.9, 2.01, 3.3]) expect(normalCdf(-z) + normalCdf(z)).toBeCloseTo(1, 15);
  });
});

describe('Student t through the incomplete beta', () => {
  // 2 * t.sf(|t|, df)
  it.each([
    [2.0, 1, 0.2951672353008665],
    [1.5, 2.5, 0.24783645308629618],
    [-3.2, 7.3, 0.014239668038658306],
    [0.4, 30, 0.691990516514192],
    [2.1, 1000, 0.03597887431078197],
    [12.0, 4, 0.000276428548502973],
    [0.0, 10, 1],
  ])('two-sided p of t = %s with %s degrees of freedom is %s', (t, df, expected) => {
    close(incompleteBeta(df / (df + t * t), df / 2, 0.5), expected, 1e-9);
  });

  it('has the ends and the symmetry of a distribution function', () => {
    expect(incompleteBeta(0, 2, 3)).toBe(0);
    expect(incompleteBeta(1, 2, 3)).toBe(1);
    // I_x(a, b) = 1 - I_(1-x)(b, a); and I_x(1, 1) = x.
    expect(incompleteBeta(0.3, 2.5, 4) + incompleteBeta(0.7, 4, 2.5)).toBeCloseTo(1, 13);
    expect(incompleteBeta(0.37, 1, 1)).toBeCloseTo(0.37, 13);
  });
});

type WelchArgs = [m1: number, v1: number, n1: number, m2: number, v2: number, n2: number];
type ProportionArgs = [x1: number, n1: number, x2: number, n2: number];

describe('welchT', () => {
  // ttest_ind_from_stats(m1, sqrt(v1), n1, m2, sqrt(v2), n2, equal_var=False)
  it.each<[WelchArgs, number, number, number]>([
    [[10, 4, 20, 12, 9, 25], -2.6726124191242437, 41.784011220196355, 0.010686816561632893],
    [[0.002, 1e-6, 500, 0.0021, 2e-6, 400], -1.1952286093343916, 693.3372894605926, 0.23240638015560197],
    [[5, 1, 3, 5, 2, 4], 0, 5, 1],
  ])('%j gives t %s, df %s, p %s', (args, t, df, p) => {
    const r = welchT(...args);
    close(r?.t, t, 1e-12);
    close(r?.df, df, 1e-12);
    close(r?.pValue, p, 1e-9);
  });

  it('is antisymmetric in its sides', () => {
    const ab = welchT(1, 2, 10, 3, 4, 12)!;
    const ba = welchT(3, 4, 12, 1, 2, 10)!;
    expect(ba.t).toBe(-ab.t);
    expect(ba.pValue).toBe(ab.pValue);
  });

  it.each<[string, WelchArgs]>([
    ['one value on a side', [1, 0.5, 1, 2, 0.5, 10]],
    ['no spread on either side', [1, 0, 10, 2, 0, 10]],
  ])('cannot test with %s', (_name, args) => {
    expect(welchT(...args)).toBeNull();
  });
});

describe('twoProportionZ', () => {
  // sqrt(chi2) and p of chi2_contingency([[x1, n1 - x1], [x2, n2 - x2]], correction=False)
  it.each([
    [30, 500, 50, 500, -2.3312620206007844, 0.019739547569938176],
    [12, 1000, 12, 1000, 0, 1],
    [5, 200, 25, 180, -4.110832251374629, 3.942355465630124e-5],
  ])('%s/%s against %s/%s: z %s, p %s', (x1, n1, x2, n2, z, p) => {
    const r = twoProportionZ(x1, n1, x2, n2)!;
    close(Math.abs(r.z), Math.abs(z), 1e-12);
    expect(Math.sign(r.z)).toBe(Math.sign(z));
    close(r.pValue, p, 1e-9);
  });

  it.each<[string, ProportionArgs]>([
    ['no successes at all', [0, 500, 0, 500]],
    ['nothing but successes', [500, 500, 500, 500]],
    ['fewer than 5 successes expected on a side', [0, 300, 3, 300]],
    ['an empty side', [0, 0, 3, 300]],
  ])('cannot test with %s', (_name, args) => {
    expect(twoProportionZ(...args)).toBeNull();
  });
});

describe('Mann-Whitney U', () => {
  const a = [1.1, 2.2, 2.2, 3.5, 4.0, 5.1, 6.3];
  const b = [2.2, 3.5, 7.7, 8.1, 9.0, 9.9];
  const c = [12, 15, 11, 19, 14, 13, 18, 16];
  const d = [22, 25, 17, 24, 21, 29, 23, 20, 26];

  // mannwhitneyu(x, y, alternative='two-sided', method='asymptotic', use_continuity=True)
  it.each([
    ['with ties across the samples', a, b, 8.5, 0.08431461098087174],
    ['clearly shifted samples', c, d, 2, 0.001266170542902569],
    ['the same, sides swapped', d, c, 70, 0.001266170542902569],
  ])('%s: U and p as SciPy computes them', (_name, x, y, u, p) => {
    const r = mannWhitney(x, y)!;
    expect(r.u).toBe(u);
    close(r.pValue, p, 1e-9);
  });

  it('signs z by which sample is larger and gives both orders the same p', () => {
    const cd = mannWhitney(c, d)!;
    const dc = mannWhitney(d, c)!;
    expect(cd.z).toBeLessThan(0);
    expect(dc.z).toBe(-cd.z);
    expect(dc.pValue).toBe(cd.pValue);
  });

  it('gives p = 1 for identical samples, tied or not', () => {
    expect(mannWhitney(c, c)!.pValue).toBe(1);
    expect(mannWhitney([5, 5, 5, 5, 5], [5, 5, 5, 5, 5, 5])).toEqual({ u: 15, z: 0, pValue: 1 });
  });

  it('gives a tiny p for large clearly shifted samples', () => {
    const x = Array.from({ length: 200 }, (_, i) => i);
    const y = x.map((v) => v + 150);
    expect(mannWhitney(x, y)!.pValue).toBeLessThan(1e-20);
  });

  it('agrees with the rank-sum form fed the ranks the store would compute', () => {
    const fromArrays = mannWhitney(a, b);
    // Sorted: 1.1 (1) 2.2 2.2 2.2 (2,3,4 → 3) 3.5 3.5 (5,6 → 5.5) 4.0 (7) 5.1 (8) 6.3 (9) 7.7 …
    const rankSum1 = 1 + 3 + 3 + 5.5 + 7 + 8 + 9;
    const tieTerm = 27 - 3 + (8 - 2);
    expect(mannWhitneyFromRanks({ n1: a.length, n2: b.length, rankSum1, tieTerm })).toEqual(fromArrays);
  });

  it('is a little conservative against the exact test on a small, clearly separated sample', () => {
    // With 5 against 5 and complete separation, the exact two-sided p is 2 / C(10, 5) = 0.0079;
    // the normal approximation with continuity correction gives 0.0122.
    const r = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])!;
    expect(r.u).toBe(0);
    expect(r.pValue).toBeGreaterThan(2 / 252);
    expect(r.pValue).toBeLessThan(0.05);
    close(r.pValue, 2 * normalCdf(-(12.5 - 0.5) / Math.sqrt((25 * 11) / 12)), 1e-12);
  });

  it(`does not test fewer than ${MIN_RANK_SAMPLE} values on a side`, () => {
    expect(mannWhitney([1, 2, 3, 4], [5, 6, 7, 8, 9, 10])).toBeNull();
    expect(mannWhitneyFromRanks({ n1: 5, n2: 4, rankSum1: 15, tieTerm: 0 })).toBeNull();
  });
});

describe('chi-square', () => {
  // chi2.sf(x, df)
  it.each([
    [3.84, 1, 0.05004352124870519],
    [10, 3, 0.01856613546304325],
    [0.5, 2, 0.7788007830714049],
    [50, 4, 3.610865404890647e-10],
    [0.001, 1, 0.9747728793699604],
    [200, 10, 1.6139305336977317e-37],
  ])('P(X ≥ %s) with %s degrees of freedom = %s', (x, df, expected) => {
    close(chiSquareSurvival(x, df), expected, 1e-9);
  });

  // chi2_contingency(table, correction=False): statistic, dof, p-value
  it.each([
    [
      [
        [30, 10],
        [20, 20],
      ],
      5.333333333333334,
      1,
      0.020921335337794004,
    ],
    [
      [
        [12, 5, 3],
        [6, 10, 9],
      ],
      6.187499999999999,
      2,
      0.045331641611676285,
    ],
    [
      [
        [100, 50],
        [100, 50],
      ],
      0,
      1,
      1,
    ],
    [
      [
        [8, 2],
        [2, 8],
      ],
      7.2,
      1,
      0.0072903580915356595,
    ],
    [
      [
        [90, 10, 5],
        [60, 30, 15],
      ],
      21.0,
      2,
      2.753644934974714e-5,
    ],
  ])('tests %j for independence', (table, statistic, df, pValue) => {
    const result = chiSquareIndependence(table);
    close(result?.statistic, statistic, 1e-12);
    expect(result?.df).toBe(df);
    close(result?.pValue, pValue, 1e-9);
  });

  it('leaves out an unseen category, and gives null where the table cannot be tested', () => {
    expect(
      chiSquareIndependence([
        [30, 0, 10],
        [20, 0, 20],
      ]),
    ).toMatchObject({ df: 1, statistic: expect.closeTo(5.333333333333334, 12) });
    // One side, one category, or expected counts below 1 (Cochran).
    expect(chiSquareIndependence([[30, 10]])).toBeNull();
    expect(chiSquareIndependence([[30], [20]])).toBeNull();
    expect(
      chiSquareIndependence([
        [1, 0],
        [0, 1],
      ]),
    ).toBeNull();
    expect(
      chiSquareIndependence([
        [40, 3, 3],
        [40, 3, 3],
      ]),
    ).toBeNull();
  });
});

describe('Wilcoxon signed-rank', () => {
  /** The p-value by flipping every sign: the permutation distribution of W+ over the (average) ranks, the oracle. */
  function permutationP(differences: readonly number[]): number {
    const nonZero = differences.filter((d) => d !== 0);
    const sizes = nonZero.map(Math.abs);
    const rankOf = (v: number) => {
      const below = sizes.filter((x) => x < v).length;
      const equal = sizes.filter((x) => x === v).length;
      return below + (equal + 1) / 2;
    };
    const ranks = sizes.map(rankOf);
    const mean = ranks.reduce((a, b) => a + b, 0) / 2;
    const observed = Math.abs(nonZero.reduce((sum, d, i) => sum + (d > 0 ? ranks[i]! : 0), 0) - mean);
    let extreme = 0;
    for (let signs = 0; signs < 2 ** ranks.length; signs++) {
      let w = 0;
      for (let i = 0; i < ranks.length; i++) if (signs & (1 << i)) w += ranks[i]!;
      if (Math.abs(w - mean) >= observed - 1e-9) extreme++;
    }
    return extreme / 2 ** ranks.length;
  }

  it('gives five positive differences the smallest exact p there is, 2/32', () => {
    expect(wilcoxonSignedRank([0.1, 0.2, 0.3, 0.4, 0.5])).toEqual({ n: 5, w: 15, z: null, pValue: 0.0625 });
    expect(wilcoxonSignedRank([-0.1, -0.2, -0.3, -0.4, -0.5])).toEqual({ n: 5, w: 0, z: null, pValue: 0.0625 });
  });

  it('counts the exact distribution as flipping every sign does, for untied differences', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 40; trial++) {
      const n = 5 + (trial % 9);
      const shift = (trial % 5) * 0.15;
      const differences = Array.from({ length: n }, () => random() - 0.5 + shift);
      const result = wilcoxonSignedRank(differences)!;
      expect(result.z).toBeNull();
      expect(result.pValue).toBeCloseTo(permutationP(differences), 12);
    }
  });

  it('with ties, approximates the permutation p-value closely, and drops zero differences', () => {
    const cases = [
      [1, 1, 2, 2, 2, -1, 3, 3, 0, 0, 1, 2, -2, 4],
      [0.5, 0.5, -0.5, 1, 1, 1, 1, -1, 2, 2, 0],
      [-1, -1, -1, -2, -2, 1, -3, -3, -3, 2, -1, 0],
    ];
    for (const differences of cases) {
      const result = wilcoxonSignedRank(differences)!;
      expect(result.n).toBe(differences.filter((d) => d !== 0).length);
      expect(result.z).not.toBeNull();
      expect(Math.abs(result.pValue - permutationP(differences))).toBeLessThan(0.02);
    }
    expect(wilcoxonSignedRank([-1, -1, -1, -2, -2, 1, -3, -3, -3, 2, -1, 0])!.z).toBeLessThan(0);
  });

  it('answers nothing for fewer than five differences that are not zero, and p = 1 when nothing moved either way', () => {
    expect(wilcoxonSignedRank([1, 2, 3, 4, 0, 0, 0])).toBeNull();
    expect(wilcoxonSignedRank([1, -1, 2, -2, 3, -3])!.pValue).toBe(1);
  });

  it('takes the normal approximation past 30 differences, close to the exact distribution', () => {
    // The exact two-sided p of W+ for n untied ranks, counted here by another route: a map of sums.
    const exactP = (n: number, w: number): number => {
      let ways = new Map<number, number>([[0, 1]]);
      for (let rank = 1; rank <= n; rank++) {
        const next = new Map(ways);
        for (const [sum, count] of ways) next.set(sum + rank, (next.get(sum + rank) ?? 0) + count);
        ways = next;
      }
      const mean = (n * (n + 1)) / 4;
      let extreme = 0;
      for (const [sum, count] of ways) if (Math.abs(sum - mean) >= Math.abs(w - mean)) extreme += count;
      return extreme / 2 ** n;
    };
    for (const every of [3, 4, 5, 7]) {
      const differences = Array.from({ length: 40 }, (_, i) => (i % every === 0 ? -(i + 1) : i + 1));
      const result = wilcoxonSignedRank(differences)!;
      expect(result.z).toBeGreaterThan(0);
      expect(Math.abs(result.pValue - exactP(40, result.w))).toBeLessThan(0.003);
    }
  });
});
