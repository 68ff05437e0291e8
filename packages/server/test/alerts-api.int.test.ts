import { rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Alert, AlertHistoryResponse, AlertListResponse, AlertRule, AlertRuleListResponse, Silence, SilenceListResponse } from '@spoor/model';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep, until } from './support/wait.js';
import { type TestServer, type TestServerOptions, perTestServers, startTestServer } from './support/server.js';

/**
 * The alerting REST API against a real server: rules made through the API (checked, saved,
 * kept across a restart), the rules file (read-only through the API, read again when it
 * changes, a bad version reported with its line and column), silences, and an alert that fires,
 * is silenced and shows on /metrics. Notifications end to end are `alerting.int.test.ts`.
 */

const servers = perTestServers('spoor-alerts-api-');
const dir = servers.dir;
/** A server without the default rules, so that a project's rules are this file's alone (default-alerts.int.test.ts has them). */
const start = (options: TestServerOptions = {}): Promise<TestServer> => servers.start({ defaultAlerts: 'off', ...options });

/** A server and the project asked for on it (`Spoor-Project`); without one, `default`. */
interface Target {
  url: string;
  project?: string;
}

let shared: TestServer | undefined;
afterAll(async () => {
  await shared?.stop();
});
/**
 * For a test that needs nothing of a server but a project's rules and silences: a project of its
 * own on one server of the file's (a server each took some 0.9 s to start and stop).
 */
async function inProject(project: string): Promise<Target> {
  shared ??= await startTestServer({ defaultAlerts: 'off' });
  return { url: shared.url, project };
}

interface Answer<T> {
  status: number;
  body: T;
}
type ErrorBody = { error: { code: string; message: string } };

