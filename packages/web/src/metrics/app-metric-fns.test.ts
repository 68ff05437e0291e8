import { describe, expect, it } from 'vitest';
import { fnFor, fnLabel, fnsFor } from './app-metric-fns';

describe('fnsFor', () => {
  it.each([
    ['gauge', ['last', 'avg', 'min', 'max', 'sum']],
    ['sum', ['rate', 'increase', 'last', 'avg', 'min', 'max', 'sum']],
    ['histogram', ['p50', 'p90', 'p95', 'p99', 'avg', 'rate', 'increase']],
    ['summary', ['p50', 'p90', 'p95', 'p99', 'avg', 'rate', 'increase']],
  ] as const)('offers a %s %j', (type, fns) => {
    expect(fnsFor(type)).toEqual(fns);
  });
});

describe('fnFor', () => {
  it.each([
    ['gauge', null, 'last'],
    ['gauge', 'max', 'max'],
    ['gauge', 'rate', 'last'],
    ['sum', null, 'rate'],
    ['sum', 'p95', 'rate'],
    ['histogram', null, 'p95'],
    ['exponential_histogram', 'p99', 'p99'],
    ['summary', 'last', 'p95'],
  ] as const)('gives a %s asked for %s %s', (type, asked, fn) => {
    expect(fnFor(type, asked)).toBe(fn);
  });
});

describe('fnLabel', () => {
  it.each([
    ['rate', 'sum', 'rate (per second)'],
    ['rate', 'histogram', 'observations per second'],
    ['avg', 'summary', 'mean observation'],
    ['avg', 'gauge', 'average'],
    ['p50', 'histogram', 'p50 (median)'],
  ] as const)('calls %s of a %s "%s"', (fn, type, label) => {
    expect(fnLabel(fn, type)).toBe(label);
  });
});
