/**
 * Two-sample significance tests for the release comparison: is side 1 different from side 2, or
 * could the difference be noise? Every test is two-sided; a statistic is positive when sample 1
 * is the larger. `null` means the samples are too small (or too uniform) for the test.
 */

/** The complementary error function for x ≥ 0, to about 1e-14 relative. */
function erfcPositive(x: number): number {
  if (x < 2) {
    // erf(x) = 2/√π · e^(-x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)): all terms positive, no cancellation.
    let term = x;
    let sum = x;
    for (let n = 1; term > sum * 1e-17; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  // erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))).
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / continuedFraction(x, (n) => [n / 2, x], 1e-16, 500);
}

/**
 * b₀ + a₁/(b₁ + a₂/(b₂ + …)) by the modified Lentz method, where `term(n)` is [aₙ, bₙ]: stops
 * when a term changes the value by less than `epsilon` (relatively), or after `maxTerms`.
 */
function continuedFraction(b0: number, term: (n: number) => readonly [a: number, b: number], epsilon: number, maxTerms: number): number {
  const tiny = 1e-300;
  let f = b0 === 0 ? tiny : b0;
  let c = f;
  let d = 0;
  for (let n = 1; n < maxTerms; n++) {
    const [a, b] = term(n);
    d = b + a * d;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = b + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < epsilon) break;
  }
  return f;
}

/** P(Z ≤ z) for a standard normal Z, to about 1e-14 (relative in the lower tail). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  const x = Math.abs(z) / Math.SQRT2;
  const tail = erfcPositive(x) / 2;
  return z < 0 ? tail : 1 - tail;
}

/** Two-sided p-value of a standard normal statistic: P(|Z| ≥ |z|). */
function normalTwoSided(z: number): number {
  return Math.min(1, erfcPositive(Math.abs(z) / Math.SQRT2));
}

/**
 * Mann-Whitney U needs at least this many values per side. Against scipy's exact test on normal
 * samples, the normal approximation's p-value was off by at most 0.006 where either was below 0.1
 * at 5 per side, and by up to 0.02 at 3 (where no exact p can be below 0.1 anyway).
 */
export const MIN_RANK_SAMPLE = 5;

/**
 * Mann-Whitney U (Wilcoxon rank-sum), two-sided, by the normal approximation with the tie
 * correction of the variance and a continuity correction of 0.5. From the rank sum of sample 1
 * among both samples (ties get the average of their ranks) and Σ(t³ - t) over groups of t tied
 * values. `u` is sample 1's U: the pairs where its value is larger, ties counting half.
 * `null` below {@link MIN_RANK_SAMPLE} per side. All values tied: z = 0, p = 1.
 */
export function mannWhitneyFromRanks(input: { n1: number; n2: number; rankSum1: number; tieTerm: number }): { u: number; z: number; pValue: number } | null {
  const { n1, n2, rankSum1, tieTerm } = input;
  if (!(n1 >= MIN_RANK_SAMPLE && n2 >= MIN_RANK_SAMPLE)) return null;
  const n = n1 + n2;
  const u = rankSum1 - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, z: 0, pValue: 1 };
  const distance = Math.max(0, Math.abs(u - mean) - 0.5);
  const z = (Math.sign(u - mean) * distance) / Math.sqrt(variance);
  return { u, z, pValue: normalTwoSided(z) };
}

/** {@link mannWhitneyFromRanks} of two samples of finite values, ranking them here. */
export function mannWhitney(a: readonly number[], b: readonly number[]): { u: number; z: number; pValue: number } | null {
  const all = [...a.map((v) => ({ v, first: true })), ...b.map((v) => ({ v, first: false }))].sort((x, y) => x.v - y.v);
  let rankSum1 = 0;
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]!.v === all[i]!.v) j++;
    // Positions i..j-1 (ranks i+1..j) are tied: each gets their average rank.
    const t = j - i;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]!.first) rankSum1 += rank;
    tieTerm += t * t * t - t;
    i = j;
  }
  return mannWhitneyFromRanks({ n1: a.length, n2: b.length, rankSum1, tieTerm });
}

