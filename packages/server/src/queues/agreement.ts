/**
 * Agreement between reviewers, as pure functions over their values.
 *
 * Krippendorff's alpha (Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011):
 * α = 1 − D_o / D_e over the pairable values (units with two or more values; missing values left
 * out, any number of reviewers). D_o = (1/n) Σ_u (1/(m_u − 1)) Σ_{i≠j in u} δ(v_i, v_j), the
 * disagreement observed within units; D_e = (1/(n(n − 1))) Σ_{i≠j} δ(v_i, v_j) over all n
 * pairable values, the disagreement expected by chance. δ is 0/1 for nominal data and
 * (v_i − v_j)² for interval data. `null` when no value varies (D_e = 0) or nothing is pairable.
 *
 * Cohen's kappa (Cohen, 1960): κ = (p_o − p_e) / (1 − p_e) over the units both raters coded,
 * p_e from each rater's own marginals. `null` when p_e = 1 (both gave one category throughout).
 */

export type AgreementLevel = 'nominal' | 'interval';
export type Value = number | string;

/** Σ_{i≠j} δ(v_i, v_j) over ordered pairs of `values`, in O(n): counts per category, or sums of squares. */
function pairDisagreement(values: readonly Value[], level: AgreementLevel): number {
  const n = values.length;
  if (level === 'nominal') {
    const counts = new Map<Value, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    let same = 0;
    for (const c of counts.values()) same += c * c;
    return n * n - same;
  }
  let sum = 0;
  let squares = 0;
  for (const v of values as readonly number[]) {
    sum += v;
    squares += v * v;
  }
  // Σ_{i,j} (v_i − v_j)² = 2nΣv² − 2(Σv)²; the pairs i = j add nothing.
  return 2 * n * squares - 2 * sum * sum;
}

/** Krippendorff's alpha over units, each the values its reviewers gave (missing ones left out of the list). */
export function krippendorffAlpha(units: readonly (readonly Value[])[], level: AgreementLevel): number | null {
  const pairable = units.filter((u) => u.length >= 2);
  const all = pairable.flat();
  const n = all.length;
  if (n < 2) return null;
  let observed = 0;
  for (const u of pairable) observed += pairDisagreement(u, level) / (u.length - 1);
  const expected = pairDisagreement(all, level) / (n - 1);
  if (expected === 0) return null;
  // Both over n: D_o = observed / n, D_e = expected / n.
  return 1 - observed / expected;
}

/** Cohen's kappa of two raters over the units both coded: each pair is (first rater's category, second's). */
export function cohenKappa(pairs: readonly (readonly [Value, Value])[]): number | null {
  const n = pairs.length;
  if (n === 0) return null;
  const first = new Map<Value, number>();
  const second = new Map<Value, number>();
  let agreed = 0;
  for (const [a, b] of pairs) {
    if (a === b) agreed++;
    first.set(a, (first.get(a) ?? 0) + 1);
    second.set(b, (second.get(b) ?? 0) + 1);
  }
  let chance = 0;
  for (const [category, count] of first) chance += (count / n) * ((second.get(category) ?? 0) / n);
  if (chance === 1) return null;
  return (agreed / n - chance) / (1 - chance);
}
