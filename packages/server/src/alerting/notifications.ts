import { type Alert, isoFromMicros as iso } from '@spoor/model';
import type { OutgoingNotification } from './dispatcher.js';
import type { AlertInstance } from './evaluator.js';
import type { NotifiedAlert, Notification } from './notification.js';
import type { CompiledRule } from './rule.js';
import { renderTemplate } from './template.js';

const isoOrNull = (us: number | null): string | null => (us === null ? null : iso(us));

/** A rule's annotations for one alert, placeholders filled in. */
export function annotationsOf(rule: CompiledRule, instance: AlertInstance, labels: Readonly<Record<string, string>>): Record<string, string> {
  const values = { value: instance.value, threshold: instance.threshold, labels };
  return Object.fromEntries(Object.entries(rule.annotations).map(([key, template]) => [key, renderTemplate(template, values)]));
}

/** Span labels the trace list filters by, under its parameter names; a map, as matchers name the label. */
const TRACE_FILTERS: ReadonlyMap<string, string> = new Map([
  ['service', 'service'],
  ['name', 'name'],
  ['model', 'model'],
  ['session', 'sessionId'],
]);

/**
 * Where to look: the trace list over the rule's window before the alert, filtered by what the
 * alert's labels say about spans (and to failures for error rules), and the alert in the
 * dashboard.
 */
export function linksOf(rule: CompiledRule, labels: Readonly<Record<string, string>>, externalUrl: string, nowUs: number): NotifiedAlert['links'] {
  const aggregate = rule.value.kind === 'anomaly' ? rule.value.inner : rule.value;
  const traces = new URLSearchParams({ from: iso(nowUs - aggregate.windowUs), to: iso(nowUs) });
  if (aggregate.source.kind === 'spans' || aggregate.source.kind === 'duration') {
    for (const [label, param] of TRACE_FILTERS) if (labels[label] !== undefined) traces.set(param, labels[label]);
    for (const m of aggregate.matchers) {
      const param = m.op === '=' ? TRACE_FILTERS.get(m.label) : undefined;
      if (param !== undefined && !traces.has(param)) traces.set(param, m.value);
    }
    if (aggregate.fn === 'errors' || aggregate.fn === 'error_rate') traces.set('status', 'error');
  } else if (labels['service'] !== undefined) {
    traces.set('service', labels['service']);
  }
  const base = externalUrl.replace(/\/+$/, '');
  return { traces: `${base}/traces?${traces}`, alerts: `${base}/alerts?${new URLSearchParams({ rule: rule.name })}` };
}

/** One notification's body, from the dispatcher's group and each alert's rule and state. */
export function notificationOf(
  outgoing: OutgoingNotification,
  lookup: (key: string) => { rule: CompiledRule; instance: AlertInstance },
  externalUrl: string,
  nowUs: number,
): Notification {
  const alerts: NotifiedAlert[] = outgoing.alerts.map((a) => {
    const { rule, instance } = lookup(a.key);
    const labels = { ...a.labels };
    return {
      rule: a.rule,
      status: a.status,
      severity: a.severity,
      labels,
      annotations: annotationsOf(rule, instance, labels),
      value: instance.value,
      threshold: instance.threshold,
      activeSince: iso(instance.activeSinceUs),
      firingSince: isoOrNull(instance.firingSinceUs),
      resolvedAt: isoOrNull(instance.resolvedAtUs),
      links: linksOf(rule, labels, externalUrl, nowUs),
    };
  });
  return {
    version: 1,
    receiver: outgoing.receiver,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    groupKey: outgoing.groupKey,
    groupLabels: outgoing.groupLabels,
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    alerts,
    externalUrl,
    sentAt: iso(nowUs),
  };
}

/** The pairs every map has with the same value. */
function common(maps: ReadonlyArray<Readonly<Record<string, string>>>): Record<string, string> {
  const [first, ...rest] = maps;
  if (first === undefined) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((m) => m[k] === v)));
}

/** An alert as `GET /api/alerts` shows it. */
export function alertOf(rule: CompiledRule, instance: AlertInstance, labels: Record<string, string>, muted: { silenced: boolean; inhibited: boolean }): Alert {
  return {
    rule: rule.name,
    labels,
    annotations: annotationsOf(rule, instance, labels),
    state: instance.state,
    severity: instance.severity,
    value: instance.value,
    threshold: instance.threshold,
    activeSince: iso(instance.activeSinceUs),
    firingSince: isoOrNull(instance.firingSinceUs),
    resolvedAt: isoOrNull(instance.resolvedAtUs),
    lastEvaluatedAt: iso(instance.lastEvaluatedUs),
    silenced: muted.silenced,
    inhibited: muted.inhibited,
  };
}
