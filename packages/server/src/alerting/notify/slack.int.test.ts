import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryResult } from '../notification.js';
import { SlackNotifier, slackMessage } from './slack.js';
import { notification, notifiedAlert } from './test-notifications.js';

let server: Server | null = null;
let notifier: SlackNotifier | null = null;

afterEach(async () => {
  await notifier?.close(0);
  notifier = null;
  server?.closeAllConnections();
  await new Promise((resolve) => (server === null ? resolve(undefined) : server.close(resolve)));
  server = null;
});

/** A Slack-like incoming webhook on loopback: `statuses` answer the requests in turn, then 200 `ok`. */
async function startSlack(statuses: number[]): Promise<{ url: string; requests: { path: string; headers: IncomingHttpHeaders; body: string }[] }> {
  const requests: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = statuses[requests.length - 1] ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain', ...(status === 429 ? { 'retry-after': '2' } : {}) });
      res.end(status === 200 ? 'ok' : status === 429 ? 'rate_limited' : 'no_service');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/XXXXSECRET`, requests };
}

const NOTIFICATION = notification(
  [
    notifiedAlert({
      labels: { alertname: 'high-error-rate', severity: 'critical' },
      annotations: { summary: 'Error rate is 12%' },
      links: { traces: 'http://spoor.test/traces', alerts: 'http://spoor.test/alerts' },
    }),
  ],
  { receiver: 'team-slack' },
);

describe('SlackNotifier', () => {
  it('posts the Slack message, retrying a 429 after its Retry-After, and keeps the webhook path out of the logs', async () => {
    const slack = await startSlack([429, 404]);
    const results: DeliveryResult[] = [];
    const delays: number[] = [];
    const lines: string[] = [];
    const log = (obj: object, msg: string) => lines.push(JSON.stringify({ ...obj, msg }));
    let done: () => void = () => {};
    const settled = new Promise<void>((resolve) => (done = resolve));
    notifier = new SlackNotifier(
      'team-slack',
      { url: slack.url, channel: '#alerts' },
      {
        onResult: (result) => {
          results.push(result);
          done();
        },
        logger: { info: log, warn: log, error: log },
        sleep: async (ms) => {
          delays.push(ms);
        },
      },
    );
    notifier.send(NOTIFICATION);
    await settled;

    expect(results).toEqual([{ receiver: 'team-slack', groupKey: 'high-error-rate{}', ok: false, attempts: 2, error: 'HTTP 404: no_service' }]);
    expect(delays).toEqual([2000]);
    expect(slack.requests[0]!.path).toBe('/services/T000/B000/XXXXSECRET');
    expect(slack.requests[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(slack.requests[0]!.body)).toEqual(slackMessage(NOTIFICATION, '#alerts'));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toContain('"url":"http://127.0.0.1:');
      expect(line).not.toContain('XXXXSECRET');
      expect(line).not.toContain('/services');
    }
  });
});

describe('SlackNotifier with its URL in the environment', () => {
  it('reads env:NAME when made, and posts to that URL', async () => {
    const slack = await startSlack([]);
    process.env.SPOOR_TEST_SLACK_URL = slack.url;
    try {
      let done: () => void = () => {};
      const settled = new Promise<void>((resolve) => (done = resolve));
      const results: DeliveryResult[] = [];
      const quiet = () => {};
      notifier = new SlackNotifier(
        'team-slack',
        { url: 'env:SPOOR_TEST_SLACK_URL' },
        {
          onResult: (result) => {
            results.push(result);
            done();
          },
          logger: { info: quiet, warn: quiet, error: quiet },
        },
      );
      notifier.send(NOTIFICATION);
      await settled;
      expect(results).toEqual([{ receiver: 'team-slack', groupKey: 'high-error-rate{}', ok: true, attempts: 1, error: null }]);
      expect(slack.requests.map((r) => r.path)).toEqual(['/services/T000/B000/XXXXSECRET']);
    } finally {
      delete process.env.SPOOR_TEST_SLACK_URL;
    }
  });
});
