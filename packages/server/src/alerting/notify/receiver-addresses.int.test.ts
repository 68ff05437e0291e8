import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ReceiversInForce } from '../receivers-in-force.js';
import type { DeliveryResult, Notifier } from '../notification.js';
import type { NotifierDeps } from './delivery.js';
import { type ResolveHost, refusedAddress } from './receiver-addresses.js';
import { notification, notifiedAlert } from './test-notifications.js';
import { WebhookNotifier } from './webhook.js';

/**
 * A receiver made through the API connects only to addresses it may, by what its host name
 * resolves to when it sends: a name of the admin's own may point at the cloud's metadata service,
 * or point elsewhere the next time it is asked. Names here resolve through a resolver of the
 * test's (the system's for `localhost`); the webhook listens on loopback.
 */

const servers: Server[] = [];
const notifiers: Notifier[] = [];
afterEach(async () => {
  await Promise.all(notifiers.splice(0).map((n) => n.close(0)));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A loopback webhook that closes each connection after answering: every request opens (and resolves) anew. */
async function loopbackWebhook(): Promise<{ port: number; hosts: string[] }> {
  const hosts: string[] = [];
  const server = createServer((req, res) => {
    req.resume().on('end', () => {
      hosts.push(req.headers.host ?? '');
      res.writeHead(200, { connection: 'close' }).end('ok');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, hosts };
}

/** Notifier deps whose results are kept; each `settled(n)` waits for the n-th. */
function deps(overrides: Partial<NotifierDeps> = {}) {
  const results: DeliveryResult[] = [];
  const waiting: Array<{ count: number; wake: () => void }> = [];
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  return {
    results,
    settled: (count: number): Promise<DeliveryResult[]> =>
      results.length >= count ? Promise.resolve(results) : new Promise((wake) => waiting.push({ count, wake: () => wake(results) })),
    deps: {
      logger: quiet,
      sleep: async () => {},
      random: () => 0.5,
      onResult: (result: DeliveryResult) => {
        results.push(result);
        for (const w of waiting.filter((w) => results.length >= w.count)) w.wake();
      },
      ...overrides,
    } satisfies NotifierDeps,
  };
}

const message = (sentAt: string) => notification([notifiedAlert()], { receiver: 'ops', groupKey: 'g', commonLabels: { alertname: 'x' }, sentAt });

/** A resolver that answers each name from the table, in turn when it lists several answers (a name that rebinds). */
function resolver(table: Record<string, string[]>): ResolveHost & { asked: string[] } {
  const asked: string[] = [];
  const turns = new Map<string, number>();
  const resolve = async (hostname: string) => {
    asked.push(hostname);
    const answers = table[hostname];
    if (answers === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const turn = turns.get(hostname) ?? 0;
    turns.set(hostname, turn + 1);
    const address = answers[Math.min(turn, answers.length - 1)]!;
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };
  return Object.assign(resolve, { asked });
}

describe('refusedAddress', () => {
  it.each([
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['fd00:ec2::254', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
  ])('refuses %s (%s)', (address, why) => {
    expect(refusedAddress(address)).toContain(why);
  });

  it.each(['127.0.0.1', '::1', '10.1.2.3', '192.168.1.10', '172.16.0.5', '93.184.215.14', '2606:4700::1111'])('allows %s', (address) => {
    expect(refusedAddress(address)).toBeNull();
  });
});

describe('an API receiver, by the address its name resolves to when it sends', () => {
  it('posts to a name that resolves to loopback, connecting to the address it checked', async () => {
    const hook = await loopbackWebhook();
    const resolve = resolver({ 'hooks.test': ['127.0.0.1'] });
    const run = deps({ checkAddresses: { resolve } });
    const notifier = new WebhookNotifier('ops', { url: `http://hooks.test:${hook.port}/hook` }, run.deps);
    notifiers.push(notifier);
    notifier.send(message('1'));
    expect(await run.settled(1)).toMatchObject([{ ok: true, attempts: 1 }]);
    // The system cannot resolve `hooks.test`: the request went where the check's resolution said.
    expect(hook.hosts).toEqual([`hooks.test:${hook.port}`]);
    expect(resolve.asked).toEqual(['hooks.test']);
  });

  it('posts to localhost, as the system resolves it', async () => {
    const hook = await loopbackWebhook();
    const run = deps({ checkAddresses: {} });
    const notifier = new WebhookNotifier('ops', { url: `http://localhost:${hook.port}/hook` }, run.deps);
    notifiers.push(notifier);
    notifier.send(message('1'));
    expect(await run.settled(1)).toMatchObject([{ ok: true }]);
    expect(hook.hosts).toEqual([`localhost:${hook.port}`]);
  });

  it('refuses a name that resolves to the metadata service, once, not retried, naming the address', async () => {
    const run = deps({ checkAddresses: { resolve: resolver({ 'meta.test': ['169.254.169.254'] }) } });
    const notifier = new WebhookNotifier('ops', { url: 'http://meta.test/latest/meta-data/' }, run.deps);
    notifiers.push(notifier);
    notifier.send(message('1'));
    const [result] = await run.settled(1);
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result!.error).toContain('meta.test resolves to 169.254.169.254, a link-local address');
  });

  it('refuses a name that answered loopback once and the metadata service the next time it is asked', async () => {
    const hook = await loopbackWebhook();
    const resolve = resolver({ 'rebind.test': ['127.0.0.1', '169.254.169.254'] });
    const run = deps({ checkAddresses: { resolve } });
    const notifier = new WebhookNotifier('ops', { url: `http://rebind.test:${hook.port}/hook` }, run.deps);
    notifiers.push(notifier);
    notifier.send(message('1'));
    await run.settled(1);
    notifier.send(message('2'));
    const results = await run.settled(2);
    expect(results.map((r) => r.ok)).toEqual([true, false]);
    expect(results[1]!.error).toContain('169.254.169.254');
    expect(hook.hosts).toHaveLength(1);
    expect(resolve.asked).toEqual(['rebind.test', 'rebind.test']);
  });

  it("checks the API's receivers and leaves the rules file's as the operator wrote them", async () => {
    const resolve = resolver({ 'meta.test': ['169.254.169.254'] });
    const run = deps({ checkAddresses: { resolve } });
    const receivers = new ReceiversInForce(run.deps);
    receivers.useFile([
      { name: 'log', log: {} },
      { name: 'operator', webhook: { url: 'http://meta.test/hook', maxAttempts: 1 } },
    ]);
    receivers.setApi({ name: 'admin', webhook: { url: 'http://meta.test/hook', maxAttempts: 1 } }, 1, 1);
    try {
      receivers.notifier('operator')!.send(message('1'));
      receivers.notifier('admin')!.send(message('2'));
      const results = await run.settled(2);
      const byReceiver = new Map(results.map((r) => [r.receiver, r.error ?? '']));
      // The file's receiver asked the system, which does not know the name; the API's was refused by the check.
      expect(byReceiver.get('operator')).toContain('ENOTFOUND');
      expect(byReceiver.get('admin')).toContain('meta.test resolves to 169.254.169.254');
      expect(resolve.asked).toEqual(['meta.test']);
    } finally {
      await receivers.close(0);
    }
  });
});
