import { describe, expect, it } from 'vitest';
import { formatTickCost, formatTickDuration, formatTickNumber, formatTickPercent } from './axis-format';

describe('formatTickNumber', () => {
  it.each([
    [0, 500, '0'],
    [500, 500, '500'],
    [1500, 500, '1.5k'],
    [2000, 1000, '2k'],
    [12_000_000, 2_000_000, '12M'],
    [0.25, 0.05, '0.25'],
    [0.3, 0.1, '0.3'],
    [-4, 2, '-4'],
    [3e9, 1e9, '3B'],
  ])('writes %s (step %s) as %s', (value, step, text) => {
    expect(formatTickNumber(value, step)).toBe(text);
  });
});

describe('formatTickPercent', () => {
  it.each([
    [0, 0.05, '0%'],
    [0.05, 0.05, '5%'],
    [0.025, 0.005, '2.5%'],
    [1, 0.2, '100%'],
    [0.0002, 0.0001, '0.02%'],
  ])('writes %s (step %s) as %s', (ratio, step, text) => {
    expect(formatTickPercent(ratio, step)).toBe(text);
  });
});

describe('formatTickDuration', () => {
  it.each([
    [0, 200, '0'],
    [200, 200, '200 ms'],
    [1000, 500, '1 s'],
    [1500, 500, '1.5 s'],
    [12.5, 2.5, '12.5 ms'],
    [0.5, 0.1, '500 µs'],
    [120_000, 60_000, '2 min'],
    [100_000, 50_000, '100 s'],
    [200_000, 100_000, '200 s'],
    [2_000, 2, '2000 ms'],
  ])('writes %s ms (step %s) as %s', (ms, step, text) => {
    expect(formatTickDuration(ms, step)).toBe(text);
  });
});

describe('formatTickCost', () => {
  it.each([
    [0, 0.005, '$0'],
    [0.005, 0.005, '$0.005'],
    [1.5, 0.5, '$1.5'],
    [2000, 1000, '$2k'],
  ])('writes %s (step %s) as %s', (usd, step, text) => {
    expect(formatTickCost(usd, step)).toBe(text);
  });
});
