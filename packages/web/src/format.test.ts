import { describe, expect, it } from 'vitest';
import { formatAgo, formatChange, formatCost, formatCostOf, formatCount, formatCountOf, formatDuration, formatListTime, formatPercent } from './format';

describe('formatDuration', () => {
  it.each([
    [null, '–'],
    [0, '0 ms'],
    [0.25, '250 µs'],
    [4.567, '4.57 ms'],
    [45.66, '45.7 ms'],
    [450.4, '450 ms'],
    [1250, '1.25 s'],
    [42_100, '42.1 s'],
    [125_000, '2m 05s'],
    [3_720_000, '1h 02m'],
  ])('shows %s ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('formatCost', () => {
  it.each([
    [null, '–'],
    [Number.NaN, '–'],
    [0, '$0'],
    // Below a cent of a cent: nothing a reader can act on, and no run of zeros to count.
    [0.00000125, '<$0.0001'],
    [0.0000999, '<$0.0001'],
    // Below a dollar: two significant digits, at least cents, no trailing zero past them.
    [0.0001, '$0.0001'],
    [0.000125, '$0.00013'],
    [0.00123456, '$0.0012'],
    [0.0123, '$0.012'],
    [0.012, '$0.012'],
    [0.1, '$0.10'],
    [0.5, '$0.50'],
    [0.123, '$0.12'],
    [0.996, '$1.00'],
    // From a dollar: cents.
    [1, '$1.00'],
    [1.234, '$1.23'],
    [250.4, '$250.40'],
    [12_345.678, '$12,345.68'],
    [-0.0123, '-$0.012'],
    [-2.5, '-$2.50'],
  ])('shows %s dollars as %s', (usd, text) => expect(formatCost(usd)).toBe(text));

  it.each([
    [0.5, 0, '$0.50'],
    [0.5, 1, '≥ $0.50 · 1 call unpriced'],
    [0.0123, 3, '≥ $0.012 · 3 calls unpriced'],
    [null, 2, '2 calls unpriced'],
    [null, 0, '–'],
  ])('shows %s dollars with %s calls unpriced as %s', (usd, unpriced, text) => expect(formatCostOf(usd, unpriced)).toBe(text));
});

describe('formatCount and formatPercent', () => {
  it.each([
    [999, '999'],
    [1234, '1.23k'],
    [45_600, '45.6k'],
    [2_500_000, '2.50M'],
  ])('shows %s as %s', (n, text) => expect(formatCount(n)).toBe(text));

  it.each([
    [0, '0%'],
    [0.0123, '1.23%'],
    [0.125, '12.5%'],
    [1, '100%'],
  ])('shows the ratio %s as %s', (ratio, text) => expect(formatPercent(ratio)).toBe(text));
});

describe('formatAgo', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  it.each([
    ['2026-11-22T11:59:50Z', 'just now'],
    ['2026-11-22T11:55:00Z', '5 min ago'],
    ['2026-11-22T09:00:00Z', '3 h ago'],
    ['2026-11-20T12:00:00Z', '2 d ago'],
  ])('shows %s as %s', (iso, text) => expect(formatAgo(iso, now)).toBe(text));
});

describe('formatChange', () => {
  it('signs a change and writes its size as asked', () => {
    expect(formatChange(12, (v) => `${v} ms`)).toBe('+12 ms');
    expect(formatChange(-0.5, (v) => `$${v}`)).toBe('−$0.5');
    expect(formatChange(0, String)).toBe('±0');
    expect(formatChange(null, String)).toBe('–');
  });
});

describe('formatListTime', () => {
  // Local times, as the list shows them.
  const now = new Date(2026, 10, 27, 21, 58, 0).getTime();
  it.each([
    [new Date(2026, 10, 27, 21, 56, 11), '21:56:11'],
    [new Date(2026, 10, 26, 9, 5, 2), 'Nov 26 09:05'],
    [new Date(2025, 11, 31, 23, 59, 59), '2025-12-31'],
  ])('shows %s as %s beside a now of 2026-11-27 21:58', (date, text) => expect(formatListTime(date.toISOString(), now)).toBe(text));
  it('shows an unknown time as a dash', () => expect(formatListTime(null, now)).toBe('–'));
});

describe('formatCountOf', () => {
  it.each([
    [1, 'LLM call', undefined, '1 LLM call'],
    [0, 'LLM call', undefined, '0 LLM calls'],
    [3, 'LLM call', undefined, '3 LLM calls'],
    [1204, 'span', undefined, '1,204 spans'],
    [1, 'new kind of error', 'new kinds of error', '1 new kind of error'],
    [2, 'new kind of error', 'new kinds of error', '2 new kinds of error'],
  ])('%d %s', (n, one, many, text) => {
    expect(formatCountOf(n, one, many)).toBe(text);
  });
});
