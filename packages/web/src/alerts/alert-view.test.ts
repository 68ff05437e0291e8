import type { Alert, AlertHistoryEntry, AlertRuleSpec, AlertSeverity, AlertState } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import {
  alertStateKind,
  displayLabels,
  formatAlertValue,
  formatUntil,
  historyKind,
  historyKindText,
  ruleAlertCounts,
  ruleSeverityText,
  severityKind,
} from './alert-view';

describe('status kinds', () => {
  it.each<{ state: AlertState; want: string }>([
    { state: 'firing', want: 'error' },
    { state: 'pending', want: 'warn' },
    { state: 'resolved', want: 'ok' },
  ])('shows a $state alert as $want', ({ state, want }) => {
    expect(alertStateKind(state)).toBe(want);
  });

  it.each<{ severity: AlertSeverity; want: string }>([
    { severity: 'critical', want: 'critical' },
    { severity: 'warning', want: 'warn' },
    { severity: 'info', want: 'info' },
  ])('shows severity $severity as $want', ({ severity, want }) => {
    expect(severityKind(severity)).toBe(want);
  });

  it.each<{ kind: AlertHistoryEntry['kind']; want: string; text: string }>([
    { kind: 'pending', want: 'warn', text: 'pending' },
    { kind: 'firing', want: 'error', text: 'firing' },
    { kind: 'resolved', want: 'ok', text: 'resolved' },
    { kind: 'notified', want: 'info', text: 'notified' },
    { kind: 'notify_failed', want: 'error', text: 'notify failed' },
  ])('shows history entry $kind as $want "$text"', ({ kind, want, text }) => {
    expect(historyKind(kind)).toBe(want);
    expect(historyKindText(kind)).toBe(text);
  });
});

describe('displayLabels', () => {
  it.each<{ name: string; labels: Record<string, string>; want: Array<[string, string]> }>([
    { name: 'drops the labels shown in their own columns', labels: { alertname: 'slow', severity: 'warning', service: 'rag' }, want: [['service', 'rag']] },
    {
      name: 'sorts by name',
      labels: { team: 'search', name: 'retrieval', service: 'rag' },
      want: [
        ['name', 'retrieval'],
        ['service', 'rag'],
        ['team', 'search'],
      ],
    },
    { name: 'is empty for a rule without by labels', labels: { alertname: 'x', severity: 'info' }, want: [] },
  ])('$name', ({ labels, want }) => {
    expect(displayLabels(labels)).toEqual(want);
  });
});

describe('formatAlertValue', () => {
  it.each([
    { value: null, want: 'no data' },
    { value: 0, want: '0' },
    { value: 0.052345, want: '0.05235' },
    { value: 3012.4, want: '3012' },
    { value: 1 / 3, want: '0.3333' },
    { value: -2.5, want: '-2.5' },
    { value: 12_345, want: '12.3k' },
  ])('shows $value as "$want"', ({ value, want }) => {
    expect(formatAlertValue(value)).toBe(want);
  });
});

describe('formatUntil', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  it.each([
    { iso: '2026-11-22T11:59:00Z', want: 'ended' },
    { iso: '2026-11-22T12:00:00Z', want: 'ended' },
    { iso: '2026-11-22T12:00:30Z', want: 'in under a minute' },
    { iso: '2026-11-22T12:45:00Z', want: 'in 45 min' },
    { iso: '2026-11-22T14:00:00Z', want: 'in 2 h' },
    { iso: '2026-11-25T12:00:00Z', want: 'in 3 d' },
    { iso: 'soon', want: 'soon' },
  ])('says $want for $iso', ({ iso, want }) => {
    expect(formatUntil(iso, now)).toBe(want);
  });
});

describe('rules', () => {
  it.each<{ spec: AlertRuleSpec; want: string }>([
    { spec: { name: 'a', expr: 'x > 1' }, want: 'warning' },
    { spec: { name: 'a', expr: 'x > 1', severity: 'critical' }, want: 'critical' },
    { spec: { name: 'a', expr: 'x', thresholds: { warning: 0.05, critical: 0.2 } }, want: 'critical > 0.2 · warning > 0.05' },
    { spec: { name: 'a', expr: 'x', thresholds: { op: '<', warning: 1 } }, want: 'warning < 1' },
  ])('gives $spec.expr the severity "$want"', ({ spec, want }) => {
    expect(ruleSeverityText(spec)).toBe(want);
  });

  const alert = (rule: string, state: AlertState): Alert => ({
    rule,
    labels: { alertname: rule },
    annotations: {},
    state,
    severity: 'warning',
    value: 1,
    threshold: 0,
    activeSince: '2026-11-22T12:00:00Z',
    firingSince: null,
    resolvedAt: null,
    lastEvaluatedAt: '2026-11-22T12:00:00Z',
    silenced: false,
    inhibited: false,
  });

  it.each([
    { name: 'counts firing and pending alerts of the rule', rule: 'a', want: { firing: 2, pending: 1 } },
    { name: 'ignores resolved alerts', rule: 'b', want: { firing: 0, pending: 0 } },
    { name: 'is zero for a rule without alerts', rule: 'c', want: { firing: 0, pending: 0 } },
  ])('$name', ({ rule, want }) => {
    const alerts = [alert('a', 'firing'), alert('a', 'pending'), alert('a', 'firing'), alert('b', 'resolved')];
    expect(ruleAlertCounts(alerts, rule)).toEqual(want);
  });
});
