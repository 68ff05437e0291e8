import type { LogReceiverConfig, NotifiedAlert, Notification, Notifier } from '../notification.js';
import type { NotifierDeps, NotifyLogger } from './delivery.js';
import { notificationTitle } from './slack.js';

/** What one log line carries besides its message (the notification's title). */
export interface NotificationLogFields {
  receiver: string;
  groupKey: string;
  status: Notification['status'];
  groupLabels: Record<string, string>;
  alerts: Pick<NotifiedAlert, 'rule' | 'status' | 'severity' | 'labels' | 'annotations' | 'value' | 'threshold'>[];
}

/** The fields of a notification's log line: enough to act on, without the links and timestamps. */
export function notificationLogFields(receiver: string, notification: Notification): NotificationLogFields {
  return {
    receiver,
    groupKey: notification.groupKey,
    status: notification.status,
    groupLabels: notification.groupLabels,
    alerts: notification.alerts.map(({ rule, status, severity, labels, annotations, value, threshold }) => ({
      rule,
      status,
      severity,
      labels,
      annotations,
      value,
      threshold,
    })),
  };
}

/**
 * Writes one structured line per notification to the server's log, at the configured level
 * (default `info`): for trying rules out, and for log pipelines that alert on their own.
 */
export class LogNotifier implements Notifier {
  private readonly write: NotifyLogger['info'];

  constructor(
    readonly name: string,
    config: LogReceiverConfig,
    private readonly deps: Pick<NotifierDeps, 'onResult' | 'logger'>,
  ) {
    const level = config.level ?? 'info';
    if (level !== 'info' && level !== 'warn' && level !== 'error') throw new Error(`receiver '${name}': log.level must be info, warn or error`);
    // Decided once; pino's methods need their logger as `this`.
    this.write = deps.logger[level].bind(deps.logger);
  }

  send(notification: Notification): void {
    this.write(notificationLogFields(this.name, notification), notificationTitle(notification));
    try {
      this.deps.onResult({ receiver: this.name, groupKey: notification.groupKey, ok: true, attempts: 1, error: null });
    } catch (cause) {
      this.deps.logger.error({ receiver: this.name, err: cause instanceof Error ? cause.message : String(cause) }, 'notification result handler failed');
    }
  }

  async close(_timeoutMs: number): Promise<void> {
    // Nothing is ever queued: each line is written in `send`.
  }
}
