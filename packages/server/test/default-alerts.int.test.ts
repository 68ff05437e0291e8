import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { AlertListResponse, AlertRule, AlertRuleListResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULE_NAMES } from '../src/alerting/default-rules.js';
import type { Notification } from '../src/alerting/notification.js';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type TestServer, callJson, makeKey, perTestServers } from './support/server.js';
import { eventually } from './support/trace-bodies.js';

/**
 * The default alert rules a new project starts with, on real servers: listed and evaluated like
 * rules made through the API, edited and deleted for good (across a restart, and on every server
 * sharing a ClickHouse store), per project, off with `--no-default-alerts`, and counted as
 * firing with nowhere to send them until the rules file routes them to a receiver.
 */

const { dir, start } = perTestServers('spoor-default-alerts-');
const DEFAULTS = [...DEFAULT_RULE_NAMES].sort().map((name) => [name, 'default']);

const rulesOf = async (server: TestServer, key?: string, project?: string): Promise<AlertRuleListResponse> => {
  const answer = await callJson<AlertRuleListResponse>(server.url, 'GET', '/api/alerts/rules', undefined, {
    key,
    headers: project === undefined ? {} : { 'spoor-project': project },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
};
const sources = (list: AlertRuleListResponse): string[][] => list.rules.map((r) => [r.spec.name, r.source]);

/** An OTLP/JSON body of one LLM call of `durationMs` that ended now. */
function llmCallBody(durationMs: number, model = 'gpt-4o', tokens: { input: number; output: number } | null = null): string {
  const end = BigInt(Date.now()) * 1_000_000n;
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'qa-agent')] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: randomBytes(16).toString('hex'),
                spanId: randomBytes(8).toString('hex'),
                name: `chat ${model}`,
                kind: 3,
                startTimeUnixNano: String(end - BigInt(durationMs) * 1_000_000n),
                endTimeUnixNano: String(end),
                attributes: [
                  str('gen_ai.provider.name', 'openai'),
                  str('gen_ai.operation.name', 'chat'),
                  str('gen_ai.request.model', model),
                  ...(tokens === null
                    ? []
                    : [
                        { key: 'gen_ai.usage.input_tokens', value: { intValue: String(tokens.input) } },
                        { key: 'gen_ai.usage.output_tokens', value: { intValue: String(tokens.output) } },
                      ]),
                ],
              },
            ],
          },
        ],
      },
    ],
  });
}

