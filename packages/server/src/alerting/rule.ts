import { ALERT_SEVERITIES, NO_DATA_BEHAVIOURS, type AlertRuleSpec, type AlertSeverity, type NoDataBehaviour, type ThresholdOp } from '@spoor/model';
import { parseDurationUs } from '../duration.js';
import type { Level } from './evaluator.js';
import type { ValueExpr } from './expr/ast.js';
import { ExprError, parseExpr } from './expr/parser.js';
import { templateError } from './template.js';

/** A rule checked and ready to evaluate: durations in µs, thresholds as levels, receivers per severity. */
export interface CompiledRule {
  spec: AlertRuleSpec;
  name: string;
  value: ValueExpr;
  /** Most severe first. */
  levels: Level[];
  forUs: number;
  keepFiringForUs: number;
  noData: NoDataBehaviour;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  groupBy: string[];
  receivers: Record<AlertSeverity, string[]>;
  groupWaitUs: number;
  groupIntervalUs: number;
  repeatIntervalUs: number;
}

/** What a rule leaves out, from the rules file's `defaults:`. */
export interface RuleDefaults {
  notify: string[];
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
}

export const BUILT_IN_DEFAULTS: RuleDefaults = { notify: ['log'], groupWait: '30s', groupInterval: '5m', repeatInterval: '4h' };

/**
 * A rule that cannot be used: `path` names the field (`expr`, `thresholds.warning`), and for an
 * expression, `exprError` says where in it.
 */
export class RuleError extends Error {
  constructor(
    readonly path: string,
    message: string,
    readonly exprError: ExprError | null = null,
  ) {
    super(`${path}: ${message}`);
    this.name = 'RuleError';
  }
}

const SPEC_FIELDS = new Set([
  'name',
  'expr',
  'for',
  'keepFiringFor',
  'severity',
  'thresholds',
  'labels',
  'annotations',
  'groupBy',
  'noData',
  'notify',
  'groupWait',
  'groupInterval',
  'repeatInterval',
]);
const THRESHOLD_OPS: readonly ThresholdOp[] = ['>', '>=', '<', '<=', '==', '!='];
/** Label names Prometheus would accept, so labels carry over to other tools. */
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/**
 * Checks an untrusted rule (parsed YAML or a JSON body) and compiles it. Every problem is a
 * `RuleError` naming the field; unknown fields are refused rather than ignored, so a typo such as
 * `fro: 5m` cannot silently drop a setting.
 */
export function compileRule(input: unknown, defaults: RuleDefaults, receiverNames: ReadonlySet<string>): CompiledRule {
  const spec = record(input, 'rule');
  for (const key of Object.keys(spec))
    if (!SPEC_FIELDS.has(key)) throw new RuleError(key, `is not a rule field; expected one of ${[...SPEC_FIELDS].join(', ')}`);
  const name = text(spec, 'name');
  if (!RULE_NAME.test(name)) throw new RuleError('name', 'must be 1-128 letters, digits, and _ . : - (starting with a letter or digit)');
  const exprText = text(spec, 'expr');
  let expr;
  try {
    expr = parseExpr(exprText);
  } catch (error) {
    if (error instanceof ExprError) throw new RuleError('expr', `${error.message} (column ${error.column})`, error);
    throw error;
  }
  const severity = oneOf(spec, 'severity', ALERT_SEVERITIES) ?? 'warning';
  const levels = levelsOf(spec, expr.kind === 'compare' ? { op: expr.op, threshold: expr.threshold } : null, severity);
  const labels = stringMap(spec, 'labels');
  for (const label of Object.keys(labels)) {
    if (!LABEL_NAME.test(label)) throw new RuleError(`labels.${label}`, 'is not a label name: letters, digits and _, not starting with a digit');
    if (label === 'alertname' || label === 'severity') throw new RuleError(`labels.${label}`, 'is set by Spoor: the rule name and the severity');
  }
  const annotations = stringMap(spec, 'annotations');
  for (const [key, template] of Object.entries(annotations)) {
    const problem = templateError(template);
    if (problem !== null) throw new RuleError(`annotations.${key}`, problem);
  }
  const groupBy = stringList(spec, 'groupBy') ?? ['alertname'];
  return {
    spec: spec as unknown as AlertRuleSpec,
    name,
    value: expr.kind === 'compare' ? expr.value : expr,
    levels,
    forUs: duration(spec, 'for', '0s', 0),
    keepFiringForUs: duration(spec, 'keepFiringFor', '0s', 0),
    noData: oneOf(spec, 'noData', NO_DATA_BEHAVIOURS) ?? 'ok',
    labels,
    annotations,
    groupBy,
    receivers: receiversOf(spec, defaults, receiverNames),
    groupWaitUs: duration(spec, 'groupWait', defaults.groupWait, 0),
    groupIntervalUs: duration(spec, 'groupInterval', defaults.groupInterval, 1_000_000),
    repeatIntervalUs: duration(spec, 'repeatInterval', defaults.repeatInterval, 1_000_000),
  };
}

