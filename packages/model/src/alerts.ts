/** How bad an alert is; a rule may carry a warning and a critical threshold. */
export type AlertSeverity = 'info' | 'warning' | 'critical';
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['info', 'warning', 'critical'];

/**
 * What a rule does when its expression has no value for a label set (no spans in the window, a
 * metric that stopped): `ok` resolves, `alerting` counts as breached, `keep` keeps the last state,
 * `nodata` fires an alert of severity `info` whose value is `null`.
 */
export type NoDataBehaviour = 'ok' | 'alerting' | 'keep' | 'nodata';
export const NO_DATA_BEHAVIOURS: readonly NoDataBehaviour[] = ['ok', 'alerting', 'keep', 'nodata'];

/** A comparison of an expression's value with a threshold. */
export type ThresholdOp = '>' | '>=' | '<' | '<=' | '==' | '!=';

/**
 * A rule as written in the YAML file or sent to the API. Durations are text: `30s`, `5m`, `1h`.
 * The expression language is documented in docs/alerting.md ("Rule expressions").
 */
export interface AlertRuleSpec {
  /** Unique within the project; becomes the `alertname` label. */
  name: string;
  /** `p95(duration_ms{service="rag"})[5m] > 3000`, or without the comparison when `thresholds` is set. */
  expr: string;
  /** How long the condition must hold before the alert fires (pending until then). Default `0s`. */
  for?: string;
  /** How long an alert keeps firing after the condition cleared. Default `0s`. */
  keepFiringFor?: string;
  /** The severity of an expression with its own comparison. Default `warning`. */
  severity?: AlertSeverity;
  /** Two thresholds for an expression without a comparison: the critical one wins when both hold. */
  thresholds?: { op?: ThresholdOp; warning?: number; critical?: number };
  labels?: Record<string, string>;
  /** Templated with `{{ $value }}`, `{{ $threshold }}` and `{{ $labels.<name> }}`. */
  annotations?: Record<string, string>;
  /** The labels alerts are grouped by into one notification. Default `["alertname"]`. */
  groupBy?: string[];
  noData?: NoDataBehaviour;
  /** Receiver names, for every severity or per severity. Default: the file's `defaults.notify`. */
  notify?: string[] | Partial<Record<AlertSeverity, string[]>>;
  /** Wait before the first notification of a new group, to batch what fires together. Default `30s`. */
  groupWait?: string;
  /** Wait before notifying a group again about alerts added to it. Default `5m`. */
  groupInterval?: string;
  /** The cooldown: an unchanged firing group is notified again no sooner than this. Default `4h`. */
  repeatInterval?: string;
}

/**
 * Where a rule came from: the rules file (read-only through the API), the API, or the defaults a
 * new project starts with (`default`: as shipped; edited or deleted like an API rule, after an
 * edit it is `api`).
 */
export type AlertRuleSource = 'file' | 'api' | 'default';

/** `GET /api/alerts/rules` entries. */
export interface AlertRule {
  spec: AlertRuleSpec;
  source: AlertRuleSource;
  createdAt: string;
  updatedAt: string;
  health: {
    /** `null` until the rule was first evaluated. */
    lastEvaluatedAt: string | null;
    /** How long the last evaluation took, reads included. */
    durationMs: number | null;
    /**
     * Why the rule is not evaluated (it no longer compiles, say after the rules file dropped a
     * receiver it names) or why its last evaluation failed; `null` when all is well.
     */
    error: string | null;
  };
}

export interface AlertRuleListResponse {
  rules: AlertRule[];
  /** The rules file, when one is in use, and its last problem (line, column and reason), if any. */
  file: { path: string; error: string | null; loadedAt: string | null } | null;
  /** The receivers notifications can go to (`log`, Spoor's own log, always among them). */
  receivers: string[];
  /**
   * Firing alerts (not silenced or inhibited) whose notifications go to the `log` receiver
   * alone: nowhere anyone is told. The dashboard asks for a receiver while this is above 0.
   */
  unrouted: number;
}

/**
 * Where a receiver came from: the rules file (read-only through the API), the API (kept in the
 * store, per project), or `builtin`: `log`, Spoor's own log, which every project has.
 */
export type AlertReceiverSource = 'file' | 'api' | 'builtin';

/** `GET /api/alerts/receivers` entries: what a receiver does, never its secrets. */
export interface AlertReceiver {
  name: string;
  source: AlertReceiverSource;
  kind: 'webhook' | 'slack' | 'log';
  /** Whether notifications go to it: an API receiver named like one of the file's is hidden by it. */
  inForce: boolean;
  /** Scheme and host only (`https://hooks.example.com/…`): paths, queries and user info carry tokens. `null` for `log`. */
  url: string | null;
  /** Whether a webhook signs what it sends (the secret is never shown). */
  signed: boolean;
  /** The names of a webhook's extra headers (their values are never shown). */
  headers: string[];
  channel: string | null;
  level: 'info' | 'warn' | 'error' | null;
  timeout: string | null;
  maxAttempts: number | null;
  /** The rules whose notifications go to it. */
  usedBy: string[];
  /** `null` for the file's receivers and `log`. */
  createdAt: string | null;
  updatedAt: string | null;
}

export interface AlertReceiverListResponse {
  receivers: AlertReceiver[];
  /** The rules file whose receivers are in force (read-only here), or `null`: a project other than the default has none. */
  file: { path: string; error: string | null } | null;
}

/** An alert's state. `resolved` is where a firing alert goes when it stops; inactive ones are not listed. */
export type AlertState = 'pending' | 'firing' | 'resolved';

/** One alert: a rule and one of its label sets. `GET /api/alerts` lists the pending and firing ones. */
export interface Alert {
  rule: string;
  /** The rule's labels, the expression's `by` labels, `alertname` and `severity`. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: AlertState;
  severity: AlertSeverity;
  /** The expression's last value; `null` when there was no data. */
  value: number | null;
  threshold: number | null;
  /** When the condition started to hold (pending since). */
  activeSince: string;
  firingSince: string | null;
  resolvedAt: string | null;
  lastEvaluatedAt: string;
  /** Muted by a silence or by a firing critical alert of the same labels. */
  silenced: boolean;
  inhibited: boolean;
}

export interface AlertListResponse {
  alerts: Alert[];
}

/** `POST /api/alerts/silences`: who silences what, for how long. */
export interface SilenceRequest {
  matchers: LabelMatcher[];
  /** Default: now. */
  startsAt?: string;
  /** `endsAt` or `duration` (`2h`), not both. */
  endsAt?: string;
  duration?: string;
  createdBy: string;
  comment?: string;
}

/** An entry of `GET /api/alerts/history`: a state change or a notification. */
export interface AlertHistoryEntry {
  time: string;
  rule: string;
  labels: Record<string, string>;
  kind: 'pending' | 'firing' | 'resolved' | 'notified' | 'notify_failed';
  severity: AlertSeverity;
  value: number | null;
  /** For notifications: the receiver and, on failure, why. */
  receiver: string | null;
  detail: string | null;
}

export interface AlertHistoryResponse {
  entries: AlertHistoryEntry[];
  nextCursor: string | null;
}

/** A label matcher, as in Alertmanager: `=` `!=` `=~` `!~` (regular expressions match the whole value). */
export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** Mutes the notifications of the alerts all of whose labels match, until `endsAt`. */
export interface Silence {
  id: string;
  matchers: LabelMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export interface SilenceListResponse {
  silences: Silence[];
}
