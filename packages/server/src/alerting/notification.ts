import type { AlertSeverity } from '@spoor/model';

/** One alert as a notification carries it. Times are ISO-8601. */
export interface NotifiedAlert {
  rule: string;
  status: 'firing' | 'resolved';
  severity: AlertSeverity;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The expression's value when last evaluated; `null` when there was no data. */
  value: number | null;
  threshold: number | null;
  activeSince: string;
  firingSince: string | null;
  resolvedAt: string | null;
  /** Where to look: the trace list filtered by the alert's span labels, and the dashboard's alert view. */
  links: { traces: string; alerts: string };
}

/**
 * What a receiver gets: one group of alerts (alerts sharing the rule's `groupBy` labels), shaped
 * like Alertmanager's webhook payload so existing receivers need little change.
 */
export interface Notification {
  version: 1;
  receiver: string;
  /** `firing` when any alert of the group fires, else `resolved`. */
  status: 'firing' | 'resolved';
  /** Identifies the group across notifications: rule name and group labels. */
  groupKey: string;
  groupLabels: Record<string, string>;
  /** Labels and annotations every alert of the group has with the same value. */
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  alerts: NotifiedAlert[];
  /** The Spoor server's own address, for links. */
  externalUrl: string;
  sentAt: string;
}

/** How a delivery ended, reported once per notification after the last attempt. */
export interface DeliveryResult {
  receiver: string;
  groupKey: string;
  ok: boolean;
  attempts: number;
  /** Why the last attempt failed (status and a bounded part of the body, or the network error). */
  error: string | null;
}

/** A delivery's line in the alert history: `delivered after 1 attempt`, `gave up after 5 attempts: HTTP 500`. */
export function deliveryDetail(result: Pick<DeliveryResult, 'ok' | 'attempts' | 'error'>): string {
  const attempts = `${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`;
  return result.ok ? `delivered after ${attempts}` : `gave up after ${attempts}: ${result.error ?? 'unknown error'}`;
}

/** A receiver as the rules file declares it under `receivers:`. Exactly one kind per receiver. */
export type ReceiverConfig = { name: string; webhook: WebhookConfig } | { name: string; slack: SlackConfig } | { name: string; log: LogReceiverConfig };

export interface WebhookConfig {
  url: string;
  /** Signs each body with HMAC-SHA256 (header `X-Spoor-Signature: sha256=<hex>`); read from the environment when written `env:NAME`. */
  secret?: string;
  headers?: Record<string, string>;
  /** Per attempt. Default `10s`. */
  timeout?: string;
  /** Attempts before giving up, the first included. Default 5. */
  maxAttempts?: number;
}

export interface SlackConfig {
  /** A Slack (or Mattermost, Rocket.Chat, …) incoming-webhook URL. */
  url: string;
  channel?: string;
  timeout?: string;
  maxAttempts?: number;
}

export interface LogReceiverConfig {
  level?: 'info' | 'warn' | 'error';
}

/** Delivers notifications. `send` only enqueues: it never waits on the network and never throws. */
export interface Notifier {
  readonly name: string;
  send(notification: Notification): void;
  /**
   * Waits for what is queued or in flight to finish, up to `timeoutMs`, then drops the rest; each
   * dropped notification (and any `send` after `close`) is still reported as a failed delivery.
   */
  close(timeoutMs: number): Promise<void>;
}