async function send<T = unknown>(server: Target, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<Answer<T>> {
  const headers: Record<string, string> = server.project === undefined ? {} : { 'spoor-project': server.project };
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

const get = <T>(server: Target, path: string) => send<T>(server, 'GET', path);
const ruleNames = async (server: Target): Promise<Array<[string, string]>> =>
  (await get<AlertRuleListResponse>(server, '/api/alerts/rules')).body.rules.map((r) => [r.spec.name, r.source]);
const metricsText = async (server: TestServer): Promise<string> => (await fetch(`${server.url}/metrics`)).text();

/** Replaces a file at once (write, then rename), so the server's poll never reads half of it. */
async function replaceFile(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const ALWAYS = 'count(spans)[1m] >= 0';

describe('alert rules through the API', () => {
  it('creates, reads, lists, replaces and deletes a rule', async () => {
    const server = await inProject('rules-crud');
    const created = await send<AlertRule>(server, 'POST', '/api/alerts/rules', {
      name: 'slow-rag',
      expr: 'p95(duration_ms{service="rag"})[5m] > 3s',
      for: '2m',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ spec: { name: 'slow-rag', expr: 'p95(duration_ms{service="rag"})[5m] > 3s', for: '2m' }, source: 'api' });
    expect(created.body.createdAt).toBe(created.body.updatedAt);
    expect(await get(server, '/api/alerts/rules/slow-rag')).toEqual({ status: 200, body: created.body });
    expect(await ruleNames(server)).toEqual([['slow-rag', 'api']]);
    expect((await get<AlertRuleListResponse>(server, '/api/alerts/rules')).body.file).toBeNull();

    const again = await send<ErrorBody>(server, 'POST', '/api/alerts/rules', { name: 'slow-rag', expr: 'count(spans)[5m] > 1' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'ERR_CONFLICT', message: expect.stringContaining("'slow-rag'") });
    expect((await get<AlertRule>(server, '/api/alerts/rules/slow-rag')).body.spec.expr).toBe('p95(duration_ms{service="rag"})[5m] > 3s');

    // Replaced: the name comes from the path; updatedAt moves on, createdAt stays. (Times are in
    // milliseconds: a few apart, so the two cannot share one.)
    await sleep(5);
    const replaced = await send<AlertRule>(server, 'PUT', '/api/alerts/rules/slow-rag', { expr: 'p95(duration_ms{service="rag"})[5m] > 5s' });
    expect(replaced.status).toBe(200);
    expect(replaced.body.spec).toEqual({ name: 'slow-rag', expr: 'p95(duration_ms{service="rag"})[5m] > 5s' });
    expect(replaced.body.createdAt).toBe(created.body.createdAt);
    expect(Date.parse(replaced.body.updatedAt)).toBeGreaterThan(Date.parse(created.body.updatedAt));
    expect((await get<AlertRule>(server, '/api/alerts/rules/slow-rag')).body).toEqual(replaced.body);

    const mismatch = await send<ErrorBody>(server, 'PUT', '/api/alerts/rules/slow-rag', { name: 'other', expr: 'count(spans)[5m] > 1' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.message).toContain("'other'");
    const put = await send<AlertRule>(server, 'PUT', '/api/alerts/rules/errors', { name: 'errors', expr: 'errors(spans)[5m] > 0' });
    expect(put.status).toBe(201);
    expect(await ruleNames(server)).toEqual([
      ['errors', 'api'],
      ['slow-rag', 'api'],
    ]);

    expect(await send(server, 'DELETE', '/api/alerts/rules/slow-rag')).toEqual({ status: 204, body: null });
    expect((await get<ErrorBody>(server, '/api/alerts/rules/slow-rag')).status).toBe(404);
    expect((await send<ErrorBody>(server, 'DELETE', '/api/alerts/rules/slow-rag')).body.error.code).toBe('ERR_NOT_FOUND');
    expect(await ruleNames(server)).toEqual([['errors', 'api']]);
  });

  it('refuses an invalid rule with a 400 that names the field, and saves nothing', async () => {
    const server = await inProject('rules-invalid');
    const base = { name: 'bad', expr: ALWAYS };
    const cases: Array<[what: string, body: unknown, message: RegExp]> = [
      ['a bad expression, with its column', { ...base, expr: 'count(spans{service="rag")[5m] > 1' }, /^invalid rule: expr: .*\(column 26\)$/],
      ['an unknown field', { ...base, fro: '5m' }, /^'fro' is not a field of a rule \(known: name, expr, /],
      ['an unknown receiver', { ...base, notify: ['pager'] }, /^invalid rule: notify: names no receiver 'pager'/],
      ['a duration without a unit', { ...base, for: '5' }, /^invalid rule: for: must be a duration/],
      [
        'a bad annotation placeholder',
        { ...base, annotations: { summary: 'slow: {{ $foo }}' } },
        /^invalid rule: annotations\.summary: unknown placeholder '\{\{ \$foo \}\}'/,
      ],
      ['a missing expression', { name: 'bad' }, /^'expr' is required/],
      ['a body that is not an object', ['bad'], /^the body of a rule must be a JSON object/],
    ];
    for (const [what, body, message] of cases) {
      for (const [method, path] of [
        ['POST', '/api/alerts/rules'],
        ['PUT', '/api/alerts/rules/bad'],
      ] as const) {
        const answer = await send<ErrorBody>(server, method, path, body);
        expect(answer.status, `${method} ${what}`).toBe(400);
        expect(answer.body.error.code, `${method} ${what}`).toBe('ERR_BAD_REQUEST');
        expect(answer.body.error.message, `${method} ${what}`).toMatch(message);
      }
    }
    expect(await ruleNames(server)).toEqual([]);
    expect((await get(server, '/api/alerts/rules/bad')).status).toBe(404);
  });

  it('keeps the rules made through the API across a restart', async () => {
    const first = await start();
    const created = (
      await send<AlertRule>(first, 'POST', '/api/alerts/rules', { name: 'cost', expr: 'cost(spans)[1h] > 5', severity: 'critical', labels: { team: 'agents' } })
    ).body;
    await send(first, 'POST', '/api/alerts/rules', { name: 'gone', expr: ALWAYS });
    await send(first, 'DELETE', '/api/alerts/rules/gone');
    await first.stop();

    const second = await start();
    const rules = (await get<AlertRuleListResponse>(second, '/api/alerts/rules')).body.rules;
    expect(rules.map((r) => [r.spec, r.source, r.createdAt, r.updatedAt])).toEqual([[created.spec, 'api', created.createdAt, created.updatedAt]]);
    expect((await send(second, 'DELETE', '/api/alerts/rules/cost')).status).toBe(204);
  });
});

describe('the rules file', () => {
  const V1 = 'rules:\n  - name: slow-rag\n    expr: p95(duration_ms{service="rag"})[5m] > 3s\n';
  const V2 = `${V1}  - name: errors\n    expr: errors(spans)[5m] > 0\n`;
  /** Line 5 is `    expr: count(spanz)[5m] > 1`: the unknown source is at column 17. */
  const BAD_EXPR = `${V1}  - name: errors\n    expr: count(spanz)[5m] > 1\n`;
  /** Line 4 is indented one space short: a YAML syntax error. */
  const BAD_YAML = `${V1}   for: 5m\n`;
  const V3 = `${V1}  - name: errors\n    expr: errors(spans)[5m] > 2\n`;

  const fileOf = async (server: TestServer) => (await get<AlertRuleListResponse>(server, '/api/alerts/rules')).body.file!;

  it('lists its rules as read-only: PUT and DELETE of them answer 409', async () => {
    const path = join(dir(), 'alerts.yaml');
    await writeFile(path, V1);
    const server = await start({ alerts: path });
    await send(server, 'POST', '/api/alerts/rules', { name: 'mine', expr: ALWAYS });
    expect(await ruleNames(server)).toEqual([
      ['slow-rag', 'file'],
      ['mine', 'api'],
    ]);
    expect(await fileOf(server)).toMatchObject({ path, error: null, loadedAt: expect.any(String) });

    const put = await send<ErrorBody>(server, 'PUT', '/api/alerts/rules/slow-rag', { expr: 'count(spans)[5m] > 1' });
    expect(put.status).toBe(409);
    expect(put.body.error.message).toContain('rules file');
    const post = await send<ErrorBody>(server, 'POST', '/api/alerts/rules', { name: 'slow-rag', expr: 'count(spans)[5m] > 1' });
    expect(post.status).toBe(409);
    const del = await send<ErrorBody>(server, 'DELETE', '/api/alerts/rules/slow-rag');
    expect(del.status).toBe(409);
    expect(del.body.error).toMatchObject({ code: 'ERR_CONFLICT', message: expect.stringContaining('rules file') });
    expect((await get<AlertRule>(server, '/api/alerts/rules/slow-rag')).body.spec.expr).toBe('p95(duration_ms{service="rag"})[5m] > 3s');
  });

  it('reads the file again when it changes, keeping the last good rules while a version is bad', { timeout: 40_000 }, async () => {
    const path = join(dir(), 'alerts.yaml');
    await writeFile(path, V1);
    const server = await start({ alerts: path });
    const loaded1 = (await fileOf(server)).loadedAt;

    await replaceFile(path, V2);
    await until('the second rule', async () => ((await ruleNames(server)).length === 2 ? true : undefined));
    expect(await ruleNames(server)).toEqual([
      ['errors', 'file'],
      ['slow-rag', 'file'],
    ]);
    const good = await fileOf(server);
    expect(good.error).toBeNull();
    expect(Date.parse(good.loadedAt!)).toBeGreaterThan(Date.parse(loaded1!));

    await replaceFile(path, BAD_EXPR);
    const exprError = await until('the expression error', async () => (await fileOf(server)).error ?? undefined);
    expect(exprError).toMatch(new RegExp(`^${escapeRegExp(path)}:5:17: rules\\[1\\]\\.expr: unknown source 'spanz'`));
    expect((await fileOf(server)).loadedAt).toBe(good.loadedAt);
    expect((await get<AlertRule>(server, '/api/alerts/rules/errors')).body.spec.expr).toBe('errors(spans)[5m] > 0');

    await replaceFile(path, BAD_YAML);
    const yamlError = await until('the YAML error', async () => {
      const { error } = await fileOf(server);
      return error !== null && error !== exprError ? error : undefined;
    });
    expect(yamlError).toMatch(new RegExp(`^${escapeRegExp(path)}:4:\\d+: `));
    expect(await ruleNames(server)).toEqual([
      ['errors', 'file'],
      ['slow-rag', 'file'],
    ]);

    await replaceFile(path, V3);
    await until('the error to clear', async () => ((await fileOf(server)).error === null ? true : undefined));
    expect((await get<AlertRule>(server, '/api/alerts/rules/errors')).body.spec.expr).toBe('errors(spans)[5m] > 2');
    expect(Date.parse((await fileOf(server)).loadedAt!)).toBeGreaterThan(Date.parse(good.loadedAt!));
  });

  it('refuses to start with a rules file it cannot use, naming the file and the place', async () => {
    const cases: Array<[name: string, content: string | null, problem: RegExp]> = [
      ['missing.yaml', null, /cannot read/],
      ['bad-yaml.yaml', BAD_YAML, /bad-yaml\.yaml:4:\d+: /],
      ['bad-expr.yaml', BAD_EXPR, /bad-expr\.yaml:5:17: rules\[1\]\.expr: unknown source 'spanz'/],
      ['bad-receiver.yaml', `${V1}    notify: [pager]\n`, /bad-receiver\.yaml:4:5: rules\[0\]\.notify: names no receiver 'pager'/],
    ];
    // Started side by side, each on its own file and data directory: one after another took 4.8 s.
    await Promise.all(
      cases.map(async ([name, content, problem]) => {
        const path = join(dir(), name);
        if (content !== null) await writeFile(path, content);
        const started = start({ alerts: path, data: join(dir(), `data-${name}`) });
        await expect(started, name).rejects.toThrow(path);
        await expect(started, name).rejects.toThrow(problem);
      }),
    );
  });

  // Fails while AlertService.loadRulesFile skips a text equal to the last good one even when the
  // error it reports is a read error: the error then outlives the file's return. See the report.
  it('clears a read error once the file is back with the content it had', { timeout: 20_000 }, async () => {
    const path = join(dir(), 'alerts.yaml');
    await writeFile(path, V2);
    const server = await start({ alerts: path });
    await unlink(path);
    await until('the read error', async () => ((await fileOf(server)).error?.includes('cannot read') === true ? true : undefined));
    expect(await ruleNames(server)).toEqual([
      ['errors', 'file'],
      ['slow-rag', 'file'],
    ]);
    await replaceFile(path, V2);
    await until('the read error to clear', async () => ((await fileOf(server)).error === null ? true : undefined), 5_000);
  });

  // Fails while AlertEngine.useRulesFile drops an API rule that a file rule of the same name
  // replaced: it comes back only with a restart. See the report.
  it('brings back an API rule when the file rule that hid it is removed', { timeout: 20_000 }, async () => {
    const path = join(dir(), 'alerts.yaml');
    await writeFile(path, 'rules: []\n');
    const server = await start({ alerts: path });
    await send(server, 'POST', '/api/alerts/rules', { name: 'errors', expr: ALWAYS });
    await replaceFile(path, V2);
    await until('the file rule', async () => ((await ruleNames(server)).some(([n, s]) => n === 'errors' && s === 'file') ? true : undefined));
    await replaceFile(path, V1);
    await until('the file rule to go', async () => ((await ruleNames(server)).some(([n, s]) => n === 'errors' && s === 'file') ? undefined : true));
    expect(await ruleNames(server)).toEqual([
      ['slow-rag', 'file'],
      ['errors', 'api'],
    ]);
  });
});

describe('silences', () => {
  const byAlertname = [{ name: 'alertname', op: '=', value: 'slow-rag' }];

  it('creates a silence for a duration, lists it, and expires it, keeping it on record', async () => {
    const server = await inProject('silence-listed');
    const before = Date.now();
    const created = await send<Silence>(server, 'POST', '/api/alerts/silences', {
      matchers: byAlertname,
      duration: '2h',
      createdBy: 'ana',
      comment: 'deploying',
    });
    expect(created.status).toBe(201);
    const silence = created.body;
    expect(silence).toMatchObject({ matchers: byAlertname, createdBy: 'ana', comment: 'deploying' });
    expect(silence.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(silence.startsAt)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(silence.endsAt) - Date.parse(silence.startsAt)).toBe(2 * 3_600_000);
    const other = (
      await send<Silence>(server, 'POST', '/api/alerts/silences', {
        matchers: [{ name: 'service', op: '=~', value: 'rag|chat' }],
        endsAt: new Date(Date.now() + 60_000).toISOString(),
        createdBy: 'bo',
      })
    ).body;
    expect(other.id).not.toBe(silence.id);
    expect(other.comment).toBe('');
    expect((await get<SilenceListResponse>(server, '/api/alerts/silences')).body.silences).toEqual([silence, other]);

    const beforeExpiry = Date.now();
    const expired = await send<Silence>(server, 'DELETE', `/api/alerts/silences/${silence.id}`);
    expect(expired.status).toBe(200);
    expect(expired.body).toEqual({ ...silence, endsAt: expect.any(String) });
    expect(Date.parse(expired.body.endsAt)).toBeGreaterThanOrEqual(beforeExpiry - 1);
    expect(Date.parse(expired.body.endsAt)).toBeLessThanOrEqual(Date.now());
    expect((await get<SilenceListResponse>(server, '/api/alerts/silences')).body.silences).toEqual([other]);
    expect((await get<SilenceListResponse>(server, '/api/alerts/silences?expired=true')).body.silences).toEqual([expired.body, other]);
    const again = await send<ErrorBody>(server, 'DELETE', `/api/alerts/silences/${silence.id}`);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe(`silence '${silence.id}' has already ended`);
    const unknown = await send<ErrorBody>(server, 'DELETE', '/api/alerts/silences/no-such-id');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('ERR_NOT_FOUND');
  });

  it('expires a silence that has not started by ending it before it starts', async () => {
    const server = await inProject('silence-pending');
    const startsAt = new Date(Date.now() + 3_600_000).toISOString();
    const pending = (await send<Silence>(server, 'POST', '/api/alerts/silences', { matchers: byAlertname, startsAt, duration: '1h', createdBy: 'ana' })).body;
    const expired = (await send<Silence>(server, 'DELETE', `/api/alerts/silences/${pending.id}`)).body;
    expect(expired.startsAt).toBe(expired.endsAt);
    expect(Date.parse(expired.endsAt)).toBeLessThan(Date.parse(startsAt));
    expect((await get<SilenceListResponse>(server, '/api/alerts/silences')).body.silences).toEqual([]);
  });

  it('lists a silence that ended only with ?expired=true', async () => {
    const server = await inProject('silence-ended');
    // Long enough to be listed first (two requests), short enough to end soon after.
    const endsAt = new Date(Date.now() + 1_500).toISOString();
    const short = (await send<Silence>(server, 'POST', '/api/alerts/silences', { matchers: byAlertname, endsAt, createdBy: 'ana' })).body;
    expect((await get<SilenceListResponse>(server, '/api/alerts/silences')).body.silences).toEqual([short]);
    await until('the silence to end', async () =>
      (await get<SilenceListResponse>(server, '/api/alerts/silences')).body.silences.length === 0 ? true : undefined,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(endsAt));
    expect((await get<SilenceListResponse>(server, '/api/alerts/silences?expired=true')).body.silences).toEqual([short]);
    expect((await get<SilenceListResponse>(server, '/api/alerts/silences?expired=false')).body.silences).toEqual([]);
    expect((await get<ErrorBody>(server, '/api/alerts/silences?expired=yes')).status).toBe(400);
  });

  it('refuses an invalid silence with a 400 that names the field, and saves nothing', async () => {
    const server = await inProject('silence-invalid');
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    const base = { matchers: byAlertname, duration: '1h', createdBy: 'ana' };
    const cases: Array<[what: string, body: unknown, message: RegExp]> = [
      ['no matchers', { ...base, matchers: [] }, /'matchers' must be a non-empty list/],
      [
        'an unknown operator',
        { ...base, matchers: [{ name: 'alertname', op: '~', value: 'x' }] },
        /^'matchers\[0\]\.op' must be one of =, !=, =~, !~, not '~'/,
      ],
      ['a bad regular expression', { ...base, matchers: [{ name: 'alertname', op: '=~', value: '(' }] }, /^matchers\[0\]\.value is not a regular expression/],
      ['no createdBy', { matchers: byAlertname, duration: '1h' }, /'createdBy' is required/],
      ['a blank createdBy', { ...base, createdBy: '  ' }, /'createdBy' is required/],
      ['an end in the past', { matchers: byAlertname, startsAt: ago(120_000), endsAt: ago(60_000), createdBy: 'ana' }, /'endsAt' is in the past/],
      ['an end before now, starting now', { matchers: byAlertname, endsAt: ago(60_000), createdBy: 'ana' }, /'endsAt' is in the past/],
      [
        'an end before the start',
        { matchers: byAlertname, startsAt: ago(-7_200_000), endsAt: inAnHour, createdBy: 'ana' },
        /'endsAt' must be after 'startsAt'/,
      ],
      ['both endsAt and duration', { ...base, endsAt: inAnHour }, /give 'endsAt' or 'duration', not both/],
      ['neither endsAt nor duration', { matchers: byAlertname, createdBy: 'ana' }, /needs 'endsAt' or 'duration'/],
      ['a bad duration', { ...base, duration: 'soon' }, /'duration' must be a duration/],
      ['an unknown field', { ...base, author: 'ana' }, /'author' is not a field of a silence/],
    ];
    for (const [what, body, message] of cases) {
      const answer = await send<ErrorBody>(server, 'POST', '/api/alerts/silences', body);
      expect(answer.status, what).toBe(400);
      expect(answer.body.error.message, what).toMatch(message);
    }
    expect((await get<SilenceListResponse>(server, '/api/alerts/silences?expired=true')).body.silences).toEqual([]);
  });
});

describe('alerts', () => {
  it('shows a firing alert, marks it silenced while a matching silence lasts, and exports it on /metrics', { timeout: 30_000 }, async () => {
    const server = await start({ alertInterval: '1s' });
    // Always true: a count without `by` is 0 when there are no spans.
    await send(server, 'POST', '/api/alerts/rules', { name: 'always', expr: ALWAYS, notify: ['log'], labels: { team: 'agents' } });
    const alertOf = async (): Promise<Alert | undefined> => (await get<AlertListResponse>(server, '/api/alerts')).body.alerts.find((a) => a.rule === 'always');
    const firing = await until('the alert to fire', async () => {
      const alert = await alertOf();
      return alert?.state === 'firing' ? alert : undefined;
    });
    expect(firing).toMatchObject({
      labels: { team: 'agents', alertname: 'always', severity: 'warning' },
      value: 0,
      threshold: 0,
      silenced: false,
      inhibited: false,
    });
    expect((await get<AlertListResponse>(server, '/api/alerts?state=firing')).body.alerts).toHaveLength(1);
    expect((await get<AlertListResponse>(server, '/api/alerts?state=pending,resolved')).body.alerts).toEqual([]);
    const history = (await get<AlertHistoryResponse>(server, '/api/alerts/history?rule=always')).body;
    expect(history.entries.map((e) => [e.rule, e.kind])).toContainEqual(['always', 'firing']);

    const metrics = await metricsText(server);
    expect(metrics).toContain('spoor_alerts{team="agents",alertname="always",severity="warning",alertstate="firing"} 1');
    expect(metrics).toContain('spoor_alert_rule_healthy{rule="always",source="api"} 1');
    expect(metrics).toMatch(/^spoor_alert_rule_evaluation_seconds\{rule="always"\} \d/m);

    // A silence of another alert leaves it alone, even after an evaluation that saw the silence.
    expect(
      (await send(server, 'POST', '/api/alerts/silences', { matchers: [{ name: 'alertname', op: '=', value: 'other' }], duration: '1h', createdBy: 'ana' }))
        .status,
    ).toBe(201);
    const after = Date.now();
    const evaluated = await until('an evaluation after the silence', async () => {
      const alert = await alertOf();
      return alert !== undefined && Date.parse(alert.lastEvaluatedAt) > after ? alert : undefined;
    });
    expect(evaluated.silenced).toBe(false);

    // A matching silence shows at once, not at the next evaluation.
    const silence = (
      await send<Silence>(server, 'POST', '/api/alerts/silences', {
        matchers: [{ name: 'alertname', op: '=~', value: 'alw.*' }],
        duration: '1h',
        createdBy: 'ana',
      })
    ).body;
    const silenced = (await alertOf())!;
    expect(silenced).toMatchObject({ state: 'firing', silenced: true });
    // Silenced alerts are still active: Prometheus' ALERTS has them too.
    expect(await metricsText(server)).toContain('spoor_alerts{team="agents",alertname="always",severity="warning",alertstate="firing"} 1');

    await send(server, 'DELETE', `/api/alerts/silences/${silence.id}`);
    expect((await alertOf())?.silenced).toBe(false);
  });

  it('refuses an unknown state and unknown parameters with a 400 that names them', async () => {
    const server = await inProject('alert-parameters');
    const cases: Array<[path: string, parameter: string]> = [
      ['/api/alerts?state=bogus', "'state'"],
      ['/api/alerts?state=firing,bogus', "'bogus'"],
      ['/api/alerts?status=firing', "'status'"],
      ['/api/alerts/rules?source=api', "'source'"],
      ['/api/alerts/rules/x?verbose=1', "'verbose'"],
      ['/api/alerts/silences?all=true', "'all'"],
      ['/api/alerts/history?limit=0', "'limit'"],
      ['/api/alerts/history?cursor=abc', "'cursor'"],
    ];
    for (const [path, parameter] of cases) {
      const answer = await get<ErrorBody>(server, path);
      expect(answer.status, path).toBe(400);
      expect(answer.body.error.code, path).toBe('ERR_INVALID_PARAMETER');
      expect(answer.body.error.message, path).toContain(parameter);
    }
    expect(await get(server, '/api/alerts?state=pending,firing')).toEqual({ status: 200, body: { alerts: [] } });
  });
});
