import { describe, expect, it } from 'vitest';
import { ALL, readWindow, refreshMsOf, stepSecondsFor, variableChange, variableValues } from './url-state';

const service = { name: 'service', label: 'service', default: '' };
const env = { name: 'env', label: 'deployment.environment', default: 'prod' };

describe("a dashboard's URL state", () => {
  it('reads each variable, its default when the URL names none, and All as empty', () => {
    expect(variableValues([service, env], new URLSearchParams(''))).toEqual({ service: '', env: 'prod' });
    expect(variableValues([service, env], new URLSearchParams('var-service=checkout&var-env=%24__all'))).toEqual({ service: 'checkout', env: '' });
  });

  it('writes a pick only when it differs from the default, All as $__all', () => {
    expect(variableChange(service, 'checkout')).toEqual({ 'var-service': 'checkout' });
    expect(variableChange(service, '')).toEqual({ 'var-service': null });
    expect(variableChange(env, '')).toEqual({ 'var-env': ALL });
    expect(variableChange(env, 'prod')).toEqual({ 'var-env': null });
  });

  it('round-trips a pick through the URL', () => {
    for (const value of ['', 'prod', 'staging', 'a b&c']) {
      const search = new URLSearchParams();
      for (const [k, v] of Object.entries(variableChange(env, value))) if (v !== null) search.set(k, v);
      expect(variableValues([env], new URLSearchParams(search.toString()))).toEqual({ env: value });
    }
  });

  it('reads the refresh period', () => {
    expect(refreshMsOf(new URLSearchParams('refresh=30s'))).toBe(30_000);
    expect(refreshMsOf(new URLSearchParams('refresh=off'))).toBeNull();
    expect(refreshMsOf(new URLSearchParams('refresh=7s'))).toBeNull();
  });

  it.each([
    [3_600_000, 60],
    [6 * 3_600_000, 300],
    [86_400_000, 900],
    [7 * 86_400_000, 7200],
    [30 * 86_400_000, 43_200],
    [900_000, 15],
  ])('steps a range of %i ms by %i s (at most 100 points)', (rangeMs, step) => expect(stepSecondsFor(rangeMs)).toBe(step));

  it('reads a moving range up to now and a fixed one as given', () => {
    const now = Date.parse('2026-11-28T09:00:00Z');
    expect(readWindow('2026-11-28T08:00:00.000Z', null, now)).toEqual({ startS: now / 1000 - 3600, endS: now / 1000, stepS: 60 });
    expect(readWindow('2026-11-27T09:00:00Z', '2026-11-28T09:00:00Z', 0)).toEqual({ startS: now / 1000 - 86_400, endS: now / 1000, stepS: 900 });
  });
});
