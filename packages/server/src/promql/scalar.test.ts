import { describe, expect, it } from 'vitest';
import { scalarOf } from './scalar.js';

describe('scalarOf', () => {
  it("evaluates arithmetic of numbers with PromQL's precedence", () => {
    expect(scalarOf('1+1')).toBe(2);
    expect(scalarOf(' 2 * (3 - 1) ^ 2 ')).toBe(8);
    expect(scalarOf('2 ^ 3 ^ 2')).toBe(512);
    expect(scalarOf('-2^2')).toBe(-4);
    expect(scalarOf('2^-1')).toBe(0.5);
    expect(scalarOf('7 % 4 - 10 / 4')).toBe(0.5);
    expect(scalarOf('0x1f + .5 + 1e2')).toBe(131.5);
    expect(scalarOf('1/0')).toBe(Number.POSITIVE_INFINITY);
    expect(scalarOf('-Inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(scalarOf('NaN')).toBeNaN();
  });

  it('gives null for anything that is not numbers alone, leaving it to the alert language', () => {
    for (const text of ['', '   ', 'count(spans)[5m]', 'info', '1 1', '(1', '1)', '1 +', '* 2', 'nanos', '1e', 'count(spans)[5m] > 1']) {
      expect(scalarOf(text), text).toBeNull();
    }
  });
});
