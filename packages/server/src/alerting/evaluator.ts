import type { AlertSeverity, NoDataBehaviour, ThresholdOp } from '@spoor/model';

/**
 * The alert state machine, pure: a rule, what its expression gave for each label set, the states
 * left by the previous evaluation and `now` in, the new states and the transitions out. No clock,
 * no I/O, so every case is a table row in the tests.
 *
 *   (none) ──breached──▶ pending ──held for `for`──▶ firing ──clear past `keepFiringFor`──▶ resolved
 *                          │ clear                      ▲ breached again                     │
 *                          ▼                            └──────────── pending ◀──breached────┘
 *                        (none)
 *
 * - `for` 0 fires on the first breach. A pending alert that clears before `for` is dropped
 *   without a trace (as in Prometheus); a firing one stays firing while the condition holds, its
 *   severity following the most severe threshold crossed, and resolves once the condition has been
 *   clear for `keepFiringFor`.
 * - A label set the expression no longer returns, or returns without a value, has no data; the
 *   rule's `noData` decides: `ok` counts as clear, `alerting` as breached at the rule's top
 *   severity, `keep` leaves the state as it was, `nodata` breaches at `info` with `noData` set.
 * - A resolved alert is kept `resolvedRetentionUs` (so it can be notified and listed), then dropped.
 */

/** One threshold of a rule; a rule's levels are ordered most severe first. */
export interface Level {
  severity: AlertSeverity;
  op: ThresholdOp;
  threshold: number;
}

export interface EvalRule {
  name: string;
  levels: readonly Level[];
  forUs: number;
  keepFiringForUs: number;
  noData: NoDataBehaviour;
}

/** The expression's value for one label set (its `by` labels); `null` when there was no data. */
export interface Sample {
  labels: Readonly<Record<string, string>>;
  value: number | null;
}

export type InstanceState = 'pending' | 'firing' | 'resolved';

/** The state of one alert: a rule and one label set. Persisted between evaluations. */
export interface AlertInstance {
  labels: Readonly<Record<string, string>>;
  state: InstanceState;
  severity: AlertSeverity;
  value: number | null;
  threshold: number | null;
  activeSinceUs: number;
  firingSinceUs: number | null;
  resolvedAtUs: number | null;
  /** When the condition last held (for `keepFiringFor`). */
  lastBreachedUs: number;
  lastEvaluatedUs: number;
  noData: boolean;
}

export interface Transition {
  key: string;
  to: InstanceState;
  atUs: number;
  instance: AlertInstance;
}

export interface Evaluation {
  instances: Map<string, AlertInstance>;
  transitions: Transition[];
}

/** How long a resolved alert stays listed (and notifiable) before it is forgotten. */
export const RESOLVED_RETENTION_US = 15 * 60 * 1_000_000;

/** A label set's key: its pairs sorted by name, so equal sets give equal keys. */
export function labelsKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((name) => [name, labels[name]]),
  );
}

function compare(value: number, op: ThresholdOp, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

/** What this evaluation says for one label set: breached at a severity, clear, or keep as is. */
type Verdict = { breached: true; severity: AlertSeverity; threshold: number | null; noData: boolean } | { breached: false } | { keep: true };

function verdict(rule: EvalRule, value: number | null): Verdict {
  if (value === null || Number.isNaN(value)) {
    switch (rule.noData) {
      case 'ok':
        return { breached: false };
      case 'keep':
        return { keep: true };
      case 'alerting':
        return { breached: true, severity: rule.levels[0]?.severity ?? 'warning', threshold: null, noData: true };
      case 'nodata':
        return { breached: true, severity: 'info', threshold: null, noData: true };
    }
  }
  const level = rule.levels.find((l) => compare(value, l.op, l.threshold));
  return level === undefined ? { breached: false } : { breached: true, severity: level.severity, threshold: level.threshold, noData: false };
}

export function evaluateRule(
  rule: EvalRule,
  samples: readonly Sample[],
  previous: ReadonlyMap<string, AlertInstance>,
  nowUs: number,
  resolvedRetentionUs = RESOLVED_RETENTION_US,
): Evaluation {
  const instances = new Map<string, AlertInstance>();
  const transitions: Transition[] = [];
  const seen = new Map<string, Sample>();
  for (const sample of samples) seen.set(labelsKey(sample.labels), sample);
  // Label sets known from before but absent now have no data.
  for (const [key, instance] of previous) if (!seen.has(key)) seen.set(key, { labels: instance.labels, value: null });

  for (const [key, sample] of seen) {
    const before = previous.get(key);
    const v = verdict(rule, sample.value);
    const next = 'keep' in v ? keep(before, nowUs) : step(rule, before, sample, v, nowUs);
    if (next === null) continue;
    if (next.state === 'resolved' && nowUs - next.resolvedAtUs! >= resolvedRetentionUs) continue;
    instances.set(key, next);
    if (next.state !== before?.state) transitions.push({ key, to: next.state, atUs: nowUs, instance: next });
  }
  return { instances, transitions };
}

function keep(before: AlertInstance | undefined, nowUs: number): AlertInstance | null {
  return before === undefined ? null : { ...before, lastEvaluatedUs: nowUs };
}

function step(rule: EvalRule, before: AlertInstance | undefined, sample: Sample, v: Exclude<Verdict, { keep: true }>, nowUs: number): AlertInstance | null {
  const live = before !== undefined && before.state !== 'resolved' ? before : undefined;
  if (!v.breached) {
    if (live === undefined) return before === undefined ? null : { ...before, value: sample.value, lastEvaluatedUs: nowUs };
    if (live.state === 'pending') return null;
    if (nowUs - live.lastBreachedUs < rule.keepFiringForUs) return { ...live, value: sample.value, lastEvaluatedUs: nowUs };
    return { ...live, state: 'resolved', value: sample.value, resolvedAtUs: nowUs, lastEvaluatedUs: nowUs };
  }
  const activeSinceUs = live?.activeSinceUs ?? nowUs;
  const fires = live?.state === 'firing' || nowUs - activeSinceUs >= rule.forUs;
  return {
    labels: sample.labels,
    state: fires ? 'firing' : 'pending',
    severity: v.severity,
    value: sample.value,
    threshold: v.threshold,
    activeSinceUs,
    firingSinceUs: fires ? (live?.firingSinceUs ?? nowUs) : null,
    resolvedAtUs: null,
    lastBreachedUs: nowUs,
    lastEvaluatedUs: nowUs,
    noData: v.noData,
  };
}
