import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { AlertHistoryResponse, AlertListResponse, AlertRuleListResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../src/alerting/notify/webhook.js';
import { type LoopbackWebhook, type ReceivedNotification, startLoopbackWebhook } from './support/loopback-webhook.js';
import { sleep, until } from './support/wait.js';
import { type TestServer, getJson, startTestServer } from './support/server.js';

/**
 * Alerting end to end, on the real clock: a server evaluating every second, a webhook receiver on
 * loopback, and failing spans sent by the OpenTelemetry SDK. The rule needs errors for 2 s before
 * it fires and notifies at most once an hour, and the server is restarted while the alert fires.
 * Its 10 s window keeps the alert firing across the restart, when no spans are sent, however long
 * a loaded machine takes to stop and start the server.
 */

const SECRET = 'integration-secret';
let received: ReceivedNotification[];
let receiver: LoopbackWebhook;
let receiverUrl: string;
let dir: string;
let rulesPath: string;
let server: TestServer | null = null;

async function sendFailingSpans(url: string, count: number): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    // A send refused by a stopping server must not retry for the default 10 s.
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${url}/v1/traces`, timeoutMillis: 1_000 }))],
  });
  const tracer = provider.getTracer('alerting-test');
  for (let i = 0; i < count; i++) {
    const span = tracer.startSpan('charge card');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
    span.end();
  }
  await provider.forceFlush();
  await provider.shutdown();
}

/**
 * Sends failing spans every 300 ms to the server of the moment until `stop`. `pause` waits for the
 * send in flight and sends no more until `resume`, so a server can be stopped between sends.
 */
function keepFailing(): { pause: () => Promise<void>; resume: () => void; stop: () => Promise<void> } {
  let running = true;
  let paused = false;
  let inFlight: Promise<void> = Promise.resolve();
  const loop = (async () => {
    while (running) {
      if (!paused && server !== null) {
        inFlight = sendFailingSpans(server.url, 2).catch(() => {});
        await inFlight;
      }
      await sleep(300);
    }
  })();
  return {
    pause: async () => {
      paused = true;
      await inFlight;
    },
    resume: () => {
      paused = false;
    },
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

beforeAll(async () => {
  receiver = await startLoopbackWebhook();
  received = receiver.received;
  receiverUrl = receiver.url;
  dir = await mkdtemp(join(tmpdir(), 'spoor-alerting-'));
  rulesPath = join(dir, 'alerts.yaml');
  process.env.SPOOR_TEST_WEBHOOK_SECRET = SECRET;
  await writeFile(
    rulesPath,
    `receivers:
  - name: oncall
    webhook: { url: "${receiverUrl}", secret: "env:SPOOR_TEST_WEBHOOK_SECRET", maxAttempts: 2 }
rules:
  - name: checkout-failing
    expr: errors(spans{service="checkout"})[10s] by (service) > 0
    for: 2s
    severity: critical
    notify: [oncall]
    groupBy: [service]
    groupWait: 0s
    groupInterval: 1s
    repeatInterval: 1h
    annotations:
      summary: "{{ $labels.service }} failed {{ $value }} times in 10s"
`,
  );
});

afterAll(async () => {
  await server?.stop();
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
  delete process.env.SPOOR_TEST_WEBHOOK_SECRET;
});

describe('alerting end to end', () => {
  it('notifies once after `for`, not again inside repeatInterval across a restart, and once when resolved', { timeout: 90_000 }, async () => {
    const dataDir = join(dir, 'data');
    // The file's rule alone: the default rules would fire on these failing spans too (default-alerts.int.test.ts).
    const start = () => startTestServer({ data: dataDir, alerts: rulesPath, alertInterval: '1s', defaultAlerts: 'off' });
    server = await start();
    const rules = await getJson<AlertRuleListResponse>(server.url, '/api/alerts/rules');
    expect(rules.body.file).toMatchObject({ path: rulesPath, error: null });
    expect(rules.body.rules.map((r) => [r.spec.name, r.source])).toEqual([['checkout-failing', 'file']]);

    const failing = keepFailing();
    const firstSentUs = Date.now() * 1000;
    const pending = await until('a pending alert', async () => {
      const { body } = await getJson<AlertListResponse>(server!.url, '/api/alerts');
      return body.alerts.find((a) => a.state === 'pending');
    });
    expect(pending.labels).toEqual({ service: 'checkout', alertname: 'checkout-failing', severity: 'critical' });
    expect(received).toHaveLength(0);

    await until('the firing notification', () => (received.length > 0 ? true : undefined));
    const firing = received[0]!;
    expect(firing.body.status).toBe('firing');
    expect(firing.body.receiver).toBe('oncall');
    expect(firing.body.groupLabels).toEqual({ service: 'checkout' });
    const [alert] = firing.body.alerts;
    expect(alert).toMatchObject({ rule: 'checkout-failing', status: 'firing', severity: 'critical', threshold: 0 });
    expect(alert!.value).toBeGreaterThan(0);
    expect(alert!.annotations.summary).toMatch(/^checkout failed \d+ times in 10s$/);
    expect(alert!.links.traces).toContain(`${server.url}/traces?`);
    expect(alert!.links.traces).toContain('service=checkout');
    expect(alert!.links.traces).toContain('status=error');
    // Fired only once the condition had held for `for`.
    expect(Date.parse(alert!.firingSince!) - Date.parse(alert!.activeSince)).toBeGreaterThanOrEqual(2000);
    expect(Date.parse(alert!.activeSince) * 1000).toBeGreaterThanOrEqual(firstSentUs - 1_000_000);
    const timestamp = firing.headers['x-spoor-timestamp'] as string;
    expect(verifySignature(SECRET, timestamp, firing.raw, firing.headers['x-spoor-signature'] as string, Date.now() / 1000)).toBe(true);

    // Still failing: evaluations go on, and a restart in the middle must not notify again.
    await sleep(2500);
    await failing.pause();
    await server.stop({ keepData: true });
    server = null;
    await sleep(500);
    server = await start();
    failing.resume();
    const restored = await getJson<AlertListResponse>(server.url, '/api/alerts');
    expect(restored.body.alerts).toEqual([expect.objectContaining({ state: 'firing', firingSince: alert!.firingSince })]);
    await sleep(4000);
    expect(received).toHaveLength(1);
    const still = await getJson<AlertListResponse>(server.url, '/api/alerts');
    expect(still.body.alerts.map((a) => a.state)).toEqual(['firing']);

    await failing.stop();
    // Resolved once the last error has left the 10 s window.
    await until('the resolved notification', () => (received.length > 1 ? true : undefined), 40_000);
    expect(received).toHaveLength(2);
    expect(received[1]!.body.status).toBe('resolved');
    expect(received[1]!.body.alerts).toEqual([expect.objectContaining({ status: 'resolved', firingSince: alert!.firingSince })]);

    // Nothing more once resolved, and the history tells the story, newest first (a delivery is
    // recorded with the round after it).
    await sleep(2000);
    expect(received).toHaveLength(2);
    const kinds = await until('both deliveries in the history', async () => {
      const history = await getJson<AlertHistoryResponse>(server!.url, '/api/alerts/history?rule=checkout-failing');
      const newestFirst = history.body.entries.map((e) => e.kind);
      return newestFirst.filter((k) => k === 'notified').length >= 2 ? newestFirst.reverse() : undefined;
    });
    expect(kinds.filter((k) => k !== 'notified')).toEqual(['pending', 'firing', 'resolved']);
    expect(kinds.filter((k) => k === 'notified')).toHaveLength(2);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('spoor_alert_rule_healthy{rule="checkout-failing",source="file"} 1');
    expect(metrics).not.toMatch(/^spoor_alerts\{/m);
  });
});
