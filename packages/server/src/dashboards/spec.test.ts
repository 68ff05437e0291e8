import { describe, expect, it } from 'vitest';
import { READY_DASHBOARDS } from './ready.js';
import { parseExpr } from '../alerting/expr/parser.js';
import { pickedValue } from '@spoor/model';
import { checkDocument, checkPreview, filledExpression } from './spec.js';

const panel = (expr: string, extra: Record<string, unknown> = {}) => ({
  id: 'p',
  title: 'P',
  kind: 'timeseries',
  grid: { x: 0, y: 0, w: 6, h: 4 },
  queries: [{ expr }],
  ...extra,
});
const doc = (panels: unknown[], more: Record<string, unknown> = {}) => ({
  name: 'costs',
  title: 'Costs',
  variables: [{ name: 'service', label: 'service' }],
  panels,
  ...more,
});

describe('checkDocument', () => {
  it('takes each ready dashboard as it is', () => {
    for (const ready of READY_DASHBOARDS.values()) expect(checkDocument(ready, ready.name)).toEqual(ready);
  });

  it('refuses what is wrong, naming its path', () => {
    const refused = (body: unknown, name = 'costs') => {
      try {
        checkDocument(body, name);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused(doc([panel('cost(spans)[1h')]))).toMatch(/^panels\[0\]\.queries\[0\]\.expr: .*\(column \d+\)$/);
    expect(refused(doc([panel('cost(spans{model=~"$model"})[1h]')]))).toBe('panels[0].queries[0].expr: $model is not a variable of the dashboard');
    expect(refused(doc([panel('cost(spans)[1h]', { grid: { x: 8, y: 0, w: 6, h: 4 } })]))).toMatch(/^panels\[0\]\.grid: x \+ w is 14/);
    expect(refused(doc([panel('cost(spans)[1h]', { kind: 'pie' })]))).toMatch(/^panels\[0\]\.kind: one of timeseries/);
    expect(refused(doc([panel('cost(spans)[1h]'), panel('count(spans)[1h]')]))).toBe('panels[1].id: p is given twice');
    expect(refused(doc([], { colour: 'red' }))).toMatch(/^colour: not a field/);
    expect(refused(doc([]), 'Costs!')).toMatch(/^name: /);
    expect(refused({ ...doc([]), name: 'other' })).toMatch(/^name: other is not the name in the path/);
    expect(refused(doc([], { variables: [{ name: '__interval', label: 'service' }] }))).toMatch(/^variables\[0\]\.name: /);
  });

  it('fills variables and the interval, and a variable the dashboard lacks is refused', () => {
    expect(filledExpression('cost(spans{service=~"$service"})[$__interval]', { service: 'rag' }, '5m', 'x')).toBe('cost(spans{service=~"rag"})[5m]');
    expect(filledExpression('count(spans{service=~"${service}"})[1h]', { service: '.*' }, '1m', 'x')).toBe('count(spans{service=~".*"})[1h]');
    expect(() => filledExpression('count(spans{model="$model"})[1h]', {}, '1m', 'q')).toThrow('q: $model is not a variable of the dashboard');
  });

  it('puts a picked value in a matcher as itself: regex characters and quotes escaped, All as .*', () => {
    for (const picked of ['a.b', 'gpt-4o (mini)', 'say "hi" \\ $5?', '[x]+*^|']) {
      const expr = parseExpr(filledExpression('count(spans{model=~"$model"})[1h]', { model: pickedValue(picked) }, '1m', 'x'));
      if (expr.kind !== 'aggregate') throw new Error(expr.kind);
      const pattern = new RegExp(`^(?:${expr.matchers[0]!.value})$`);
      expect(pattern.test(picked), picked).toBe(true);
      expect(pattern.test(`${picked}x`), picked).toBe(false);
    }
    expect(pickedValue('')).toBe('.*');
  });

  it('checks a preview request, naming the bad field', () => {
    const ok = { queries: [{ expr: 'count(spans)[1h]' }], start: 0, end: 3600, step: 60 };
    expect(checkPreview(ok)).toEqual({ queries: ok.queries, variables: {}, startS: 0, endS: 3600, stepS: 60 });
    const refused = (body: unknown) => {
      try {
        checkPreview(body);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refused({ ...ok, queries: [] })).toMatch(/^queries: /);
    expect(refused({ ...ok, end: -1 })).toMatch(/^end: /);
    expect(refused({ ...ok, start: 7200 })).toBe('end: not before start');
    expect(refused({ ...ok, variables: { service: 3 } })).toMatch(/^variables\.service: /);
    expect(refused({ ...ok, queries: [{ expr: 'x', colour: 1 }] })).toMatch(/^queries\[0\]\.colour: not a field/);
  });
});
