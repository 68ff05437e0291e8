import type { AlertSeverity } from '@spoor/model';
import type { NotifiedAlert, Notification, Notifier, SlackConfig } from '../notification.js';
import { HttpDelivery, type NotifierDeps, maxAttemptsFrom, timeoutMsFrom } from './delivery.js';
import { resolveSecret } from './webhook.js';

/** Slack's limits (api.slack.com/reference/block-kit/blocks): section text and button URLs 3,000 characters, header text 150. */
const MAX_TEXT = 3000;
const MAX_HEADER = 150;
/** Alerts listed one by one; the rest are counted ("and 3 more"), keeping the message readable and under 50 blocks. */
const MAX_LISTED_ALERTS = 10;

const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

export type SlackText = { type: 'plain_text' | 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text: SlackText; accessory?: { type: 'button'; text: SlackText; url: string } }
  | { type: 'context'; elements: SlackText[] };

/** A Slack incoming-webhook body. `text` is what notifications and clients without blocks show. */
export interface SlackMessage {
  channel?: string;
  text: string;
  blocks: SlackBlock[];
}

/**
 * One line for a notification: `[FIRING:2] high-error-rate (critical)`, `[RESOLVED] high-error-rate
 * service=rag (warning)`. Group labels other than the rule name tell groups of one rule apart; the
 * severity is the highest among the firing alerts (among all when resolved).
 */
export function notificationTitle(notification: Notification): string {
  const firing = notification.alerts.filter((alert) => alert.status === 'firing');
  const state = notification.status === 'firing' ? `[FIRING:${firing.length}]` : '[RESOLVED]';
  const rule = notification.groupLabels.alertname ?? notification.alerts[0]?.rule ?? notification.groupKey;
  const groupLabels = Object.entries(notification.groupLabels)
    .filter(([name]) => name !== 'alertname' && name !== 'severity')
    .map(([name, value]) => `${name}=${value}`);
  const severity = highestSeverity(notification.status === 'firing' ? firing : notification.alerts);
  return [state, rule, ...groupLabels, ...(severity === null ? [] : [`(${severity})`])].join(' ');
}

/** The Slack body for a notification: a header, one section per alert (up to ten), and a count of the rest. */
export function slackMessage(notification: Notification, channel?: string): SlackMessage {
  const title = notificationTitle(notification);
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(title, MAX_HEADER) } }];
  for (const alert of notification.alerts.slice(0, MAX_LISTED_ALERTS)) blocks.push(alertSection(alert));
  const rest = notification.alerts.length - MAX_LISTED_ALERTS;
  if (rest > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `and ${rest} more` }] });
  return { ...(channel === undefined ? {} : { channel }), text: truncate(title, MAX_TEXT), blocks };
}

/**
 * The summary in bold and the description under it; the labels when the rule has neither
 * annotation. Then the state, severity, value and threshold, and a button to the alert's traces.
 */
function alertSection(alert: NotifiedAlert): SlackBlock {
  const { summary, description } = alert.annotations;
  const lines: string[] = [];
  if (summary !== undefined) lines.push(`*${escapeMrkdwn(summary)}*`);
  if (description !== undefined) lines.push(escapeMrkdwn(description));
  if (lines.length === 0) lines.push(`*${escapeMrkdwn(labelText(alert.labels) || alert.rule)}*`);
  const value = alert.value === null ? 'no data' : `value ${formatNumber(alert.value)}`;
  const threshold = alert.threshold === null ? '' : ` vs threshold ${formatNumber(alert.threshold)}`;
  lines.push(`${alert.status === 'firing' ? 'Firing' : 'Resolved'} · ${alert.severity} · ${value}${threshold}`);
  const section: SlackBlock = { type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), MAX_TEXT) } };
  // A cut URL leads nowhere: past the limit the button is left out rather than truncated.
  if (alert.links.traces !== '' && alert.links.traces.length <= MAX_TEXT) {
    section.accessory = { type: 'button', text: { type: 'plain_text', text: 'View traces' }, url: alert.links.traces };
  }
  return section;
}

function highestSeverity(alerts: readonly NotifiedAlert[]): AlertSeverity | null {
  let highest: AlertSeverity | null = null;
  for (const { severity } of alerts) if (highest === null || SEVERITY_RANK[severity] > SEVERITY_RANK[highest]) highest = severity;
  return highest;
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
}

/** Six significant digits and no float noise: 0.30000000000000004 reads 0.3. */
function formatNumber(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : String(value);
}

/** Slack's three control characters in mrkdwn (api.slack.com/reference/surfaces/formatting#escaping). */
function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** At most `max` characters, ending in `…` when cut; never half a surrogate pair or half an `&amp;`. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text
    .slice(0, max - 1)
    .replace(/[\uD800-\uDBFF]$/, '')
    .replace(/&[a-z]*$/, '');
  return `${cut}…`;
}

/** Posts each notification to a Slack (or compatible) incoming webhook, with the webhook's retries and queue. */
export class SlackNotifier implements Notifier {
  private readonly delivery: HttpDelivery;

  constructor(
    readonly name: string,
    config: SlackConfig,
    deps: NotifierDeps,
  ) {
    const field = `receiver '${name}': slack`;
    const headers = { 'content-type': 'application/json', 'user-agent': 'spoor-alerting/1' };
    const { channel } = config;
    this.delivery = new HttpDelivery(
      {
        receiver: name,
        // `env:NAME` read now: an unset variable stops the rules from loading, naming it.
        url: resolveSecret(config.url, `${field}.url`)!,
        timeoutMs: timeoutMsFrom(config.timeout, `${field}.timeout`),
        maxAttempts: maxAttemptsFrom(config.maxAttempts, `${field}.maxAttempts`),
        encode: (notification) => JSON.stringify(slackMessage(notification, channel)),
        headers: () => headers,
        secrets: [],
      },
      deps,
    );
  }

  send(notification: Notification): void {
    this.delivery.send(notification);
  }

  close(timeoutMs: number): Promise<void> {
    return this.delivery.close(timeoutMs);
  }
}
