import { afterEach, describe, expect, it, vi } from 'vitest';
import { isoTimestamp } from './clock.js';

afterEach(() => vi.useRealTimers());

describe('isoTimestamp()', () => {
  it.each([
    '2026-11-21T10:15:30.000Z',
    '2026-11-21T10:15:30.007Z',
    '2026-11-21T10:15:30.042Z',
    '2026-11-21T10:15:30.999Z',
    '2026-11-21T10:15:31.001Z',
    '2026-12-31T23:59:59.999Z',
    '2027-01-01T00:00:00.000Z',
  ])('formats %s exactly as toISOString does', (iso) => {
    vi.useFakeTimers({ now: new Date(iso) });
    expect(isoTimestamp()).toBe(`,"time":"${iso}"`);
  });
});
