import type { AlertSeverity, LabelMatcher } from '@spoor/model';
import { labelOf } from './labels.js';
import { type Regex, compileRegex } from '../regex.js';

/**
 * Which notifications to send, pure: the alerts after an evaluation, the groups' memory of what
 * they last said, silences and inhibitions and `now` in; the notifications and the groups' new
 * memory out. Alertmanager's semantics, so its users know what to expect:
 *
 * - Alerts are grouped per receiver, rule and the values of the rule's `groupBy` labels; one
 *   notification covers a group.
 * - A new group waits `groupWait`, so what fires together is sent together. After that the group
 *   is looked at every `groupInterval`: it is notified when its content changed (an alert joined,
 *   resolved or changed severity). Unchanged and still firing, it is notified again only after
 *   `repeatInterval`: the cooldown. A resolved alert is notified once, if it was notified firing.
 * - A silenced or inhibited alert is left out, as if it were not firing.
 * - The memory is small and serializable, so a restart resumes without notifying twice.
 */

/** An alert as the dispatcher sees it. Times in µs. */
export interface DispatchAlert {
  /** Unique over all rules: rule name and label set. */
  key: string;
  rule: string;
  /** All labels: the rule's, the `by` labels, `alertname` and `severity`. */
  labels: Readonly<Record<string, string>>;
  status: 'firing' | 'resolved';
  severity: AlertSeverity;
  receivers: readonly string[];
  groupBy: readonly string[];
  groupWaitUs: number;
  groupIntervalUs: number;
  repeatIntervalUs: number;
}

/** What a group remembers between evaluations. */
export interface GroupState {
  receiver: string;
  rule: string;
  groupLabels: Record<string, string>;
  createdUs: number;
  lastSentUs: number | null;
  /** What the last notification said of each alert: `firing:<severity>` or `resolved`. */
  sent: Record<string, string>;
}

export interface SilenceRule {
  matchers: readonly LabelMatcher[];
  startsUs: number;
  endsUs: number;
}

/** Mutes alerts matching `target` while an alert matching `source` fires with the same `equal` labels. */
export interface InhibitRule {
  source: readonly LabelMatcher[];
  target: readonly LabelMatcher[];
  /** Labels that must be present in the muted alert and equal in both. */
  equal: readonly string[];
}

/** A firing critical alert mutes the warning and info alerts of the same service and span name. */
export const DEFAULT_INHIBIT_RULES: readonly InhibitRule[] = [
  {
    source: [{ name: 'severity', op: '=', value: 'critical' }],
    target: [{ name: 'severity', op: '=~', value: 'warning|info' }],
    equal: ['service', 'name'],
  },
];

export interface OutgoingNotification {
  groupKey: string;
  receiver: string;
  groupLabels: Record<string, string>;
  alerts: DispatchAlert[];
}

export interface Dispatch {
  groups: Map<string, GroupState>;
  notifications: OutgoingNotification[];
  silenced: Set<string>;
  inhibited: Set<string>;
}

export function matches(labels: Readonly<Record<string, string>>, matchers: readonly LabelMatcher[]): boolean {
  return matchers.every((m) => {
    const value = labelOf(labels, m.name) ?? '';
    switch (m.op) {
      case '=':
        return value === m.value;
      case '!=':
        return value !== m.value;
      case '=~':
        return fullMatch(m.value).test(value);
      case '!~':
        return !fullMatch(m.value).test(value);
    }
  });
}

const patterns = new Map<string, Regex>();

/** A matcher's regular expression, matching the whole value as in Prometheus; compiled once. */
function fullMatch(source: string): Regex {
  let re = patterns.get(source);
  if (re === undefined) {
    re = compileRegex(source, true);
    if (patterns.size > 10_000) patterns.clear();
    patterns.set(source, re);
  }
  return re;
}

