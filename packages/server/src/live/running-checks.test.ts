import { describe, expect, it } from 'vitest';
import { RunningChecks } from './running-checks.js';

const STALE_MS = 1000;

describe('RunningChecks', () => {
  it('checks a newly watched trace at once, then when a check says it would be abandoned', () => {
    const checks = new RunningChecks(STALE_MS);
    checks.soon('p', 't1');
    expect(checks.next()).toBe(0);
    expect(checks.due(5)).toEqual(new Map([['p', ['t1']]]));
    checks.heardAt('p', 't1', 100);
    expect(checks.next()).toBe(1100);
    expect(checks.due(1099)).toEqual(new Map());
    expect(checks.due(1100)).toEqual(new Map([['p', ['t1']]]));
  });

  it('moves a check later with news of its trace, never sooner, and keeps a check due at once', () => {
    const checks = new RunningChecks(STALE_MS);
    checks.heardAt('p', 't1', 500);
    checks.heardBy('p', 't1', 700, false);
    expect(checks.next()).toBe(1700);
    // A check found it heard from later than the news said (an ended span with a later end).
    checks.heardBy('p', 't1', 200, true);
    expect(checks.next()).toBe(1700);
    checks.soon('p', 't1');
    checks.heardBy('p', 't1', 900, true);
    expect(checks.next()).toBe(0);
  });

  it('follows a trace it did not follow only when what came of it runs', () => {
    const checks = new RunningChecks(STALE_MS);
    checks.heardBy('p', 'ended', 100, false);
    checks.heardBy('p', 'running', 100, true);
    expect([checks.has('p', 'ended'), checks.has('p', 'running')]).toEqual([false, true]);
    expect(checks.next()).toBe(1100);
  });

  it('groups the traces due by project, forgets one, postpones others, and clears', () => {
    const checks = new RunningChecks(STALE_MS);
    checks.soon('a', 't1');
    checks.soon('b', 't2');
    checks.soon('a', 't3');
    checks.heardAt('a', 't4', 10_000);
    expect(checks.due(0)).toEqual(
      new Map([
        ['a', ['t1', 't3']],
        ['b', ['t2']],
      ]),
    );
    checks.forget('a', 't1');
    checks.postpone('a', ['t3'], 5000);
    checks.postpone('b', ['t2'], 6000);
    expect(checks.due(5000)).toEqual(new Map([['a', ['t3']]]));
    expect(checks.next()).toBe(5000);
    checks.clear();
    expect(checks.next()).toBe(Infinity);
  });
});
