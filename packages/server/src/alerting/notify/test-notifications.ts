import type { NotifiedAlert, Notification } from '../notification.js';

/** Builders of notifications for the notifiers' tests: a firing critical alert unless overridden. */

export function notifiedAlert(overrides: Partial<NotifiedAlert> = {}): NotifiedAlert {
  return {
    rule: 'high-error-rate',
    status: 'firing',
    severity: 'critical',
    labels: { alertname: 'high-error-rate', severity: 'critical', service: 'rag' },
    annotations: {},
    value: 0.12,
    threshold: 0.05,
    activeSince: '2025-01-01T00:00:00.000Z',
    firingSince: '2025-01-01T00:01:00.000Z',
    resolvedAt: null,
    links: { traces: 'http://spoor.test/traces?service=rag&status=error', alerts: 'http://spoor.test/alerts' },
    ...overrides,
  };
}

/** A notification of `alerts`, firing when any of them fires. */
export function notification(alerts: NotifiedAlert[] = [notifiedAlert()], overrides: Partial<Notification> = {}): Notification {
  return {
    version: 1,
    receiver: 'slack',
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    groupKey: 'high-error-rate{}',
    groupLabels: { alertname: 'high-error-rate' },
    commonLabels: {},
    commonAnnotations: {},
    alerts,
    externalUrl: 'http://spoor.test',
    sentAt: '2025-01-01T00:02:00.000Z',
    ...overrides,
  };
}
