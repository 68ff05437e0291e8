import type { AlertRule } from '@spoor/model';
import { formatCost, formatCount, formatDuration, formatInteger, formatPercent } from '../format';
import { formatAlertValue } from './alert-view';

/**
 * What an alert's value measures, read from its rule's expression (docs/alerting.md, "Sources and
 * functions"), so the alerts page writes `5.23%`, `3.01 s` or `$0.52` where the expression gives
 * 0.0523, 3012 or 0.52. Pure; tested beside.
 */
export type AlertUnit = 'ratio' | 'ms' | 'usd' | 'tokens' | 'count' | 'per_second' | 'number';

/**
 * `fn(source`, after an optional `anomaly(`: the source is a name or a quoted metric name. A quoted
 * `"duration_ms"` is a metric of that name, not the span durations.
 */
const AGGREGATE = /^\s*(anomaly\s*\(\s*)?([a-z_0-9]+)\s*\(\s*("(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_.]*)/;

const BY_FUNCTION: Partial<Record<string, AlertUnit>> = {
  error_rate: 'ratio',
  cost: 'usd',
  cost_per_workflow: 'usd',
  tokens: 'tokens',
  input_tokens: 'tokens',
  output_tokens: 'tokens',
  rate: 'per_second',
  count: 'count',
  errors: 'count',
  unpriced_calls: 'count',
  new_error_group: 'count',
  regressed_error_group: 'count',
  increase: 'count',
};

/** The unit of a rule's value; `number` where it has none Spoor knows (an app metric's gauge, a score, an anomaly's z-score). */
export function alertUnitOf(expr: string): AlertUnit {
  const match = AGGREGATE.exec(expr);
  if (match === null || match[1] !== undefined) return 'number';
  const [, , fn, source] = match;
  if (source === 'duration_ms') return 'ms';
  return BY_FUNCTION[fn!] ?? 'number';
}

/** Each rule's unit by its name, for the alerts and history its rules raised. */
export function ruleUnits(rules: readonly AlertRule[] | undefined): Map<string, AlertUnit> {
  return new Map((rules ?? []).map((r) => [r.spec.name, alertUnitOf(r.spec.expr)]));
}

/** A value as its unit reads: `5.23%`, `850 ms`, `3.01 s`, `$0.52`, `12.3k tokens`, `3,012`, `4.5/s`; `no data` for none. */
export function formatAlertValueIn(value: number | null, unit: AlertUnit = 'number'): string {
  if (value === null || !Number.isFinite(value)) return formatAlertValue(value);
  switch (unit) {
    case 'ratio':
      return formatPercent(value);
    case 'ms':
      return formatDuration(value);
    case 'usd':
      return formatCost(value);
    case 'tokens':
      return `${Number.isInteger(value) && Math.abs(value) < 1e4 ? formatInteger(value) : formatCount(value)} tokens`;
    case 'count':
      return Number.isInteger(value) && Math.abs(value) < 1e6 ? formatInteger(value) : formatCount(value);
    case 'per_second':
      return `${formatAlertValue(value)}/s`;
    case 'number':
      return formatAlertValue(value);
  }
}

/** The tooltip of a value cell: the numbers as the expression gave them. */
export function rawValueTitle(value: number | null, threshold: number | null): string {
  const parts = [`value ${value === null ? 'no data' : String(value)}`];
  if (threshold !== null) parts.push(`threshold ${threshold}`);
  return parts.join(' · ');
}
