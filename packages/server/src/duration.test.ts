import { describe, expect, it } from 'vitest';
import { parseDurationUs } from './duration.js';

describe('parseDurationUs', () => {
  it.each([
    ['500ms', 500_000],
    ['30s', 30_000_000],
    ['5m', 300_000_000],
    ['1.5h', 5_400_000_000],
    ['1d', 86_400_000_000],
    ['1w', 604_800_000_000],
    [' 2m ', 120_000_000],
  ])('reads %s', (text, us) => {
    expect(parseDurationUs(text)).toBe(us);
  });

  it('reads a bare number as milliseconds only when asked to', () => {
    expect(parseDurationUs('250', { bareMs: true })).toBe(250_000);
    expect(parseDurationUs('250')).toBeNull();
  });

  it.each(['', 'm', '5 m', '-5m', '5mins', '1e3s', '5M', '0x10s'])('refuses %j', (text) => {
    expect(parseDurationUs(text)).toBeNull();
  });
});