/** The keys of the alerts a silence or an inhibition mutes. */
export function muted(
  alerts: readonly DispatchAlert[],
  silences: readonly SilenceRule[],
  inhibitRules: readonly InhibitRule[],
  nowUs: number,
): { silenced: Set<string>; inhibited: Set<string> } {
  const active = silences.filter((s) => s.startsUs <= nowUs && nowUs < s.endsUs);
  const silenced = new Set(alerts.filter((a) => active.some((s) => matches(a.labels, s.matchers))).map((a) => a.key));
  const sources = alerts.filter((a) => a.status === 'firing' && !silenced.has(a.key));
  const inhibited = new Set<string>();
  for (const rule of inhibitRules) {
    const firing = sources.filter((s) => matches(s.labels, rule.source));
    for (const a of alerts) {
      if (!matches(a.labels, rule.target) || rule.equal.some((name) => !labelOf(a.labels, name))) continue;
      if (firing.some((s) => s.key !== a.key && rule.equal.every((name) => labelOf(s.labels, name) === labelOf(a.labels, name)))) inhibited.add(a.key);
    }
  }
  return { silenced, inhibited };
}

function groupKeyOf(receiver: string, rule: string, groupLabels: Readonly<Record<string, string>>): string {
  return JSON.stringify([
    receiver,
    rule,
    Object.keys(groupLabels)
      .sort()
      .map((k) => [k, groupLabels[k]]),
  ]);
}

/** The rule and group labels a group key stands for (a delivery result carries only the key). */
export function groupOfKey(key: string): { rule: string; groupLabels: Record<string, string> } {
  const [, rule, labels] = JSON.parse(key) as [string, string, Array<[string, string]>];
  return { rule, groupLabels: Object.fromEntries(labels) };
}

export function dispatch(
  alerts: readonly DispatchAlert[],
  previous: ReadonlyMap<string, GroupState>,
  silences: readonly SilenceRule[],
  inhibitRules: readonly InhibitRule[],
  nowUs: number,
): Dispatch {
  const { silenced, inhibited } = muted(alerts, silences, inhibitRules, nowUs);
  const members = new Map<string, { receiver: string; rule: string; groupLabels: Record<string, string>; alerts: DispatchAlert[] }>();
  for (const alert of alerts) {
    if (silenced.has(alert.key) || inhibited.has(alert.key)) continue;
    const groupLabels = Object.fromEntries(alert.groupBy.map((name) => [name, labelOf(alert.labels, name) ?? '']));
    for (const receiver of alert.receivers) {
      const key = groupKeyOf(receiver, alert.rule, groupLabels);
      const group = members.get(key) ?? { receiver, rule: alert.rule, groupLabels, alerts: [] };
      group.alerts.push(alert);
      members.set(key, group);
    }
  }

  const groups = new Map<string, GroupState>();
  const notifications: OutgoingNotification[] = [];
  for (const key of new Set([...previous.keys(), ...members.keys()])) {
    const before = previous.get(key);
    const group = members.get(key);
    // A resolved alert is news only if it was last said to be firing.
    const news = (group?.alerts ?? []).filter((a) => a.status === 'firing' || before?.sent[a.key]?.startsWith('firing') === true);
    if (news.length === 0) continue;
    const state: GroupState = before ?? {
      receiver: group!.receiver,
      rule: group!.rule,
      groupLabels: group!.groupLabels,
      createdUs: nowUs,
      lastSentUs: null,
      sent: {},
    };
    const timing = news[0]!;
    const said = Object.fromEntries(news.map((a) => [a.key, a.status === 'firing' ? `firing:${a.severity}` : 'resolved']));
    const changed = !sameContent(said, state.sent);
    const due =
      state.lastSentUs === null
        ? nowUs - state.createdUs >= timing.groupWaitUs
        : (changed && nowUs - state.lastSentUs >= timing.groupIntervalUs) ||
          (news.some((a) => a.status === 'firing') && nowUs - state.lastSentUs >= timing.repeatIntervalUs);
    if (!due) {
      groups.set(key, state);
      continue;
    }
    notifications.push({ groupKey: key, receiver: state.receiver, groupLabels: state.groupLabels, alerts: news });
    const stillFiring = Object.entries(said).filter(([, s]) => s !== 'resolved');
    if (stillFiring.length > 0) groups.set(key, { ...state, lastSentUs: nowUs, sent: Object.fromEntries(stillFiring) });
  }
  return { groups, notifications, silenced, inhibited };
}

/** Whether a group says the same as last time: the same alerts firing at the same severities, none resolved. */
function sameContent(said: Record<string, string>, sent: Record<string, string>): boolean {
  const keys = Object.keys(said);
  return keys.length === Object.keys(sent).length && keys.every((k) => said[k] === sent[k]);
}
