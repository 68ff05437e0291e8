import type { AlertRule } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { type AlertUnit, alertUnitOf, formatAlertValueIn, rawValueTitle, ruleUnits } from './alert-units';

describe('alertUnitOf', () => {
  it.each<{ expr: string; want: AlertUnit }>([
    { expr: 'error_rate(spans{service="rag"})[5m] by (name) > 5%', want: 'ratio' },
    { expr: 'p95(duration_ms{service="rag"})[5m] > 3s', want: 'ms' },
    { expr: 'avg(duration_ms)[1m]', want: 'ms' },
    { expr: 'cost(spans)[1h] > 5', want: 'usd' },
    { expr: 'cost_per_workflow(spans{category="workflow"})[1h] > 0.5', want: 'usd' },
    { expr: 'tokens(spans)[1h] > 100000', want: 'tokens' },
    { expr: 'output_tokens(spans{model="gpt-4o"})[5m] > 5000', want: 'tokens' },
    { expr: 'count(spans)[5m] > 100', want: 'count' },
    { expr: 'errors(spans)[1h] by (service) > 0', want: 'count' },
    { expr: 'new_error_group(errors)[5m] > 0', want: 'count' },
    { expr: 'increase("queue.dropped")[5m] > 0', want: 'count' },
    { expr: 'rate(http.server.request.count{route="/chat"})[5m] by (route) > 20', want: 'per_second' },
    { expr: 'rate(logs{severity="error"})[5m] > 1', want: 'per_second' },
    // A z-score, a score's value and an app gauge have no unit Spoor knows.
    { expr: 'anomaly(p95(duration_ms{service="rag"})[5m])[1d] > 3', want: 'number' },
    { expr: 'avg(score{name="faithfulness"})[1h] < 0.7', want: 'number' },
    { expr: 'last(queue.depth)[5m] > 100', want: 'number' },
    // Quoted, it is an app metric that happens to bear the name.
    { expr: 'p95("duration_ms")[5m] > 3', want: 'number' },
    { expr: 'not an expression', want: 'number' },
  ])('reads $expr as $want', ({ expr, want }) => {
    expect(alertUnitOf(expr)).toBe(want);
  });
});

describe('formatAlertValueIn', () => {
  it.each<{ value: number | null; unit: AlertUnit; want: string }>([
    { value: 0.0523, unit: 'ratio', want: '5.23%' },
    { value: 0.25, unit: 'ratio', want: '25.0%' },
    { value: 0, unit: 'ratio', want: '0%' },
    { value: 850.4, unit: 'ms', want: '850 ms' },
    { value: 3012, unit: 'ms', want: '3.01 s' },
    { value: 0.52, unit: 'usd', want: '$0.52' },
    { value: 0.00041, unit: 'usd', want: '$0.00041' },
    { value: 12.5, unit: 'usd', want: '$12.50' },
    { value: 1234, unit: 'tokens', want: '1,234 tokens' },
    { value: 123_456, unit: 'tokens', want: '123.5k tokens' },
    { value: 3012, unit: 'count', want: '3,012' },
    { value: 2.5, unit: 'count', want: '2.50' },
    { value: 4.5, unit: 'per_second', want: '4.5/s' },
    { value: 0.0523, unit: 'number', want: '0.0523' },
    { value: null, unit: 'ratio', want: 'no data' },
  ])('writes $value in $unit as "$want"', ({ value, unit, want }) => {
    expect(formatAlertValueIn(value, unit)).toBe(want);
  });
});

describe('ruleUnits and the raw title', () => {
  const rule = (name: string, expr: string) => ({ spec: { name, expr } }) as AlertRule;

  it("gives each rule's unit by name, none for a rule not listed", () => {
    const units = ruleUnits([rule('errors-high', 'error_rate(spans)[5m] > 5%'), rule('slow', 'p95(duration_ms)[5m] > 3s')]);
    expect(units.get('errors-high')).toBe('ratio');
    expect(units.get('slow')).toBe('ms');
    expect(formatAlertValueIn(0.0523, units.get('gone'))).toBe('0.0523');
    expect(ruleUnits(undefined).size).toBe(0);
  });

  it('keeps the raw numbers for the tooltip', () => {
    expect(rawValueTitle(0.0523, 0.05)).toBe('value 0.0523 · threshold 0.05');
    expect(rawValueTitle(null, null)).toBe('value no data');
  });
});
