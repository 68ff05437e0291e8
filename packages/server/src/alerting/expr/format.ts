import type { Aggregate, Expr, Matcher, Source, ValueExpr } from './ast.js';
import { IDENT, isBareMetricName, labelKind, sourceName } from './catalogue.js';
import { DAY_US, HOUR_US, MINUTE_US, SECOND_US } from '../../duration.js';

/**
 * The canonical text of an expression: one space around comparisons and after commas, durations
 * in their largest exact unit, plain-number thresholds, names quoted only where they must be.
 * `parseExpr(formatExpr(e))` equals `e` but for positions.
 */
export function formatExpr(expr: Expr): string {
  return expr.kind === 'compare' ? `${formatValue(expr.value)} ${expr.op} ${expr.threshold}` : formatValue(expr);
}

function formatValue(value: ValueExpr): string {
  return value.kind === 'anomaly' ? `anomaly(${formatAggregate(value.inner)})[${formatDurationUs(value.baselineUs)}]` : formatAggregate(value);
}

function formatAggregate(aggregate: Aggregate): string {
  const { fn, source, matchers, windowUs, by } = aggregate;
  const selector = matchers.length === 0 ? '' : `{${matchers.map((matcher) => formatMatcher(source, matcher)).join(', ')}}`;
  const group = by.length === 0 ? '' : ` by (${by.map((label) => formatLabel(source, label)).join(', ')})`;
  return `${fn}(${formatSource(source)}${selector})[${formatDurationUs(windowUs)}]${group}`;
}

function formatSource(source: Source): string {
  const name = sourceName(source);
  return source.kind === 'metric' && !isBareMetricName(name) ? quote(name) : name;
}

function formatMatcher(source: Source, matcher: Matcher): string {
  return `${formatLabel(source, matcher.label)}${matcher.op}${quote(matcher.value)}`;
}

function formatLabel(source: Source, label: string): string {
  return IDENT.test(label) && labelKind(source.kind, label, false) !== 'unknown' ? label : quote(label);
}

const UNITS: [string, number][] = [
  ['w', 7 * DAY_US],
  ['d', DAY_US],
  ['h', HOUR_US],
  ['m', MINUTE_US],
  ['s', SECOND_US],
];

/** `90m` → `90m`, `120m` → `2h`: the largest unit that divides the duration, else milliseconds. */
export function formatDurationUs(us: number): string {
  const unit = UNITS.find(([, size]) => us % size === 0);
  return unit === undefined ? `${us / 1000}ms` : `${us / unit[1]}${unit[0]}`;
}

/** A double-quoted string literal the lexer reads back as `value`. */
export function quote(value: string): string {
  return `"${value.replace(/[\\"\n\t]/g, (char) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t' })[char]!)}"`;
}
