import { describe, expect, it } from 'vitest';
import { BUILT_IN_DEFAULTS, RuleError, compileRule } from './rule.js';

const S = 1_000_000;
const RECEIVERS = new Set(['log', 'oncall', 'slack']);
const compile = (spec: Record<string, unknown>) => compileRule(spec, BUILT_IN_DEFAULTS, RECEIVERS);

describe('compileRule', () => {
  it('compiles a rule with its own comparison, filling in the defaults', () => {
    const rule = compile({ name: 'slow-rag', expr: 'p95(duration_ms{service="rag"})[5m] > 3s', for: '2m' });
    expect(rule).toMatchObject({
      name: 'slow-rag',
      levels: [{ severity: 'warning', op: '>', threshold: 3000 }],
      forUs: 120 * S,
      keepFiringForUs: 0,
      noData: 'ok',
      labels: {},
      annotations: {},
      groupBy: ['alertname'],
      receivers: { info: ['log'], warning: ['log'], critical: ['log'] },
      groupWaitUs: 30 * S,
      groupIntervalUs: 300 * S,
      repeatIntervalUs: 4 * 3600 * S,
    });
    expect(rule.value).toMatchObject({ kind: 'aggregate', fn: 'p95', windowUs: 300 * S });
  });

  it('orders two thresholds critical first, with their comparison', () => {
    const rule = compile({ name: 'cost', expr: 'cost_per_workflow(spans)[1h]', thresholds: { warning: 0.5, critical: 1 } });
    expect(rule.levels).toEqual([
      { severity: 'critical', op: '>', threshold: 1 },
      { severity: 'warning', op: '>', threshold: 0.5 },
    ]);
    const below = compile({ name: 'hits', expr: 'avg(cache.hit_ratio)[15m]', thresholds: { op: '<', critical: 0.2 } });
    expect(below.levels).toEqual([{ severity: 'critical', op: '<', threshold: 0.2 }]);
  });

  it('routes per severity', () => {
    const rule = compile({
      name: 'errors',
      expr: 'error_rate(spans)[5m]',
      thresholds: { warning: 0.02, critical: 0.05 },
      notify: { critical: ['oncall', 'slack'], warning: ['slack'] },
    });
    expect(rule.receivers).toEqual({ info: [], warning: ['slack'], critical: ['oncall', 'slack'] });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a missing name', { expr: 'count(spans)[5m] > 1' }, 'name: is required text'],
    ['a name with spaces', { name: 'high errors', expr: 'count(spans)[5m] > 1' }, 'name: must be'],
    ['an unknown field', { name: 'r', expr: 'count(spans)[5m] > 1', fro: '5m' }, 'fro: is not a rule field'],
    [
      'an expression that does not parse',
      { name: 'r', expr: 'p95(duration_ms{service="rag")[5m] > 1' },
      "expr: expected ',' or '}' after a matcher (column 30)",
    ],
    ['no comparison and no thresholds', { name: 'r', expr: 'count(spans)[5m]' }, 'expr: has no comparison'],
    ['both a comparison and thresholds', { name: 'r', expr: 'count(spans)[5m] > 1', thresholds: { warning: 2 } }, 'thresholds: cannot be used'],
    ['thresholds without a level', { name: 'r', expr: 'count(spans)[5m]', thresholds: { op: '>' } }, 'thresholds: needs'],
    ['a threshold that is text', { name: 'r', expr: 'count(spans)[5m]', thresholds: { warning: '5' } }, 'thresholds.warning: must be a number'],
    ['a severity beside thresholds', { name: 'r', expr: 'count(spans)[5m]', thresholds: { warning: 5 }, severity: 'critical' }, 'severity: comes from'],
    ['an unknown severity', { name: 'r', expr: 'count(spans)[5m] > 1', severity: 'page' }, 'severity: must be one of info, warning, critical'],
    ['a duration without a unit', { name: 'r', expr: 'count(spans)[5m] > 1', for: '300' }, 'for: must be a duration with a unit'],
    ['a group interval of 0', { name: 'r', expr: 'count(spans)[5m] > 1', groupInterval: '0s' }, 'groupInterval: must be at least 1s'],
    ['an unknown receiver', { name: 'r', expr: 'count(spans)[5m] > 1', notify: ['pager'] }, "notify: names no receiver 'pager'"],
    ['an unknown severity to route', { name: 'r', expr: 'count(spans)[5m] > 1', notify: { page: ['oncall'] } }, 'notify.page: is not a severity'],
    ['a label Spoor sets', { name: 'r', expr: 'count(spans)[5m] > 1', labels: { severity: 'x' } }, 'labels.severity: is set by Spoor'],
    ['a label name with a dash', { name: 'r', expr: 'count(spans)[5m] > 1', labels: { 'team-name': 'x' } }, 'labels.team-name: is not a label name'],
    ['an annotation that is not text', { name: 'r', expr: 'count(spans)[5m] > 1', annotations: { summary: 3 } }, 'annotations.summary: must be text'],
    ['an unknown noData', { name: 'r', expr: 'count(spans)[5m] > 1', noData: 'silent' }, 'noData: must be one of ok, alerting, keep, nodata'],
  ])('refuses %s', (_name, spec, message) => {
    expect(() => compile(spec)).toThrow(RuleError);
    expect(() => compile(spec)).toThrow(message);
  });

  it('keeps where in the expression the error is', () => {
    try {
      compile({ name: 'r', expr: 'p95(duration_ms)[5x] > 1' });
      expect.unreachable();
    } catch (error) {
      expect((error as RuleError).exprError?.column).toBe(18);
    }
  });
});
