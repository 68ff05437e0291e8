import { describe, expect, it } from 'vitest';
import { cohenKappa, krippendorffAlpha } from './agreement.js';

/**
 * Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), section C: four observers,
 * twelve units, values 1 to 5, missing values (`null`); the paper gives α = 0.743 (nominal) and
 * α = 0.849 (interval). Unit 12 has one value: not pairable.
 */
const OBSERVERS: (number | null)[][] = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
  [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
];
const UNITS = OBSERVERS[0]!.map((_, u) => OBSERVERS.map((o) => o[u]!).filter((v) => v !== null));

/** Krippendorff (2011), section A: two observers, ten units, binary data; the paper gives α = 0.095. */
const BINARY_A = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
const BINARY_B = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];

describe("Krippendorff's alpha", () => {
  it.each([
    { example: 'four observers, missing values, nominal', units: UNITS, level: 'nominal' as const, alpha: 0.743 },
    { example: 'four observers, missing values, interval', units: UNITS, level: 'interval' as const, alpha: 0.849 },
    { example: 'two observers, binary, nominal', units: BINARY_A.map((a, i) => [a, BINARY_B[i]!]), level: 'nominal' as const, alpha: 0.095 },
  ])('gives the paper’s value for $example', ({ units, level, alpha }) => {
    expect(krippendorffAlpha(units, level)).toBeCloseTo(alpha, 3);
  });

  it('is 1 for perfect agreement and null when no value varies or nothing is pairable', () => {
    expect(krippendorffAlpha([['a', 'a'], ['b', 'b', 'b'], ['a']], 'nominal')).toBe(1);
    expect(
      krippendorffAlpha(
        [
          [2, 2],
          [2, 2],
        ],
        'interval',
      ),
    ).toBeNull();
    expect(krippendorffAlpha([[1], [2]], 'interval')).toBeNull();
  });

  it('weighs a near miss less than a far one on an interval scale', () => {
    const near = [
      [1, 2],
      [3, 3],
      [5, 5],
      [1, 1],
    ];
    const far = [
      [1, 5],
      [3, 3],
      [5, 5],
      [1, 1],
    ];
    expect(krippendorffAlpha(near, 'interval')!).toBeGreaterThan(krippendorffAlpha(far, 'interval')!);
  });
});

describe("Cohen's kappa", () => {
  it('gives 0.4 for the grant example: 20 yes/yes, 15 no/no, 5 yes/no, 10 no/yes (p_o = 0.7, p_e = 0.5)', () => {
    const pairs: [string, string][] = [
      ...Array.from({ length: 20 }, () => ['yes', 'yes'] as [string, string]),
      ...Array.from({ length: 15 }, () => ['no', 'no'] as [string, string]),
      ...Array.from({ length: 5 }, () => ['yes', 'no'] as [string, string]),
      ...Array.from({ length: 10 }, () => ['no', 'yes'] as [string, string]),
    ];
    expect(cohenKappa(pairs)).toBeCloseTo(0.4, 10);
  });

  it('gives (0.6 − 0.56) / 0.44 for the binary example of Krippendorff (2011), and null with one category throughout', () => {
    expect(cohenKappa(BINARY_A.map((a, i) => [a, BINARY_B[i]!]))).toBeCloseTo(0.04 / 0.44, 10);
    expect(
      cohenKappa([
        ['x', 'x'],
        ['x', 'x'],
      ]),
    ).toBeNull();
    expect(cohenKappa([])).toBeNull();
  });
});
