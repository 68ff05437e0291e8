import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AlertReceiver, AlertReceiverListResponse, AlertRule } from '@spoor/model';
import { afterEach, describe, expect, it } from 'vitest';
import { verifySignature } from '../src/alerting/notify/webhook.js';
import { until } from './support/wait.js';
import { type LoopbackWebhook, startLoopbackWebhook } from './support/loopback-webhook.js';
import { type TestServer, type TestServerOptions, perTestServers } from './support/server.js';

/**
 * Receivers made through the API (`/api/alerts/receivers`): checked as the rules file's are and
 * more (no `env:` secret, no metadata or unspecified address, not Spoor's own), kept per project
 * in the store, in force at once (a rule made next notifies a loopback webhook, and a changed URL
 * is used from the next notification, with no restart), never showing a secret; the file's are
 * listed read-only.
 */

const servers = perTestServers('spoor-receivers-api-');
const start = (options: TestServerOptions = {}): Promise<TestServer> => servers.start({ defaultAlerts: 'off', ...options });

interface Target {
  url: string;
  project?: string;
}
interface Answer<T> {
  status: number;
  body: T;
  text: string;
}
type ErrorBody = { error: { code: string; message: string } };

async function send<T = unknown>(server: Target, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<Answer<T>> {
  const headers: Record<string, string> = server.project === undefined ? {} : { 'spoor-project': server.project };
  const init: RequestInit = { method, headers };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T, text };
}
const list = async (server: Target): Promise<AlertReceiverListResponse> => (await send<AlertReceiverListResponse>(server, 'GET', '/api/alerts/receivers')).body;
const names = async (server: Target): Promise<Array<[string, string]>> => (await list(server)).receivers.map((r) => [r.name, r.source]);

/** Always true: a count without `by` is 0 when there are no spans. */
const ALWAYS = 'count(spans)[1m] >= 0';
const SECRET = 'receiver-secret-4711';
const TOKEN = 'Bearer hook-token-0815';

const hooks: LoopbackWebhook[] = [];
afterEach(async () => {
  for (const hook of hooks.splice(0)) await hook.close();
});
async function loopbackHook(): Promise<LoopbackWebhook> {
  const hook = await startLoopbackWebhook('/hooks/spoor?token=abc123');
  hooks.push(hook);
  return hook;
}

