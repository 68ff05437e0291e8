import { describe, expect, it } from 'vitest';
import { formatBytes, formatCostPerHour, formatPerMinute, formatSignificant, formatTokensPerMinute } from './value-format';

describe('formatSignificant', () => {
  it.each([
    [0, '0'],
    [1 / 30, '0.0333'],
    [12.345, '12.3'],
    [1.5, '1.5'],
    [950, '950'],
    [12_345, '12.3k'],
    [-0.25, '-0.25'],
    [NaN, '–'],
  ])('writes %s as %s', (value, text) => {
    expect(formatSignificant(value)).toBe(text);
  });
});

describe('rates', () => {
  it.each([
    [formatPerMinute, 2, '2/min'],
    [formatTokensPerMinute, 1530, '1.53k tokens/min'],
    [formatCostPerHour, 0.0123, '$0.012/h'],
  ])('%o writes %s as %s', (format, value, text) => {
    expect(format(value)).toBe(text);
  });
});

describe('formatBytes', () => {
  it.each([
    [512, '512 B'],
    [1500, '1.5 kB'],
    [2_250_000, '2.25 MB'],
    [3e9, '3 GB'],
  ])('writes %s as %s', (value, text) => {
    expect(formatBytes(value)).toBe(text);
  });
});
