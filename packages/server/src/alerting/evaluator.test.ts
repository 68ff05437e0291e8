import type { AlertSeverity } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { type AlertInstance, type EvalRule, type Sample, evaluateRule, labelsKey } from './evaluator.js';

const S = 1_000_000;

function rule(overrides: Partial<EvalRule> = {}): EvalRule {
  return { name: 'r', levels: [{ severity: 'warning', op: '>', threshold: 10 }], forUs: 0, keepFiringForUs: 0, noData: 'ok', ...overrides };
}

/** What one label set looks like after a step: its state and severity, or gone. */
type Seen = `${'pending' | 'firing' | 'resolved'}/${AlertSeverity}` | 'none';

/**
 * A run of evaluations on a fake clock: at second `t` the expression gives `values` (a number,
 * `null` for no data, or `undefined` when the label set is absent), and the label sets must then
 * be in `expected`; `moves` lists the transitions of the step as `set:state`.
 */
type Step = { t: number; values: Record<string, number | null | undefined>; expected: Record<string, Seen>; moves?: string[] };

function run(r: EvalRule, steps: Step[]): void {
  let states = new Map<string, AlertInstance>();
  for (const { t, values, expected, moves } of steps) {
    const samples: Sample[] = Object.entries(values)
      .filter(([, v]) => v !== undefined)
      .map(([set, value]) => ({ labels: { set }, value: value! }));
    const out = evaluateRule(r, samples, states, t * S);
    states = out.instances;
    for (const [set, want] of Object.entries(expected)) {
      const got = states.get(labelsKey({ set }));
      expect(got === undefined ? 'none' : `${got.state}/${got.severity}`, `set ${set} at ${t}s`).toBe(want);
    }
    if (moves !== undefined)
      expect(
        out.transitions.map((m) => `${JSON.parse(m.key)[0][1]}:${m.to}`),
        `moves at ${t}s`,
      ).toEqual(moves);
  }
}