describe('receivers through the API', () => {
  it('creates, reads, replaces and deletes a receiver, showing no secret, auditing each change, keeping it across a restart', async () => {
    const server = await start();
    expect(await list(server)).toEqual({ receivers: [expect.objectContaining({ name: 'log', source: 'builtin', kind: 'log', inForce: true })], file: null });

    const url = 'https://user:pw@hooks.example.com/t/XYZSECRETPATH?key=q';
    const body = { name: 'oncall', webhook: { url, secret: SECRET, headers: { Authorization: TOKEN }, maxAttempts: 3 } };
    const created = await send<AlertReceiver>(server, 'POST', '/api/alerts/receivers', body);
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({
      name: 'oncall',
      source: 'api',
      kind: 'webhook',
      inForce: true,
      url: 'https://hooks.example.com/…',
      signed: true,
      headers: ['Authorization'],
      channel: null,
      level: null,
      timeout: null,
      maxAttempts: 3,
      usedBy: [],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const again = await send<ErrorBody>(server, 'POST', '/api/alerts/receivers', body);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('PUT /api/alerts/receivers/oncall');

    const one = await send<AlertReceiver>(server, 'GET', '/api/alerts/receivers/oncall');
    expect(one.body).toEqual(created.body);
    const listed = await send(server, 'GET', '/api/alerts/receivers');
    for (const secret of [SECRET, 'hook-token-0815', 'XYZSECRETPATH', 'key=q', 'pw@']) {
      expect(listed.text).not.toContain(secret);
      expect(one.text).not.toContain(secret);
      expect(created.text).not.toContain(secret);
    }

    // A rule may name it from now on; the receiver then says so.
    expect((await send(server, 'POST', '/api/alerts/rules', { name: 'paged', expr: ALWAYS, notify: ['oncall'] })).status).toBe(201);
    expect((await send<AlertReceiver>(server, 'GET', '/api/alerts/receivers/oncall')).body.usedBy).toEqual(['paged']);

    const slack = { url: 'https://hooks.slack.com/services/T0/B0/SLACKSECRET', channel: '#agents' };
    const replaced = await send<AlertReceiver>(server, 'PUT', '/api/alerts/receivers/oncall', { slack });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.body).toMatchObject({
      kind: 'slack',
      url: 'https://hooks.slack.com/…',
      channel: '#agents',
      signed: false,
      headers: [],
      createdAt: created.body.createdAt,
    });
    expect(replaced.text).not.toContain('SLACKSECRET');
    const put = await send<AlertReceiver>(server, 'PUT', '/api/alerts/receivers/spare', { log: { level: 'warn' } });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ name: 'spare', kind: 'log', level: 'warn', source: 'api' });
    const mismatch = await send<ErrorBody>(server, 'PUT', '/api/alerts/receivers/spare', { name: 'other', log: {} });
    expect(mismatch.status).toBe(400);

    // One a rule names stays until the rule no longer does.
    const refused = await send<ErrorBody>(server, 'DELETE', '/api/alerts/receivers/oncall');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain("'paged'");
    expect((await send(server, 'DELETE', '/api/alerts/receivers/spare')).status).toBe(204);
    expect((await send(server, 'DELETE', '/api/alerts/receivers/spare')).status).toBe(404);
    expect((await send(server, 'GET', '/api/alerts/receivers/spare')).status).toBe(404);
    // The store's name for a receiver is no rule's.
    expect((await send(server, 'DELETE', '/api/alerts/rules/@receiver:oncall')).status).toBe(404);

    // The audit entry is written once the answer is sent: the last one may follow it by a moment.
    const audit = await until('the last change in the audit log', async () => {
      const answer = (await send<{ entries: Array<{ action: string; target: string }> }>(server, 'GET', '/api/audit')).body;
      return answer.entries[0]?.action.startsWith('DELETE') === true ? answer : undefined;
    });
    expect(audit.entries.filter((e) => e.action.includes('/api/alerts/receivers')).map((e) => [e.action, e.target])).toEqual([
      ['DELETE /api/alerts/receivers/:name', 'spare'],
      ['PUT /api/alerts/receivers/:name', 'spare'],
      ['PUT /api/alerts/receivers/:name', 'oncall'],
      ['POST /api/alerts/receivers', ''],
    ]);
    expect(JSON.stringify(audit)).not.toContain('SLACKSECRET');

    await server.stop();
    const second = await start();
    expect(await names(second)).toEqual([
      ['log', 'builtin'],
      ['oncall', 'api'],
    ]);
    expect((await send<AlertRule>(second, 'GET', '/api/alerts/rules/paged')).body.health.error).toBeNull();
  });

  it('notifies a receiver made through the API, signed, and uses its new URL once replaced, with no restart', { timeout: 30_000 }, async () => {
    const server = await start({ alertInterval: '1s' });
    const first = await loopbackHook();
    const second = await loopbackHook();
    const webhook = { url: first.url, secret: SECRET, headers: { 'X-Token': 'abc' } };
    const made = await send(server, 'POST', '/api/alerts/receivers', { name: 'hook', webhook });
    expect(made.status, made.text).toBe(201);
    const rule = { name: 'always', expr: ALWAYS, notify: ['hook'], groupWait: '0s', groupInterval: '1s', repeatInterval: '1s' };
    expect((await send(server, 'POST', '/api/alerts/rules', rule)).status).toBe(201);

    const got = await until('the webhook made through the API to be notified', () => first.received[0]);
    expect(got.body).toMatchObject({ status: 'firing', receiver: 'hook', groupLabels: { alertname: 'always' } });
    expect(got.headers['x-token']).toBe('abc');
    const signature = String(got.headers['x-spoor-signature']);
    expect(verifySignature(SECRET, String(got.headers['x-spoor-timestamp']), got.raw, signature, Math.floor(Date.now() / 1000))).toBe(true);

    // Replaced: the next notification (the cooldown is 1 s) goes to the new URL, unsigned now.
    expect((await send(server, 'PUT', '/api/alerts/receivers/hook', { webhook: { url: second.url } })).status).toBe(200);
    const moved = await until('the replaced receiver to be notified at its new URL', () => second.received[0]);
    expect(moved.body).toMatchObject({ status: 'firing', receiver: 'hook' });
    expect(moved.headers['x-spoor-signature']).toBeUndefined();

    // Deleted with its rule: nothing more arrives at either. A round decided before the deletes may
    // still deliver, so the counts are taken two rounds after them, and looked at two rounds later.
    expect((await send(server, 'DELETE', '/api/alerts/rules/always')).status).toBe(204);
    expect((await send(server, 'DELETE', '/api/alerts/receivers/hook')).status).toBe(204);
    expect((await list(server)).receivers.map((r) => r.name)).toEqual(['log']);
    expect((await send(server, 'POST', '/api/alerts/rules', { name: 'marker', expr: ALWAYS, notify: ['log'] })).status).toBe(201);
    const evaluatedAt = async () => (await send<AlertRule>(server, 'GET', '/api/alerts/rules/marker')).body.health.lastEvaluatedAt;
    const rounds = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const before = await evaluatedAt();
        await until('another evaluation round', async () => ((await evaluatedAt()) !== before ? true : undefined));
      }
    };
    await rounds(2);
    const counts = [first.received.length, second.received.length];
    await rounds(2);
    expect([first.received.length, second.received.length]).toEqual(counts);
  });

  it("lists the rules file's receivers read-only, the file named, and refuses to change them", async () => {
    const path = join(servers.dir(), 'alerts.yaml');
    await writeFile(path, 'receivers:\n  - name: pager\n    webhook: { url: "https://pager.example.com/p/FILESECRET", secret: "file-secret-99" }\nrules: []\n');
    const server = await start({ alerts: path });
    const answer = await send<AlertReceiverListResponse>(server, 'GET', '/api/alerts/receivers');
    expect(answer.body.file).toEqual({ path, error: null });
    expect(answer.body.receivers.map((r) => [r.name, r.source, r.url])).toEqual([
      ['log', 'builtin', null],
      ['pager', 'file', 'https://pager.example.com/…'],
    ]);
    expect(answer.text).not.toContain('FILESECRET');
    expect(answer.text).not.toContain('file-secret-99');

    for (const [method, path_, body] of [
      ['POST', '/api/alerts/receivers', { name: 'pager', log: {} }],
      ['PUT', '/api/alerts/receivers/pager', { log: {} }],
      ['DELETE', '/api/alerts/receivers/pager', undefined],
      ['PUT', '/api/alerts/receivers/log', { log: { level: 'error' } }],
      ['DELETE', '/api/alerts/receivers/log', undefined],
    ] as const) {
      const refused = await send<ErrorBody>(server, method, path_, body);
      expect(refused.status, `${method} ${path_}`).toBe(409);
    }
    expect((await send<ErrorBody>(server, 'PUT', '/api/alerts/receivers/pager', { log: {} })).body.error.message).toContain('rules file');
    // The file's and the API's receivers together: a rule may name either.
    expect((await send(server, 'POST', '/api/alerts/receivers', { name: 'mine', log: {} })).status).toBe(201);
    expect((await send(server, 'POST', '/api/alerts/rules', { name: 'both', expr: ALWAYS, notify: ['pager', 'mine'] })).status).toBe(201);
  });

  it("hides a receiver made here once the file names one alike, which can then be deleted, leaving the file's", { timeout: 20_000 }, async () => {
    const path = join(servers.dir(), 'alerts.yaml');
    await writeFile(path, 'rules: []\n');
    const server = await start({ alerts: path });
    expect((await send(server, 'POST', '/api/alerts/receivers', { name: 'team', webhook: { url: 'https://api.example.com/h' } })).status).toBe(201);
    await writeFile(`${path}.tmp`, 'receivers:\n  - name: team\n    slack: { url: "https://file.example.com/s" }\nrules: []\n');
    await rename(`${path}.tmp`, path);
    const hidden = await until('the file to hide the receiver made here', async () => {
      const receivers = (await list(server)).receivers.filter((r) => r.name === 'team');
      return receivers.length === 2 ? receivers : undefined;
    });
    expect(hidden.map((r) => [r.source, r.kind, r.inForce])).toEqual([
      ['file', 'slack', true],
      ['api', 'webhook', false],
    ]);
    expect((await send<AlertReceiver>(server, 'GET', '/api/alerts/receivers/team')).body.source).toBe('file');
    expect((await send(server, 'PUT', '/api/alerts/receivers/team', { log: {} })).status).toBe(409);
    expect((await send(server, 'DELETE', '/api/alerts/receivers/team')).status).toBe(204);
    expect((await list(server)).receivers.map((r) => [r.name, r.source])).toEqual([
      ['log', 'builtin'],
      ['team', 'file'],
    ]);
    expect((await send(server, 'DELETE', '/api/alerts/receivers/team')).status).toBe(409);
  });

  it('keeps each project to its own receivers', async () => {
    const server = await start();
    const a = { url: server.url, project: 'alpha' };
    const b = { url: server.url, project: 'beta' };
    expect((await send(a, 'POST', '/api/alerts/receivers', { name: 'team', webhook: { url: 'https://alpha.example.com/hook' } })).status).toBe(201);
    expect((await list(b)).receivers.map((r) => r.name)).toEqual(['log']);
    expect((await send(b, 'GET', '/api/alerts/receivers/team')).status).toBe(404);
    expect((await send(b, 'DELETE', '/api/alerts/receivers/team')).status).toBe(404);
    const rule = await send<ErrorBody>(b, 'POST', '/api/alerts/rules', { name: 'r', expr: ALWAYS, notify: ['team'] });
    expect(rule.status).toBe(400);
    expect(rule.body.error.message).toContain("names no receiver 'team'");
    // The same name in another project is another receiver.
    expect((await send(b, 'POST', '/api/alerts/receivers', { name: 'team', slack: { url: 'https://beta.example.com/s' } })).status).toBe(201);
    expect((await send<AlertReceiver>(a, 'GET', '/api/alerts/receivers/team')).body.kind).toBe('webhook');
    expect((await send<AlertReceiver>(b, 'GET', '/api/alerts/receivers/team')).body.kind).toBe('slack');
    expect((await list(server)).receivers.map((r) => r.name)).toEqual(['log']);
  });

  it('refuses an invalid receiver with a 400 that names the field, and saves nothing', async () => {
    const server = await start();
    const cases: Array<[string, unknown, RegExp]> = [
      ['no kind', { name: 'x' }, /must have one of webhook, slack or log/],
      ['two kinds', { name: 'x', log: {}, webhook: { url: 'https://a.example.com' } }, /has both/],
      ['no name', { log: {} }, /name/],
      ['a bad name', { name: '@x', log: {} }, /name must be/],
      ['not a URL', { name: 'x', webhook: { url: 'ftp://a.example.com' } }, /webhook\.url must be an http\(s\) URL/],
      ['an unknown field', { name: 'x', webhook: { url: 'https://a.example.com', retries: 3 } }, /retries/],
      [
        'a header on two lines',
        { name: 'x', webhook: { url: 'https://a.example.com', headers: { 'X-A': 'a\r\nX-B: b' } } },
        /webhook\.headers\.X-A must be a string on one line/,
      ],
      ['a reserved header', { name: 'x', webhook: { url: 'https://a.example.com', headers: { 'X-Spoor-Signature': 'forged' } } }, /is set by Spoor/],
      ['a bad timeout', { name: 'x', slack: { url: 'https://a.example.com', timeout: 'soon' } }, /timeout/],
      ['too many attempts', { name: 'x', webhook: { url: 'https://a.example.com', maxAttempts: 99 } }, /maxAttempts/],
      [
        "the server's environment",
        { name: 'x', webhook: { url: 'https://a.example.com', secret: 'env:HOME' } },
        /webhook\.secret: env:NAME reads the server's environment/,
      ],
      ["a Slack URL from the server's environment", { name: 'x', slack: { url: 'env:HOME' } }, /slack\.url: env:NAME reads the server's environment/],
      ['a bad log level', { name: 'x', log: { level: 'loud' } }, /level/],
    ];
    for (const [what, body, message] of cases) {
      const answer = await send<ErrorBody>(server, 'POST', '/api/alerts/receivers', body);
      expect(answer.status, what).toBe(400);
      expect(answer.body.error.message, what).toMatch(message);
    }
    expect(await names(server)).toEqual([['log', 'builtin']]);
  });

  it('refuses a URL to a cloud metadata service, the unspecified address or Spoor itself', async () => {
    const server = await start();
    const own = new URL(server.url);
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://[fe80::1]/hook',
      'http://[fd00:ec2::254]/latest',
      'http://0.0.0.0:8080/hook',
      'http://0/hook',
      'http://[::]/hook',
      `http://${own.host}/api/keys`,
    ]) {
      const answer = await send<ErrorBody>(server, 'POST', '/api/alerts/receivers', { name: 'x', webhook: { url } });
      expect(answer.status, url).toBe(400);
      expect(answer.body.error.message, url).toMatch(/webhook\.url (names|is this Spoor)/);
      const slack = await send<ErrorBody>(server, 'PUT', '/api/alerts/receivers/y', { slack: { url } });
      expect(slack.status, url).toBe(400);
    }
    expect(await names(server)).toEqual([['log', 'builtin']]);
  });
});