function levelsOf(spec: Record<string, unknown>, comparison: { op: ThresholdOp; threshold: number } | null, severity: AlertSeverity): Level[] {
  if (spec['thresholds'] === undefined) {
    if (comparison === null) throw new RuleError('expr', 'has no comparison: add one (`> 3000`) or give `thresholds`');
    return [{ severity, ...comparison }];
  }
  if (comparison !== null) throw new RuleError('thresholds', 'cannot be used with an expression that has its own comparison');
  if (spec['severity'] !== undefined) throw new RuleError('severity', 'comes from `thresholds` when they are given');
  const t = record(spec['thresholds'], 'thresholds');
  for (const key of Object.keys(t))
    if (!['op', 'warning', 'critical'].includes(key)) throw new RuleError(`thresholds.${key}`, 'is not a thresholds field; expected op, warning, critical');
  const op = oneOf(t, 'op', THRESHOLD_OPS, 'thresholds.') ?? '>';
  const levels: Level[] = [];
  for (const level of ['critical', 'warning'] as const) {
    const value = t[level];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new RuleError(`thresholds.${level}`, 'must be a number');
    levels.push({ severity: level, op, threshold: value });
  }
  if (levels.length === 0) throw new RuleError('thresholds', 'needs `warning`, `critical` or both');
  return levels;
}

function receiversOf(spec: Record<string, unknown>, defaults: RuleDefaults, known: ReadonlySet<string>): Record<AlertSeverity, string[]> {
  const value = spec['notify'];
  const check = (names: unknown, path: string): string[] => {
    if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string')) throw new RuleError(path, 'must be a list of receiver names');
    for (const n of names) if (!known.has(n)) throw new RuleError(path, `names no receiver '${n}'; the receivers are ${[...known].join(', ') || '(none)'}`);
    return names;
  };
  if (value === undefined || Array.isArray(value)) {
    const names = check(value ?? defaults.notify, 'notify');
    return { info: names, warning: names, critical: names };
  }
  const bySeverity = record(value, 'notify');
  for (const key of Object.keys(bySeverity))
    if (!(ALERT_SEVERITIES as readonly string[]).includes(key)) throw new RuleError(`notify.${key}`, 'is not a severity; expected info, warning, critical');
  const names = (s: AlertSeverity): string[] => (bySeverity[s] === undefined ? [] : check(bySeverity[s], `notify.${s}`));
  return { info: names('info'), warning: names('warning'), critical: names('critical') };
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RuleError(path, 'must be a mapping of fields');
  return value as Record<string, unknown>;
}

function text(spec: Record<string, unknown>, key: string): string {
  const value = spec[key];
  if (typeof value !== 'string' || value.trim() === '') throw new RuleError(key, 'is required text');
  return value;
}

function oneOf<T extends string>(spec: Record<string, unknown>, key: string, allowed: readonly T[], prefix = ''): T | null {
  const value = spec[key];
  if (value === undefined) return null;
  if (!(allowed as readonly unknown[]).includes(value)) throw new RuleError(prefix + key, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

function duration(spec: Record<string, unknown>, key: string, fallback: string, leastUs: number): number {
  const value = spec[key] ?? fallback;
  const us = typeof value === 'string' ? parseDurationUs(value) : null;
  if (us === null) throw new RuleError(key, `must be a duration with a unit like 30s, 5m, 4h, not ${JSON.stringify(value)}`);
  if (us < leastUs) throw new RuleError(key, `must be at least ${leastUs / 1_000_000}s`);
  return us;
}

function stringMap(spec: Record<string, unknown>, key: string): Record<string, string> {
  const value = spec[key];
  if (value === undefined) return {};
  const map = record(value, key);
  for (const [k, v] of Object.entries(map)) if (typeof v !== 'string') throw new RuleError(`${key}.${k}`, 'must be text');
  return map as Record<string, string>;
}

function stringList(spec: Record<string, unknown>, key: string): string[] | null {
  const value = spec[key];
  if (value === undefined) return null;
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string' && v !== '')) throw new RuleError(key, 'must be a list of label names');
  return value;
}
