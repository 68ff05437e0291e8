import { type IncomingHttpHeaders, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryResult, Notification, WebhookConfig } from '../notification.js';
import type { NotifierDeps, NotifyLogger } from './delivery.js';
import { WebhookNotifier, verifySignature } from './webhook.js';
import { notification, notifiedAlert } from './test-notifications.js';

interface Request {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** `<groupKey>:<sentAt>` of the notification in the body. */
  id: string;
}

/** Answers request number `index` (from 0); may keep `res` to answer later. */
type Handler = (request: Request, res: ServerResponse, index: number) => void;

interface Receiver {
  url: string;
  requests: Request[];
  /** Resolves once `count` requests have arrived. */
  received(count: number): Promise<void>;
}

const servers: Server[] = [];
const notifiers: WebhookNotifier[] = [];

afterEach(async () => {
  // Notifiers first: closing aborts what they still have in flight against the receivers.
  await Promise.all(notifiers.splice(0).map((notifier) => notifier.close(0)));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function startReceiver(handler: Handler = (_request, res) => res.end('ok')): Promise<Receiver> {
  const requests: Request[] = [];
  const waiting: { count: number; wake: () => void }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const parsed = JSON.parse(body) as Notification;
      const request = { url: req.url ?? '', headers: req.headers, body, id: `${parsed.groupKey}:${parsed.sentAt}` };
      requests.push(request);
      for (const w of waiting.filter((w) => requests.length >= w.count)) w.wake();
      handler(request, res, requests.length - 1);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    received: (count) => (requests.length >= count ? Promise.resolve() : new Promise((wake) => waiting.push({ count, wake }))),
  };
}

/** A port nothing listens on: a server's, after it closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The notification these tests send, of group `groupKey`; `sentAt` tells copies apart. */
function notificationOf(groupKey = 'high-error-rate', sentAt = '1'): Notification {
  return notification(
    [
      notifiedAlert({
        annotations: { summary: 'Error rate of rag is 12%' },
        links: { traces: 'http://spoor.test/traces?service=rag', alerts: 'http://spoor.test/alerts' },
      }),
    ],
    {
      receiver: 'ops',
      groupKey,
      commonLabels: { alertname: 'high-error-rate', severity: 'critical' },
      sentAt,
    },
  );
}

interface Harness {
  results: DeliveryResult[];
  /** The backoff delays asked for, in order. */
  delays: number[];
  logLines: string[];
  /** Resolves once `count` results are in. */
  settled(count: number): Promise<DeliveryResult[]>;
  deps: NotifierDeps;
}

function harness(overrides: Partial<NotifierDeps> = {}): Harness {
  const results: DeliveryResult[] = [];
  const delays: number[] = [];
  const logLines: string[] = [];
  const waiting: { count: number; wake: () => void }[] = [];
  const line = (level: string) => (obj: object, msg: string) => logLines.push(JSON.stringify({ level, ...obj, msg }));
  const logger: NotifyLogger = { info: line('info'), warn: line('warn'), error: line('error') };
  return {
    results,
    delays,
    logLines,
    settled: async (count) => {
      if (results.length < count) await new Promise<void>((wake) => waiting.push({ count, wake }));
      return results;
    },
    deps: {
      onResult: (result) => {
        results.push(result);
        for (const w of waiting.filter((w) => results.length >= w.count)) w.wake();
      },
      logger,
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
      ...overrides,
    },
  };
}

function webhook(config: WebhookConfig, deps: NotifierDeps): WebhookNotifier {
  const notifier = new WebhookNotifier('ops', config, deps);
  notifiers.push(notifier);
  return notifier;
}

function answer(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(body);
}

describe('WebhookNotifier', () => {
  it('posts the notification as JSON with a signature the receiver can verify', async () => {
    const receiver = await startReceiver();
    const h = harness();
    const sent = notificationOf();
    webhook({ url: receiver.url, secret: 'hook-secret', headers: { 'X-Team': 'ml' } }, h.deps).send(sent);

    expect(await h.settled(1)).toEqual([{ receiver: 'ops', groupKey: 'high-error-rate', ok: true, attempts: 1, error: null }]);
    const [request] = receiver.requests;
    expect(request!.body).toBe(JSON.stringify(sent));
    expect(request!.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'spoor-alerting/1', 'x-team': 'ml' });
    const timestamp = request!.headers['x-spoor-timestamp'] as string;
    const signature = request!.headers['x-spoor-signature'] as string;
    expect(verifySignature('hook-secret', timestamp, request!.body, signature, Date.now() / 1000)).toBe(true);
    expect(verifySignature('other-secret', timestamp, request!.body, signature, Date.now() / 1000)).toBe(false);
  });

  it('sends no signature headers without a secret', async () => {
    const receiver = await startReceiver();
    const h = harness();
    webhook({ url: receiver.url }, h.deps).send(notificationOf());
    await h.settled(1);
    expect(receiver.requests[0]!.headers).not.toHaveProperty('x-spoor-signature');
    expect(receiver.requests[0]!.headers).not.toHaveProperty('x-spoor-timestamp');
  });

  it('signs with an env: secret read when the notifier was created', async () => {
    const receiver = await startReceiver();
    const h = harness();
    process.env.SPOOR_TEST_WEBHOOK_SECRET = 'from-env';
    const notifier = webhook({ url: receiver.url, secret: 'env:SPOOR_TEST_WEBHOOK_SECRET' }, h.deps);
    delete process.env.SPOOR_TEST_WEBHOOK_SECRET;
    notifier.send(notificationOf());
    await h.settled(1);
    const { headers, body } = receiver.requests[0]!;
    expect(verifySignature('from-env', headers['x-spoor-timestamp'] as string, body, headers['x-spoor-signature'] as string, Date.now() / 1000)).toBe(true);
  });

  it('retries a 500 with backoff and reports the success', async () => {
    const receiver = await startReceiver((_request, res, index) => (index < 2 ? answer(res, 500, 'busy') : answer(res, 200, 'ok')));
    const h = harness();
    webhook({ url: receiver.url }, h.deps).send(notificationOf());
    expect(await h.settled(1)).toEqual([{ receiver: 'ops', groupKey: 'high-error-rate', ok: true, attempts: 3, error: null }]);
    expect(receiver.requests).toHaveLength(3);
    // random() = 0.5 of 1 s, then of 2 s.
    expect(h.delays).toEqual([500, 1000]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const receiver = await startReceiver((_request, res, index) => answer(res, 500, `boom ${index + 1}\n  at handler`));
    const h = harness();
    webhook({ url: receiver.url, maxAttempts: 3 }, h.deps).send(notificationOf());
    expect(await h.settled(1)).toEqual([{ receiver: 'ops', groupKey: 'high-error-rate', ok: false, attempts: 3, error: 'HTTP 500: boom 3 at handler' }]);
    expect(receiver.requests).toHaveLength(3);
    expect(h.delays).toHaveLength(2);
  });

  it('keeps only the start of a long error body', async () => {
    const receiver = await startReceiver((_request, res) => answer(res, 400, 'x'.repeat(100_000)));
    const h = harness();
    webhook({ url: receiver.url }, h.deps).send(notificationOf());
    const [result] = await h.settled(1);
    expect(result!.error).toBe(`HTTP 400: ${'x'.repeat(200)}`);
  });

  it.each([400, 401, 404, 422])('fails at once on %i', async (status) => {
    const receiver = await startReceiver((_request, res) => answer(res, status, 'bad request'));
    const h = harness();
    webhook({ url: receiver.url }, h.deps).send(notificationOf());
    expect(await h.settled(1)).toEqual([{ receiver: 'ops', groupKey: 'high-error-rate', ok: false, attempts: 1, error: `HTTP ${status}: bad request` }]);
    expect(receiver.requests).toHaveLength(1);
    expect(h.delays).toEqual([]);
  });

  it.each([408, 429, 502, 503, 504])('retries %i', async (status) => {
    const receiver = await startReceiver((_request, res, index) => answer(res, index === 0 ? status : 204));
    const h = harness();
    webhook({ url: receiver.url }, h.deps).send(notificationOf());
    expect(await h.settled(1)).toEqual([{ receiver: 'ops', groupKey: 'high-error-rate', ok: true, attempts: 2, error: null }]);
  });

  it('waits as a 429 Retry-After says, up to the 60 s cap', async () => {
    const retryAfter = ['7', '3600'];
    const receiver = await startReceiver((_request, res, index) =>
      index < retryAfter.length ? answer(res, 429, 'slow down', { 'retry-after': retryAfter[index]! }) : answer(res, 200),
    );
    const h = harness();
    webhook({ url: receiver.url }, h.deps).send(notificationOf());
    expect((await h.settled(1))[0]).toMatchObject({ ok: true, attempts: 3 });
    expect(h.delays).toEqual([7000, 60_000]);
  });

  it('keeps every backoff delay within the full-jitter bounds of base 1 s and cap 60 s', async () => {
    const receiver = await startReceiver((_request, res) => answer(res, 503));
    const h = harness({ random: Math.random });
    webhook({ url: receiver.url, maxAttempts: 12 }, h.deps).send(notificationOf());
    expect((await h.settled(1))[0]).toMatchObject({ ok: false, attempts: 12, error: 'HTTP 503' });
    expect(h.delays).toHaveLength(11);
    h.delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(60_000, 1000 * 2 ** i));
    });
  });

  it('reaches the cap when the draw is at its top', async () => {
    const receiver = await startReceiver((_request, res) => answer(res, 503));
    const h = harness({ random: () => 0.9999 });
    webhook({ url: receiver.url, maxAttempts: 9 }, h.deps).send(notificationOf());
    await h.settled(1);
    expect(h.delays).toEqual([999, 1999, 3999, 7999, 15_998, 31_996, 59_994, 59_994]);
  });

  it('times out an attempt the receiver never answers, and retries it', async () => {
    const receiver = await startReceiver(() => {
      // Never answers.
    });
    const h = harness();
    webhook({ url: receiver.url, timeout: '200ms', maxAttempts: 2 }, h.deps).send(notificationOf());
    expect(await h.settled(1)).toEqual([{ receiver: 'ops', groupKey: 'high-error-rate', ok: false, attempts: 2, error: 'timeout after 200ms' }]);
    expect(receiver.requests).toHaveLength(2);
  });

  it('retries when the connection is refused', async () => {
    const port = await closedPort();
    const h = harness();
    webhook({ url: `http://127.0.0.1:${port}/hook`, maxAttempts: 2 }, h.deps).send(notificationOf());
    const [result] = await h.settled(1);
    expect(result).toMatchObject({ ok: false, attempts: 2 });
    expect(result!.error).toMatch(/^fetch failed: .*ECONNREFUSED/);
  });

  it('drops the oldest waiting notification when the queue is full', async () => {
    const held: ServerResponse[] = [];
    const receiver = await startReceiver((_request, res) => held.push(res));
    const h = harness({ maxQueueSize: 2 });
    const notifier = webhook({ url: receiver.url }, h.deps);
    // One group: the first is in flight, the others wait behind it.
    for (const sentAt of ['1', '2', '3', '4']) notifier.send(notificationOf('g', sentAt));

    expect(await h.settled(1)).toEqual([{ receiver: 'ops', groupKey: 'g', ok: false, attempts: 0, error: 'dropped: queue full' }]);
    expect(h.logLines.some((line) => line.includes('notification queue full'))).toBe(true);
    await receiver.received(1);
    held.shift()!.end('ok');
    await receiver.received(2);
    held.shift()!.end('ok');
    await receiver.received(3);
    held.shift()!.end('ok');
    await h.settled(4);
    expect(receiver.requests.map((r) => r.id)).toEqual(['g:1', 'g:3', 'g:4']);
    expect(h.results.filter((r) => r.ok)).toHaveLength(3);
  });

  it("keeps a group's notifications in order while other groups go ahead", async () => {
    const held: ServerResponse[] = [];
    const receiver = await startReceiver((request, res) => (request.id === 'a:1' ? held.push(res) : res.end('ok')));
    const h = harness();
    const notifier = webhook({ url: receiver.url }, h.deps);
    notifier.send(notificationOf('a', '1'));
    notifier.send(notificationOf('a', '2'));
    notifier.send(notificationOf('b', '1'));

    await h.settled(1);
    await receiver.received(2);
    expect(h.results.map((r) => r.groupKey)).toEqual(['b']);
    expect(receiver.requests.map((r) => r.id).sort()).toEqual(['a:1', 'b:1']);
    held[0]!.end('ok');
    await h.settled(3);
    expect(receiver.requests.map((r) => r.id)[2]).toBe('a:2');
    expect(h.results.map((r) => r.groupKey)).toEqual(['b', 'a', 'a']);
  });

  it('has at most four deliveries in flight', async () => {
    const held: ServerResponse[] = [];
    let holding = true;
    const receiver = await startReceiver((_request, res) => (holding ? held.push(res) : res.end('ok')));
    const h = harness();
    const notifier = webhook({ url: receiver.url }, h.deps);
    for (const group of ['a', 'b', 'c', 'd', 'e', 'f']) notifier.send(notificationOf(group));

    await receiver.received(4);
    // Give a fifth request the chance to arrive, were it sent.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.requests).toHaveLength(4);
    holding = false;
    for (const res of held.splice(0)) res.end('ok');
    expect((await h.settled(6)).every((r) => r.ok)).toBe(true);
    expect(
      receiver.requests
        .map((r) => r.id)
        .slice(4)
        .sort(),
    ).toEqual(['e:1', 'f:1']);
  });

  it('close waits for queued and in-flight deliveries', async () => {
    // Each notification fails once, then goes through.
    const seen = new Set<string>();
    const receiver = await startReceiver((request, res) => (seen.has(request.id) ? answer(res, 200) : (seen.add(request.id), answer(res, 500))));
    const h = harness();
    const notifier = webhook({ url: receiver.url }, h.deps);
    for (const sentAt of ['1', '2', '3']) notifier.send(notificationOf('a', sentAt));
    notifier.send(notificationOf('b'));
    await notifier.close(30_000);
    expect(h.results).toHaveLength(4);
    expect(h.results.every((r) => r.ok && r.attempts === 2)).toBe(true);
  });

  it('close gives up on what is left after its timeout, and later sends are dropped', async () => {
    const receiver = await startReceiver(() => {
      // Never answers.
    });
    const h = harness();
    const notifier = webhook({ url: receiver.url }, h.deps);
    notifier.send(notificationOf('a', '1'));
    notifier.send(notificationOf('a', '2'));
    await receiver.received(1);
    await notifier.close(50);
    notifier.send(notificationOf('b'));
    expect(h.results).toEqual([
      { receiver: 'ops', groupKey: 'a', ok: false, attempts: 0, error: 'dropped: notifier closed' },
      { receiver: 'ops', groupKey: 'a', ok: false, attempts: 1, error: 'aborted: notifier closed' },
      { receiver: 'ops', groupKey: 'b', ok: false, attempts: 0, error: 'dropped: notifier closed' },
    ]);
  });

  it("keeps the URL's secret parts, the secret and header values out of every log line and result", async () => {
    const receiver = await startReceiver((request, res, index) =>
      // Error pages that echo what they got, as Express's `Cannot POST /path` does.
      answer(res, index < 2 ? 503 : 404, `Cannot POST ${request.url} (${request.headers['x-api-key']}, ${request.headers.authorization})`),
    );
    const h = harness();
    const { host } = new URL(receiver.url);
    const url = `http://hookuser:hookpass123@${host}/hooks/T0SECRETPATH?token=QUERYSECRET`;
    webhook({ url, secret: 'SIGNINGSECRET', headers: { 'X-Api-Key': 'APIKEYSECRET' } }, h.deps).send(notificationOf());
    await h.settled(1);

    const authorization = `Basic ${Buffer.from('hookuser:hookpass123').toString('base64')}`;
    expect(receiver.requests[0]!.headers.authorization).toBe(authorization);
    expect(receiver.requests[0]!.url).toBe('/hooks/T0SECRETPATH?token=QUERYSECRET');
    const written = [...h.logLines, ...h.results.map((r) => JSON.stringify(r))];
    expect(h.logLines.length).toBeGreaterThan(0);
    expect(written.join('\n')).toContain(`"url":"http://${host}/…"`);
    for (const secret of ['hookuser', 'hookpass123', 'T0SECRETPATH', 'QUERYSECRET', 'SIGNINGSECRET', 'APIKEYSECRET', authorization]) {
      for (const line of written) expect(line).not.toContain(secret);
    }
    expect(h.results[0]).toMatchObject({ ok: false, attempts: 3, error: 'HTTP 404: Cannot POST … (…, Basic …)' });
  });
});
