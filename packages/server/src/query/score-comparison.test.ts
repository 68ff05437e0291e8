import { describe, expect, it } from 'vitest';
import type { ScoreCompareGroup } from '../store/store.js';
import { scoreComparison } from './score-comparison.js';

// p-values from SciPy 1.17.1: mannwhitneyu(a, b, method='asymptotic') and chi2_contingency(table, correction=False).

const group = (name: string, side: 'a' | 'b', label: string | null, values: number[], count = values.length): ScoreCompareGroup => ({
  name,
  side,
  label,
  count,
  values,
  counts: values.map(() => 1),
});

describe('scoreComparison', () => {
  it('gives each score name both sides, the change of the mean and a Mann-Whitney U test of the values', () => {
    const [row] = scoreComparison(
      [group('faithfulness', 'a', null, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), group('faithfulness', 'b', null, [0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95])],
      10,
      0.05,
    );
    expect(row).toMatchObject({
      name: 'faithfulness',
      a: { count: 6, mean: expect.closeTo(0.35, 12), labels: {} },
      b: { count: 7, mean: expect.closeTo(0.65, 12), labels: {} },
      meanDelta: expect.closeTo(0.3, 12),
      values: { test: 'mann-whitney-u', pValue: expect.closeTo(0.03831876314941356, 12), significant: true },
      labels: { test: 'chi-square', pValue: null, significant: false },
    });
  });

  it('tests the label counts with chi-square, the values of the labelled scores too where they have some', () => {
    const [row] = scoreComparison(
      [group('thumbs', 'a', 'up', [1, 1], 20), group('thumbs', 'a', 'down', [], 10), group('thumbs', 'b', 'down', [], 20), group('thumbs', 'b', 'up', [], 10)],
      10,
      0.05,
    );
    expect(row).toMatchObject({
      a: { count: 30, mean: 1, labels: { down: 10, up: 20 } },
      b: { count: 30, mean: null, labels: { down: 20, up: 10 } },
      meanDelta: null,
      values: { pValue: null, significant: false },
      labels: { test: 'chi-square', pValue: expect.closeTo(0.009823274507519235, 12), significant: true },
    });
  });

  it('keeps the names with the most scores, in name order, a name seen on one side with no tests', () => {
    const rows = scoreComparison(
      [group('z', 'a', null, [1, 2, 3]), group('m', 'b', null, [1]), group('a', 'a', 'x', [], 2), group('a', 'b', 'x', [], 1)],
      2,
      0.05,
    );
    expect(rows.map((r) => [r.name, r.a?.count ?? null, r.b?.count ?? null])).toEqual([
      ['a', 2, 1],
      ['z', 3, null],
    ]);
    expect(rows[1]).toMatchObject({ meanDelta: null, values: { pValue: null }, labels: { pValue: null } });
  });

  it('reads the values as tallies: a value counted many times, or listed in several groups, weighs as often', () => {
    const a = [0.2, 0.2, 0.2, 0.5, 0.5, 0.9];
    const b = [0.5, 0.5, 0.9, 0.9, 0.9, 1];
    const expanded = scoreComparison([group('judge', 'a', null, a), group('judge', 'b', null, b)], 10, 0.05);
    const tallied = scoreComparison(
      [
        { name: 'judge', side: 'a', label: null, count: 4, values: [0.5, 0.2], counts: [1, 3] },
        { name: 'judge', side: 'a', label: 'fine', count: 2, values: [0.9, 0.5], counts: [1, 1] },
        { name: 'judge', side: 'b', label: null, count: 6, values: [1, 0.9, 0.5, 0.9], counts: [1, 2, 2, 1] },
      ],
      10,
      0.05,
    );
    expect(tallied[0]!.values).toEqual(expanded[0]!.values);
    expect(tallied[0]!.a!.mean).toBeCloseTo(expanded[0]!.a!.mean!, 12);
    expect(tallied[0]!.b!.mean).toBeCloseTo(expanded[0]!.b!.mean!, 12);
    expect(tallied[0]!.a!.count).toBe(6);
  });
});
