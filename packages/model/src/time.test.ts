import { describe, expect, it } from 'vitest';
import { isoFromMicros, microsFromIso } from './time.js';

describe('isoFromMicros', () => {
  it.each([
    [0, '1970-01-01T00:00:00.000000Z'],
    [1_763_719_200_123_456, '2025-11-21T10:00:00.123456Z'],
    [1_763_719_200_000_001, '2025-11-21T10:00:00.000001Z'],
  ])('formats %d as %s', (us, iso) => {
    expect(isoFromMicros(us)).toBe(iso);
  });
});

describe('microsFromIso', () => {
  it.each([
    ['2025-11-21T10:00:00.123456Z', 1_763_719_200_123_456],
    ['2025-11-21T10:00:00Z', 1_763_719_200_000_000],
    ['2025-11-21T10:00:00.5Z', 1_763_719_200_500_000],
    ['2025-11-21T12:00:00.000001+02:00', 1_763_719_200_000_001],
  ])('parses %s', (iso, us) => {
    expect(microsFromIso(iso)).toBe(us);
  });

  it('returns null for text that is not a time', () => {
    expect(microsFromIso('yesterday')).toBeNull();
  });

  it('round-trips through isoFromMicros', () => {
    const us = 1_763_719_200_987_654;
    expect(microsFromIso(isoFromMicros(us))).toBe(us);
  });
});
