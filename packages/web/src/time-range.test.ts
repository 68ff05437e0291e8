import { describe, expect, it } from 'vitest';
import { resolveRange } from './time-range';

const now = Date.parse('2026-11-22T12:00:00.000Z');

describe('resolveRange', () => {
  it('turns a preset into a range ending now', () => {
    expect(resolveRange(new URLSearchParams('range=1h'), now, null)).toEqual({ from: '2026-11-22T11:00:00.000Z', to: null, preset: '1h' });
  });

  it('uses the fallback preset when the URL names none', () => {
    expect(resolveRange(new URLSearchParams(''), now, '24h').from).toBe('2026-11-21T12:00:00.000Z');
    expect(resolveRange(new URLSearchParams(''), now, null)).toEqual({ from: null, to: null, preset: null });
  });

  it('keeps fixed bounds from ISO or epoch milliseconds, and they beat the preset', () => {
    const range = resolveRange(new URLSearchParams(`range=1h&from=2026-11-22T10:00:00Z&to=${Date.parse('2026-11-22T10:30:00Z')}`), now, '24h');
    expect(range).toEqual({ from: '2026-11-22T10:00:00.000Z', to: '2026-11-22T10:30:00.000Z', preset: null });
  });

  it('drops a bound it cannot read rather than sending it on', () => {
    expect(resolveRange(new URLSearchParams('from=yesterday'), now, null).from).toBeNull();
  });
});
