import { describe, expect, it } from 'vitest';
import { type PickedTrace, toggleTrace, tracesComparePath } from './trace-picks';

const t = (traceId: string, second: number): PickedTrace => ({ traceId, startTime: `2026-11-27T10:00:${String(second).padStart(2, '0')}.000Z` });

describe('picking two traces to compare', () => {
  it('keeps at most two picks, dropping the earlier pick for a third, and unpicks a picked one', () => {
    const [x, y, z] = [t('x', 1), t('y', 2), t('z', 3)];
    expect(toggleTrace([], x)).toEqual([x]);
    expect(toggleTrace([x], y)).toEqual([x, y]);
    expect(toggleTrace([x, y], z)).toEqual([y, z]);
    expect(toggleTrace([x, y], x)).toEqual([y]);
  });

  it.each([
    [[], null],
    [[t('x', 1)], null],
    [[t('x', 1), t('y', 2)], '/compare?a=x&b=y'],
    [[t('y', 2), t('x', 1)], '/compare?a=x&b=y'],
    [[t('x', 1), t('y', 1)], '/compare?a=x&b=y'],
  ])('compares %j as %s: the run that started first is A', (picked, want) => {
    expect(tracesComparePath(picked)).toBe(want);
  });
});