describe('the default alert rules of a new project, on DuckDB', () => {
  it('are listed as default rules, and an edit and a deletion stick across a restart', async () => {
    let server = await start();
    const first = await rulesOf(server);
    expect(sources(first)).toEqual(DEFAULTS);
    expect([first.receivers, first.unrouted]).toEqual([['log'], 0]);

    const edited = await callJson<AlertRule>(server.url, 'PUT', '/api/alerts/rules/error-rate', {
      expr: 'error_rate(spans)[5m] by (service)',
      thresholds: { warning: 0.1 },
    });
    expect([edited.status, edited.body.source]).toEqual([200, 'api']);
    expect((await callJson(server.url, 'DELETE', '/api/alerts/rules/step-too-long')).status).toBe(204);
    await server.stop();

    server = await start();
    const after = await rulesOf(server);
    expect(sources(after)).toEqual(
      DEFAULTS.filter(([name]) => name !== 'step-too-long').map(([name, source]) => [name, name === 'error-rate' ? 'api' : source]),
    );
    expect(after.rules.find((r) => r.spec.name === 'error-rate')!.spec.thresholds).toEqual({ warning: 0.1 });
  });

  it('are not given with --no-default-alerts, which records nothing: a later start without it gives them', async () => {
    let server = await start({ defaultAlerts: 'off' });
    expect((await rulesOf(server)).rules).toEqual([]);
    await server.stop();
    server = await start();
    expect(sources(await rulesOf(server))).toEqual(DEFAULTS);
  });

  it("are each project's own: another project's key neither sees nor changes them, and a name no key has gets none", async () => {
    const server = await start();
    const star = await makeKey(server.url, '*', 'admin');
    const shop = await makeKey(server.url, 'shop', 'admin', star);
    expect(sources(await rulesOf(server, shop))).toEqual(DEFAULTS);
    expect((await callJson(server.url, 'DELETE', '/api/alerts/rules/llm-call-too-long', undefined, { key: shop })).status).toBe(204);
    expect((await callJson(server.url, 'GET', '/api/alerts/rules/llm-call-too-long', undefined, { key: shop })).status).toBe(404);
    // The default project's is untouched, and shop's key cannot reach it by naming the project.
    const foreign = { key: shop, headers: { 'spoor-project': 'default' } };
    expect((await callJson(server.url, 'DELETE', '/api/alerts/rules/error-rate', undefined, foreign)).status).toBe(403);
    expect((await callJson(server.url, 'PUT', '/api/alerts/rules/error-rate', { expr: 'error_rate(spans)[5m] > 0.9' }, foreign)).status).toBe(403);
    expect((await callJson(server.url, 'GET', '/api/alerts/rules', undefined, foreign)).status).toBe(403);
    expect(sources(await rulesOf(server, star))).toEqual(DEFAULTS);
    // A key of every project reading a project no key names (a typo) seeds nothing there.
    expect((await rulesOf(server, star, 'shoop')).rules).toEqual([]);
  });

  it('fire on an LLM call of 31 s, counted as unrouted until the rules file sends them to a receiver', async () => {
    const received: Notification[] = [];
    const hook: Server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push(JSON.parse(body) as Notification);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    try {
      const rulesPath = join(dir(), 'alerts.yaml');
      const rulesFile = (notify: string) =>
        `receivers:\n  - name: oncall\n    webhook: { url: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook", maxAttempts: 1 }\ndefaults: { notify: [${notify}], groupWait: 0s }\nrules: []\n`;
      await writeFile(rulesPath, rulesFile('log'));
      const server = await start({ alerts: rulesPath, alertInterval: '1s' });
      const sent = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: llmCallBody(31_000) });
      expect(sent.status).toBe(200);

      const firing = await eventually(
        'llm-call-too-long to fire',
        async () => (await callJson<AlertListResponse>(server.url, 'GET', '/api/alerts')).body.alerts,
        (alerts) => alerts.some((a) => a.rule === 'llm-call-too-long' && a.state === 'firing'),
      );
      expect(firing.map((a) => [a.rule, a.labels['model'], a.labels['service']])).toEqual([['llm-call-too-long', 'gpt-4o', 'qa-agent']]);
      const unrouted = await rulesOf(server);
      expect([unrouted.receivers, unrouted.unrouted]).toEqual([['log', 'oncall'], 1]);

      // Routed to the webhook: no longer unrouted, and the webhook is told.
      await writeFile(`${rulesPath}.tmp`, rulesFile('oncall'));
      await rename(`${rulesPath}.tmp`, rulesPath);
      await eventually(
        'the alert to be routed',
        () => rulesOf(server),
        (list) => list.unrouted === 0,
      );
      await eventually(
        'the webhook to be notified',
        async () => received.flatMap((n) => n.alerts.map((a) => a.labels['alertname'])),
        (names) => names.includes('llm-call-too-long'),
      );
    } finally {
      await new Promise((resolve) => hook.close(resolve));
    }
  });

  it('say when calls have no price, so a cost that leaves them out is seen', async () => {
    const server = await start({ alertInterval: '1s' });
    const sent = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: llmCallBody(800, 'acme-unpriced-1', { input: 120, output: 30 }),
    });
    expect(sent.status).toBe(200);
    const firing = await eventually(
      'unpriced-llm-calls to fire',
      async () => (await callJson<AlertListResponse>(server.url, 'GET', '/api/alerts')).body.alerts,
      (alerts) => alerts.some((a) => a.rule === 'unpriced-llm-calls' && a.state === 'firing'),
    );
    expect(firing.filter((a) => a.rule === 'unpriced-llm-calls').map((a) => [a.labels['model'], a.labels['service'], a.value])).toEqual([
      ['acme-unpriced-1', 'qa-agent', 1],
    ]);
    // Worded for any count ("1 calls … had" read wrong).
    expect(firing.find((a) => a.rule === 'unpriced-llm-calls')?.annotations['summary']).toMatch(
      /^Calls to acme-unpriced-1 from qa-agent with no price over the last hour: 1; /,
    );
    // A priced call beside it fires nothing more.
    expect(
      (
        await fetch(`${server.url}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: llmCallBody(800, 'gpt-4o', { input: 10, output: 5 }),
        })
      ).status,
    ).toBe(200);
    const traces = await eventually(
      'both traces listed',
      async () =>
        (await callJson<{ traces: Array<{ rootName: string; unpricedCalls: number; costUsd: number | null }> }>(server.url, 'GET', '/api/traces')).body.traces,
      (t) => t.length === 2,
    );
    expect(traces.map((t) => [t.rootName, t.unpricedCalls, t.costUsd === null]).sort()).toEqual([
      ['chat acme-unpriced-1', 1, true],
      ['chat gpt-4o', 0, false],
    ]);
  });
});

describe('the default alert rules on a ClickHouse store two servers share', () => {
  let endpoint: ClickHouseEndpoint;
  beforeAll(async () => {
    endpoint = await startClickHouseEndpoint();
  });
  afterAll(async () => {
    await endpoint?.close();
  });

  /** A query straight to ClickHouse, so that nothing asks a server about the project it reads. */
  const count = async (sql: string): Promise<number> => {
    const { username, password, port } = new URL(endpoint.url);
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${username}:${decodeURIComponent(password)}`).toString('base64')}` },
      body: sql,
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    return Number(text.trim());
  };

  it('are seeded once; an edit and a deletion through one server hold on the other and across a restart; a new key seeds its project', async () => {
    const options = (name: string) => ({ store: 'clickhouse', clickhouseUrl: `${endpoint.url}/defaults`, alertInterval: '1s', data: join(dir(), name) });
    const a = await start(options('a'));
    let b = await start(options('b'));
    expect(sources(await rulesOf(a))).toEqual(DEFAULTS);
    expect(sources(await rulesOf(b))).toEqual(DEFAULTS);
    expect(await count("SELECT count() FROM defaults.alert_rule_seeds WHERE project_id = 'default'")).toBe(1);

    expect((await callJson(a.url, 'DELETE', '/api/alerts/rules/error-rate')).status).toBe(204);
    expect(
      (await callJson(a.url, 'PUT', '/api/alerts/rules/step-too-long', { expr: 'max(duration_ms{category="step"})[5m] by (service, name) > 300s' })).status,
    ).toBe(200);
    const expected = DEFAULTS.filter(([name]) => name !== 'error-rate').map(([name, source]) => [name, name === 'step-too-long' ? 'api' : source]);
    await eventually(
      'the other server to follow',
      async () => sources(await rulesOf(b)),
      (list) => JSON.stringify(list) === JSON.stringify(expected),
    );
    await b.stop();
    b = await start(options('b'));
    expect(sources(await rulesOf(b))).toEqual(expected);

    // A project's first key, made through one server: seeded within a key refresh, with no request naming it.
    const star = await makeKey(a.url, '*', 'admin');
    await makeKey(b.url, 'shop', 'ingest', star);
    await eventually(
      'shop to be seeded',
      () => count("SELECT count() FROM defaults.alert_rules FINAL WHERE project_id = 'shop' AND deleted = 0"),
      (n) => n === DEFAULT_RULE_NAMES.length,
    );
    expect(sources(await rulesOf(a, star, 'shop'))).toEqual(DEFAULTS);
    expect(sources(await rulesOf(a, star))).toEqual(expected);
  });
});