describe('evaluateRule on a fake clock', () => {
  it.each<[string, Partial<EvalRule>, Step[]]>([
    [
      'fires at once without `for`',
      {},
      [
        { t: 0, values: { a: 5 }, expected: { a: 'none' }, moves: [] },
        { t: 15, values: { a: 11 }, expected: { a: 'firing/warning' }, moves: ['a:firing'] },
        { t: 30, values: { a: 12 }, expected: { a: 'firing/warning' }, moves: [] },
      ],
    ],
    [
      'waits `for` while pending, then fires',
      { forUs: 60 * S },
      [
        { t: 0, values: { a: 11 }, expected: { a: 'pending/warning' }, moves: ['a:pending'] },
        { t: 45, values: { a: 11 }, expected: { a: 'pending/warning' }, moves: [] },
        { t: 60, values: { a: 11 }, expected: { a: 'firing/warning' }, moves: ['a:firing'] },
      ],
    ],
    [
      'drops a pending alert that clears before `for`, and starts `for` over',
      { forUs: 60 * S },
      [
        { t: 0, values: { a: 11 }, expected: { a: 'pending/warning' } },
        { t: 30, values: { a: 9 }, expected: { a: 'none' }, moves: [] },
        { t: 45, values: { a: 11 }, expected: { a: 'pending/warning' }, moves: ['a:pending'] },
        { t: 90, values: { a: 11 }, expected: { a: 'pending/warning' } },
        { t: 105, values: { a: 11 }, expected: { a: 'firing/warning' } },
      ],
    ],
    [
      'resolves when clear, keeps the resolved alert 15 minutes, then forgets it',
      {},
      [
        { t: 0, values: { a: 11 }, expected: { a: 'firing/warning' } },
        { t: 15, values: { a: 3 }, expected: { a: 'resolved/warning' }, moves: ['a:resolved'] },
        { t: 15 + 899, values: { a: 3 }, expected: { a: 'resolved/warning' }, moves: [] },
        { t: 15 + 900, values: { a: 3 }, expected: { a: 'none' }, moves: [] },
      ],
    ],
    [
      'keeps firing for `keepFiringFor` after the last breach',
      { keepFiringForUs: 120 * S },
      [
        { t: 0, values: { a: 11 }, expected: { a: 'firing/warning' } },
        { t: 15, values: { a: 0 }, expected: { a: 'firing/warning' }, moves: [] },
        { t: 119, values: { a: 0 }, expected: { a: 'firing/warning' } },
        { t: 120, values: { a: 0 }, expected: { a: 'resolved/warning' }, moves: ['a:resolved'] },
      ],
    ],
    [
      'a breach within `keepFiringFor` restarts it',
      { keepFiringForUs: 60 * S },
      [
        { t: 0, values: { a: 11 }, expected: { a: 'firing/warning' } },
        { t: 50, values: { a: 0 }, expected: { a: 'firing/warning' } },
        { t: 55, values: { a: 11 }, expected: { a: 'firing/warning' } },
        { t: 100, values: { a: 0 }, expected: { a: 'firing/warning' } },
        { t: 115, values: { a: 0 }, expected: { a: 'resolved/warning' } },
      ],
    ],
    [
      'a resolved alert breached again goes through pending again',
      { forUs: 30 * S },
      [
        { t: 0, values: { a: 11 }, expected: { a: 'pending/warning' } },
        { t: 30, values: { a: 11 }, expected: { a: 'firing/warning' } },
        { t: 45, values: { a: 1 }, expected: { a: 'resolved/warning' } },
        { t: 60, values: { a: 11 }, expected: { a: 'pending/warning' }, moves: ['a:pending'] },
        { t: 90, values: { a: 11 }, expected: { a: 'firing/warning' }, moves: ['a:firing'] },
      ],
    ],
    [
      'follows the most severe threshold crossed while firing',
      {
        levels: [
          { severity: 'critical', op: '>', threshold: 100 },
          { severity: 'warning', op: '>', threshold: 10 },
        ],
      },
      [
        { t: 0, values: { a: 50 }, expected: { a: 'firing/warning' } },
        { t: 15, values: { a: 150 }, expected: { a: 'firing/critical' }, moves: [] },
        { t: 30, values: { a: 50 }, expected: { a: 'firing/warning' } },
        { t: 45, values: { a: 5 }, expected: { a: 'resolved/warning' } },
      ],
    ],
    [
      'compares below a threshold',
      { levels: [{ severity: 'critical', op: '<', threshold: 0.9 }] },
      [
        { t: 0, values: { a: 0.95 }, expected: { a: 'none' } },
        { t: 15, values: { a: 0.5 }, expected: { a: 'firing/critical' } },
      ],
    ],
    [
      'treats no data as clear with noData ok',
      { noData: 'ok' },
      [
        { t: 0, values: { a: 11 }, expected: { a: 'firing/warning' } },
        { t: 15, values: { a: null }, expected: { a: 'resolved/warning' } },
      ],
    ],
    [
      'treats an absent label set as no data',
      { noData: 'ok' },
      [
        { t: 0, values: { a: 11, b: 11 }, expected: { a: 'firing/warning', b: 'firing/warning' } },
        { t: 15, values: { a: 11 }, expected: { a: 'firing/warning', b: 'resolved/warning' }, moves: ['b:resolved'] },
      ],
    ],
    [
      'treats no data as breached at the top severity with noData alerting',
      {
        noData: 'alerting',
        forUs: 30 * S,
        levels: [
          { severity: 'critical', op: '>', threshold: 100 },
          { severity: 'warning', op: '>', threshold: 10 },
        ],
      },
      [
        { t: 0, values: { a: null }, expected: { a: 'pending/critical' } },
        { t: 30, values: { a: null }, expected: { a: 'firing/critical' } },
        { t: 45, values: { a: 1 }, expected: { a: 'resolved/critical' } },
      ],
    ],
    [
      'keeps the last state through no data with noData keep',
      { noData: 'keep', forUs: 30 * S },
      [
        { t: 0, values: { a: 11 }, expected: { a: 'pending/warning' } },
        { t: 15, values: { a: null }, expected: { a: 'pending/warning' }, moves: [] },
        { t: 30, values: { a: 11 }, expected: { a: 'firing/warning' } },
        { t: 45, values: {}, expected: { a: 'firing/warning' } },
        { t: 60, values: { b: null }, expected: { a: 'firing/warning', b: 'none' } },
      ],
    ],
    [
      'fires an info alert on no data with noData nodata',
      { noData: 'nodata' },
      [
        { t: 0, values: { a: 11 }, expected: { a: 'firing/warning' } },
        { t: 15, values: { a: null }, expected: { a: 'firing/info' }, moves: [] },
        { t: 30, values: { a: 2 }, expected: { a: 'resolved/info' } },
      ],
    ],
    [
      'counts NaN as no data',
      { noData: 'ok' },
      [
        { t: 0, values: { a: 11 }, expected: { a: 'firing/warning' } },
        { t: 15, values: { a: Number.NaN }, expected: { a: 'resolved/warning' } },
      ],
    ],
    [
      'keeps label sets apart',
      { forUs: 15 * S },
      [
        { t: 0, values: { a: 11, b: 1 }, expected: { a: 'pending/warning', b: 'none' } },
        { t: 15, values: { a: 11, b: 11 }, expected: { a: 'firing/warning', b: 'pending/warning' }, moves: ['a:firing', 'b:pending'] },
        { t: 30, values: { a: 1, b: 11 }, expected: { a: 'resolved/warning', b: 'firing/warning' }, moves: ['a:resolved', 'b:firing'] },
      ],
    ],
  ])('%s', (_name, overrides, steps) => run(rule(overrides), steps));

  it('keeps when it started pending and firing, and the value and threshold of the last evaluation', () => {
    const r = rule({ forUs: 30 * S });
    let states = evaluateRule(r, [{ labels: { set: 'a' }, value: 11 }], new Map(), 0).instances;
    states = evaluateRule(r, [{ labels: { set: 'a' }, value: 12 }], states, 30 * S).instances;
    states = evaluateRule(r, [{ labels: { set: 'a' }, value: 13 }], states, 45 * S).instances;
    expect([...states.values()][0]).toEqual({
      labels: { set: 'a' },
      state: 'firing',
      severity: 'warning',
      value: 13,
      threshold: 10,
      activeSinceUs: 0,
      firingSinceUs: 30 * S,
      resolvedAtUs: null,
      lastBreachedUs: 45 * S,
      lastEvaluatedUs: 45 * S,
      noData: false,
    });
  });

  it('gives equal keys to equal label sets written in any order', () => {
    expect(labelsKey({ a: '1', b: '2' })).toBe(labelsKey({ b: '2', a: '1' }));
    expect(labelsKey({ a: '1' })).not.toBe(labelsKey({ a: '1', b: '' }));
  });
});