/**
 * Pooled two-proportion z-test: x1 of n1 against x2 of n2, without continuity correction.
 * `null` unless each side expects at least 5 successes and 5 failures under the pooled
 * proportion (the textbook condition for the normal approximation), which also excludes a
 * pooled proportion of 0 or 1.
 */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): { z: number; pValue: number } | null {
  if (!(n1 > 0 && n2 > 0)) return null;
  const pooled = (x1 + x2) / (n1 + n2);
  const expected = Math.min(n1, n2) * Math.min(pooled, 1 - pooled);
  if (!(expected >= 5)) return null;
  const z = (x1 / n1 - x2 / n2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return { z, pValue: normalTwoSided(z) };
}

/**
 * ln Γ(x) for x > 0: Stirling's series to the x⁻⁹ term, whose first omitted term is below 3e-16
 * once x ≥ 15; smaller x are shifted up first by Γ(x) = Γ(x + 1) / x.
 */
function logGamma(x: number): number {
  let shift = 0;
  while (x < 15) {
    shift -= Math.log(x);
    x += 1;
  }
  const x2 = x * x;
  const series = (1 / (12 * x)) * (1 - (1 / (30 * x2)) * (1 - (2 / (7 * x2)) * (1 - (3 / (4 * x2)) * (1 - 140 / (99 * x2)))));
  return shift + (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series;
}

/**
 * The regularized incomplete beta function I_x(a, b), from its continued fraction (DLMF
 * 8.17.22) by the modified Lentz method. The fraction converges fast for x < (a + 1)/(a + b + 2);
 * past that, I_x(a, b) = 1 - I_(1-x)(b, a).
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const front = Math.exp(a * Math.log(x) + b * Math.log1p(-x) - (logGamma(a) + logGamma(b) - logGamma(a + b))) / a;
  // 1/(1 + d1/(1 + d2/(1 + …))), with d(2m+1) = -(a+m)(a+b+m)x / ((a+2m)(a+2m+1)) and
  // d(2m) = m(b-m)x / ((a+2m-1)(a+2m)).
  const coefficient = (i: number): number => {
    const m = Math.floor(i / 2);
    return i % 2 === 1 ? (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)) : (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
  };
  return front / continuedFraction(1, (i) => [coefficient(i), 1], 1e-15, 10_000);
}

/**
 * Welch's t-test for two means with unequal variances: means, sample variances (n - 1 in the
 * denominator) and sizes. Degrees of freedom by Welch–Satterthwaite; the two-sided p-value from
 * Student's t distribution, P(|T| ≥ |t|) = I_(df/(df+t²))(df/2, 1/2). `null` with fewer than 2
 * values per side, or when both variances are 0 (no spread to judge a difference against).
 */
export function welchT(m1: number, v1: number, n1: number, m2: number, v2: number, n2: number): { t: number; df: number; pValue: number } | null {
  if (!(n1 >= 2 && n2 >= 2 && v1 >= 0 && v2 >= 0)) return null;
  const s1 = v1 / n1;
  const s2 = v2 / n2;
  const se2 = s1 + s2;
  if (!(se2 > 0)) return null;
  const t = (m1 - m2) / Math.sqrt(se2);
  const df = (se2 * se2) / ((s1 * s1) / (n1 - 1) + (s2 * s2) / (n2 - 1));
  return { t, df, pValue: incompleteBeta(df / (df + t * t), df / 2, 0.5) };
}

/**
 * The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), for a > 0 and x ≥ 0:
 * by its power series for x < a + 1 (as 1 - P), else by its continued fraction (DLMF 8.9.2,
 * modified Lentz), which converge fast on those sides.
 */
export function upperGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(a * Math.log(x) - x - logGamma(a));
  if (x < a + 1) {
    // P(a, x) = x^a e^-x / Γ(a + 1) · Σ xⁿ / ((a + 1)…(a + n)).
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000 && term > sum * 1e-17; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return Math.max(0, 1 - front * sum);
  }
  // Γ(a, x) = e^-x x^a / (x + 1 - a - 1·(1 - a)/(x + 3 - a - 2·(2 - a)/(x + 5 - a - …))).
  return front / continuedFraction(x + 1 - a, (n) => [-n * (n - a), x + 1 - a + 2 * n], 1e-16, 10_000);
}

/** P(X ≥ x) for X chi-square distributed with `df` degrees of freedom. */
export function chiSquareSurvival(x: number, df: number): number {
  return upperGamma(df / 2, x / 2);
}

/**
 * Pearson's chi-square test of independence of a contingency table (rows: samples, columns:
 * categories), without continuity correction. Rows or columns whose total is 0 are left out.
 * `null` with fewer than two rows or columns left, or where the normal use of the test does not
 * hold (Cochran: an expected count below 1, or more than a fifth of them below 5).
 */
export function chiSquareIndependence(table: readonly (readonly number[])[]): { statistic: number; df: number; pValue: number } | null {
  const columns = table[0]?.length ?? 0;
  const columnTotals = Array.from({ length: columns }, (_, j) => table.reduce((sum, row) => sum + (row[j] ?? 0), 0));
  const kept = columnTotals.flatMap((total, j) => (total > 0 ? [j] : []));
  const rows = table.filter((row) => kept.some((j) => row[j]! > 0));
  if (rows.length < 2 || kept.length < 2) return null;
  const rowTotals = rows.map((row) => kept.reduce((sum, j) => sum + row[j]!, 0));
  const total = rowTotals.reduce((a, b) => a + b, 0);
  let statistic = 0;
  let small = 0;
  for (let i = 0; i < rows.length; i++) {
    for (const j of kept) {
      const expected = (rowTotals[i]! * columnTotals[j]!) / total;
      if (expected < 1) return null;
      if (expected < 5) small++;
      statistic += (rows[i]![j]! - expected) ** 2 / expected;
    }
  }
  if (small * 5 > rows.length * kept.length) return null;
  const df = (rows.length - 1) * (kept.length - 1);
  return { statistic, df, pValue: Math.min(1, chiSquareSurvival(statistic, df)) };
}

/** Up to this many non-zero differences without ties, the signed-rank test counts its exact distribution. */
const EXACT_SIGNED_RANK_MAX = 30;

/**
 * Wilcoxon signed-rank, two-sided, over paired differences (b - a of each item): do the pairs
 * shift one way, or could it be noise? Zero differences are dropped (Wilcoxon's rule); the rest are
 * ranked by size, ties getting the average of their ranks. `w` is the rank sum of the positive
 * differences (so `w` above `n(n+1)/4` means the second of each pair is mostly the larger). With at
 * most 30 non-zero differences and no ties, the p-value is exact (every sign assignment counted);
 * otherwise from the normal approximation with the tie correction of the variance and a
 * continuity correction of 0.5, and `z` is given. `null` for fewer than 5 non-zero differences,
 * where no two-sided p can be below 0.06.
 */
export function wilcoxonSignedRank(differences: readonly number[]): { n: number; w: number; z: number | null; pValue: number } | null {
  const nonZero = differences.filter((d) => d !== 0 && Number.isFinite(d)).sort((x, y) => Math.abs(x) - Math.abs(y));
  const n = nonZero.length;
  if (n < MIN_RANK_SAMPLE) return null;
  let w = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && Math.abs(nonZero[j]!) === Math.abs(nonZero[i]!)) j++;
    // Ranks i+1..j share their average.
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (nonZero[k]! > 0) w += rank;
    const t = j - i;
    tieTerm += t * t * t - t;
    i = j;
  }
  const mean = (n * (n + 1)) / 4;
  if (tieTerm === 0 && n <= EXACT_SIGNED_RANK_MAX) return { n, w, z: null, pValue: exactSignedRankTwoSided(n, w) };
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  if (!(variance > 0)) return { n, w, z: 0, pValue: 1 };
  const distance = Math.max(0, Math.abs(w - mean) - 0.5);
  const z = (Math.sign(w - mean) * distance) / Math.sqrt(variance);
  return { n, w, z, pValue: normalTwoSided(z) };
}

/**
 * P(|W - mean| ≥ |w - mean|) for the signed-rank statistic of `n` untied ranks under the null:
 * the number of sign assignments giving each rank sum, counted by adding one rank at a time
 * (n(n+1)/2 sums, n ≤ 30: at most 465 × 30 steps).
 */
function exactSignedRankTwoSided(n: number, w: number): number {
  const max = (n * (n + 1)) / 2;
  const ways = new Float64Array(max + 1);
  ways[0] = 1;
  for (let rank = 1; rank <= n; rank++) for (let s = max; s >= rank; s--) ways[s]! += ways[s - rank]!;
  const mean = max / 2;
  const distance = Math.abs(w - mean);
  let extreme = 0;
  // Whole rank sums only (no ties): the ones at least as far from the mean as `w`.
  for (let s = 0; s <= max; s++) if (Math.abs(s - mean) >= distance - 1e-9) extreme += ways[s]!;
  return Math.min(1, extreme / 2 ** n);
}
