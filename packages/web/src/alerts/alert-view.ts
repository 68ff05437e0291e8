import type { Alert, AlertHistoryEntry, AlertRuleSpec, AlertSeverity, AlertState } from '@spoor/model';
import type { StatusKind } from '../components/Status';
import { formatCount } from '../format';

/** How the alerts page shows states, severities, labels and values. Pure; tested beside. */

/** Firing is an error, pending a warning; resolved is back to normal. */
export function alertStateKind(state: AlertState): StatusKind {
  if (state === 'firing') return 'error';
  if (state === 'pending') return 'warn';
  return 'ok';
}

/** Each severity has its own symbol, so critical and warning differ in more than colour. */
export function severityKind(severity: AlertSeverity): StatusKind {
  if (severity === 'critical') return 'critical';
  if (severity === 'warning') return 'warn';
  return 'info';
}

export function historyKind(kind: AlertHistoryEntry['kind']): StatusKind {
  switch (kind) {
    case 'firing':
    case 'notify_failed':
      return 'error';
    case 'pending':
      return 'warn';
    case 'resolved':
      return 'ok';
    case 'notified':
      return 'info';
  }
}

/** `notify_failed` → `notify failed`. */
export function historyKindText(kind: AlertHistoryEntry['kind']): string {
  return kind.replace('_', ' ');
}

/** Labels worth a tag: `alertname` and `severity` have their own columns. Sorted by name. */
export function displayLabels(labels: Record<string, string>): Array<[string, string]> {
  return Object.entries(labels)
    .filter(([name]) => name !== 'alertname' && name !== 'severity')
    .sort(([a], [b]) => a.localeCompare(b));
}

/** An expression's value as short as stays exact enough: `0.0523`, `3012`, `12.3k`; `no data` for none. */
export function formatAlertValue(value: number | null): string {
  if (value === null) return 'no data';
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 10_000) return formatCount(value);
  return String(Number(value.toPrecision(4)));
}

/** `in 5 min`, `in 3 h`, `in 2 d` until a future time; `ended` once it passed. */
export function formatUntil(iso: string, nowMs: number): string {
  const s = Math.round((Date.parse(iso) - nowMs) / 1000);
  if (!Number.isFinite(s)) return iso;
  if (s <= 0) return 'ended';
  if (s < 60) return 'in under a minute';
  if (s < 3600) return `in ${Math.round(s / 60)} min`;
  if (s < 86_400) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86_400)} d`;
}

/** The severity a rule gives its alerts: its own, or its thresholds (`critical > 0.2 · warning > 0.05`). */
export function ruleSeverityText(spec: AlertRuleSpec): string {
  const t = spec.thresholds;
  if (t === undefined) return spec.severity ?? 'warning';
  const op = t.op ?? '>';
  const levels: string[] = [];
  if (t.critical !== undefined) levels.push(`critical ${op} ${t.critical}`);
  if (t.warning !== undefined) levels.push(`warning ${op} ${t.warning}`);
  return levels.join(' · ');
}

/** How many of a rule's alerts fire and wait: a rule's state at a glance. */
export function ruleAlertCounts(alerts: readonly Alert[], rule: string): { firing: number; pending: number } {
  let firing = 0;
  let pending = 0;
  for (const alert of alerts) {
    if (alert.rule !== rule) continue;
    if (alert.state === 'firing') firing++;
    else if (alert.state === 'pending') pending++;
  }
  return { firing, pending };
}
