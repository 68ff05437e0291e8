import { describe, expect, it } from 'vitest';
import type { DeliveryResult } from '../notification.js';
import type { NotifyLogger } from './delivery.js';
import { LogNotifier } from './log.js';
import { notification, notifiedAlert } from './test-notifications.js';

interface Line {
  level: string;
  obj: object;
  msg: string;
}

/** A logger that records its calls; like pino's, its methods need it as `this`. */
class RecordingLogger implements NotifyLogger {
  readonly lines: Line[] = [];
  info(obj: object, msg: string): void {
    this.lines.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg: string): void {
    this.lines.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg: string): void {
    this.lines.push({ level: 'error', obj, msg });
  }
}

const NOTIFICATION = notification(
  [
    notifiedAlert({
      rule: 'slow-llm',
      severity: 'warning',
      labels: { alertname: 'slow-llm', model: 'gpt-4o', severity: 'warning' },
      annotations: { summary: 'p95 latency of gpt-4o is 4.2 s' },
      value: 4200,
      threshold: 3000,
      firingSince: '2025-01-01T00:05:00.000Z',
      links: { traces: 'http://spoor.test/traces?model=gpt-4o', alerts: 'http://spoor.test/alerts' },
    }),
  ],
  {
    receiver: 'audit',
    groupKey: 'slow-llm{model="gpt-4o"}',
    groupLabels: { alertname: 'slow-llm', model: 'gpt-4o' },
    commonLabels: { alertname: 'slow-llm', model: 'gpt-4o' },
    sentAt: '2025-01-01T00:05:30.000Z',
  },
);

describe('LogNotifier', () => {
  it('writes one structured line per notification at info by default, and reports success', () => {
    const logger = new RecordingLogger();
    const results: DeliveryResult[] = [];
    new LogNotifier('audit', {}, { logger, onResult: (r) => results.push(r) }).send(NOTIFICATION);

    expect(logger.lines).toEqual([
      {
        level: 'info',
        msg: '[FIRING:1] slow-llm model=gpt-4o (warning)',
        obj: {
          receiver: 'audit',
          groupKey: 'slow-llm{model="gpt-4o"}',
          status: 'firing',
          groupLabels: { alertname: 'slow-llm', model: 'gpt-4o' },
          alerts: [
            {
              rule: 'slow-llm',
              status: 'firing',
              severity: 'warning',
              labels: { alertname: 'slow-llm', model: 'gpt-4o', severity: 'warning' },
              annotations: { summary: 'p95 latency of gpt-4o is 4.2 s' },
              value: 4200,
              threshold: 3000,
            },
          ],
        },
      },
    ]);
    expect(results).toEqual([{ receiver: 'audit', groupKey: 'slow-llm{model="gpt-4o"}', ok: true, attempts: 1, error: null }]);
  });

  it.each(['warn', 'error'] as const)('writes at %s when configured so', (level) => {
    const logger = new RecordingLogger();
    const notifier = new LogNotifier('audit', { level }, { logger, onResult: () => {} });
    notifier.send(NOTIFICATION);
    notifier.send({ ...NOTIFICATION, status: 'resolved', alerts: NOTIFICATION.alerts.map((a) => ({ ...a, status: 'resolved' as const })) });
    expect(logger.lines.map((line) => [line.level, line.msg])).toEqual([
      [level, '[FIRING:1] slow-llm model=gpt-4o (warning)'],
      [level, '[RESOLVED] slow-llm model=gpt-4o (warning)'],
    ]);
  });

  it('rejects an unknown level at creation', () => {
    expect(() => new LogNotifier('audit', { level: 'debug' as 'info' }, { logger: new RecordingLogger(), onResult: () => {} })).toThrow(
      "receiver 'audit': log.level must be info, warn or error",
    );
  });

  it('logs, rather than throws, when the result handler fails', () => {
    const logger = new RecordingLogger();
    const notifier = new LogNotifier(
      'audit',
      {},
      {
        logger,
        onResult: () => {
          throw new Error('history is full');
        },
      },
    );
    expect(() => notifier.send(NOTIFICATION)).not.toThrow();
    expect(logger.lines.at(-1)).toEqual({ level: 'error', obj: { receiver: 'audit', err: 'history is full' }, msg: 'notification result handler failed' });
  });
});
