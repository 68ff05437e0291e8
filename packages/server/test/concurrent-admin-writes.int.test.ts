import { randomBytes } from 'node:crypto';
import type {
  AlertRuleListResponse,
  ErrorGroupDetail,
  ErrorGroupListResponse,
  PriceListResponse,
  RepriceResponse,
  Silence,
  SilenceListResponse,
} from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyInfo } from '../src/auth/keys.js';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type ApiAnswer, type TestServer, callJson, makeKey, startTestServer } from './support/server.js';
import { eventually, llmTraceBody } from './support/trace-bodies.js';

/**
 * Identical admin writes sent at the same moment, as a retrying client, two browser tabs or a
 * deploy script run twice send them: each answers as if it had come alone. Creating a name that
 * exists is a 409 for all but one; setting the same thing again succeeds every time; and what is
 * stored is one write. DuckDB runs each write on a connection of its own, so two writes of one
 * row conflict at commit ("Conflict on update!", "Duplicate key") unless the store serializes them.
 */

const AT_ONCE = [8, 32];
/** 32 PATCHes of an error group read it 64 times: 28 s on ClickHouse with the machine's load at 26. */
const SLOW_MS = 180_000;

/** `n` copies of one request, sent without waiting for any answer. */
const burst = (n: number, send: () => Promise<ApiAnswer>): Promise<ApiAnswer[]> => Promise.all(Array.from({ length: n }, send));

const statuses = (answers: ApiAnswer[]): Record<number, number> => {
  const out: Record<number, number> = {};
  for (const a of answers) out[a.status] = (out[a.status] ?? 0) + 1;
  return out;
};

/** A trace with one failed span (status error, an exception event): one error group. */
function failedTraceBody(traceId: string, message: string): string {
  const start = BigInt(Date.now() - 2_000) * 1_000_000n;
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'shop')] },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: randomBytes(8).toString('hex'),
                name: 'charge',
                kind: 1,
                startTimeUnixNano: String(start),
                endTimeUnixNano: String(start + 5_000_000n),
                status: { code: 2, message },
                events: [
                  {
                    name: 'exception',
                    timeUnixNano: String(start + 1_000_000n),
                    attributes: [str('exception.type', 'ChargeError'), str('exception.message', message)],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  });
}

describe.each(['duckdb', 'clickhouse'] as const)('identical admin writes at once (%s store)', (storeName) => {
  let endpoint: ClickHouseEndpoint | null = null;
  let server: TestServer;
  let admin = '';
  let fingerprint = '';
  const call = <T = unknown>(method: string, path: string, body?: unknown) => callJson<T>(server.url, method, path, body, { key: admin });
  const ruleNamed = async (name: string) => (await call<AlertRuleListResponse>('GET', '/api/alerts/rules')).body.rules.filter((r) => r.spec.name === name);
  const priceOf = async (model: string) =>
    (await call<PriceListResponse>('GET', '/api/prices')).body.models.filter((p) => p.model === model && p.origin === 'api');

  beforeAll(async () => {
    endpoint = storeName === 'clickhouse' ? await startClickHouseEndpoint() : null;
    // One key sends every burst: its rate limit is not what these tests are about.
    server = await startTestServer({ rateLimit: 0, ...(endpoint === null ? {} : { store: 'clickhouse', clickhouseUrl: `${endpoint.url}/admin_writes` }) });
    admin = await makeKey(server.url, '*', 'admin');
    expect((await call('POST', '/v1/traces', JSON.parse(failedTraceBody(randomBytes(16).toString('hex'), 'card declined')))).status).toBe(200);
    const groups = await eventually(
      'the error group',
      async () => (await call<ErrorGroupListResponse>('GET', '/api/errors')).body.groups,
      (g) => g.length === 1,
      60_000,
    );
    fingerprint = groups[0]!.fingerprint;
    // An LLM call for the re-pricing to change, stored before any test reads it.
    const llmTrace = randomBytes(16).toString('hex');
    expect((await call('POST', '/v1/traces', JSON.parse(llmTraceBody(llmTrace, randomBytes(8).toString('hex'))))).status).toBe(200);
    await eventually(
      'the LLM trace stored',
      async () => (await call('GET', `/api/traces/${llmTrace}`)).status,
      (status) => status === 200,
      60_000,
    );
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await endpoint?.close();
  });

  it.each(AT_ONCE)(
    'makes one alert rule of %i POSTs of one name: one 201, 409 for the rest',
    async (n) => {
      const name = `rule-${n}`;
      const answers = await burst(n, () => call('POST', '/api/alerts/rules', { name, expr: 'count(spans)[5m] > 100', for: '1m' }));
      expect(statuses(answers)).toEqual({ 201: 1, 409: n - 1 });
      expect(await ruleNamed(name)).toMatchObject([{ spec: { name, expr: 'count(spans)[5m] > 100' }, source: 'api' }]);
    },
    SLOW_MS,
  );

  it.each(AT_ONCE)(
    'makes one alert rule of %i identical PUTs: one 201, 200 for the rest; then deletes it once of as many DELETEs',
    async (n) => {
      const name = `put-rule-${n}`;
      const answers = await burst(n, () => call('PUT', `/api/alerts/rules/${name}`, { expr: 'count(spans)[5m] > 7' }));
      expect(statuses(answers)).toEqual({ 201: 1, 200: n - 1 });
      expect(await ruleNamed(name)).toMatchObject([{ spec: { name, expr: 'count(spans)[5m] > 7' }, source: 'api' }]);
      expect(statuses(await burst(n, () => call('DELETE', `/api/alerts/rules/${name}`)))).toEqual({ 204: 1, 404: n - 1 });
      expect(await ruleNamed(name)).toEqual([]);
    },
    SLOW_MS,
  );

  it.each(AT_ONCE)(
    'sets one price with %i identical PUTs, every one answered 200; one of as many DELETEs deletes it',
    async (n) => {
      const model = `acme-${n}`;
      const answers = await burst(n, () => call('PUT', `/api/prices/${model}`, { provider: 'acme', input: 1.5, output: 6 }));
      expect(statuses(answers)).toEqual({ 200: n });
      expect(await priceOf(model)).toMatchObject([{ model, origin: 'api', input: 1.5, output: 6 }]);
      expect(statuses(await burst(n, () => call('DELETE', `/api/prices/${model}`)))).toEqual({ 200: 1, 404: n - 1 });
      expect(await priceOf(model)).toEqual([]);
    },
    SLOW_MS,
  );

  it.each(AT_ONCE)(
    'sets one masking policy with %i identical PUTs, every one answered 200; one of as many DELETEs removes it',
    async (n) => {
      const project = `mask-${n}`;
      const policy = { detectors: ['email'] };
      expect(statuses(await burst(n, () => call('PUT', `/api/projects/${project}/masking`, policy)))).toEqual({ 200: n });
      expect((await call('GET', `/api/projects/${project}/masking`)).body).toMatchObject({ source: 'api', policy });
      expect(statuses(await burst(n, () => call('DELETE', `/api/projects/${project}/masking`)))).toEqual({ 204: 1, 404: n - 1 });
      expect((await call('GET', `/api/projects/${project}/masking`)).body).toMatchObject({ source: 'none' });
    },
    SLOW_MS,
  );

  it.each(AT_ONCE)(
    'sets one sampling policy with %i identical PUTs, every one answered 200; one of as many DELETEs removes it',
    async (n) => {
      const project = `sample-${n}`;
      const policy = { rate: 0.25, keep: { errors: true } };
      expect(statuses(await burst(n, () => call('PUT', `/api/projects/${project}/sampling`, policy)))).toEqual({ 200: n });
      expect((await call('GET', `/api/projects/${project}/sampling`)).body).toMatchObject({ projectId: project, source: 'api', policy: { rate: 0.25 } });
      expect(statuses(await burst(n, () => call('DELETE', `/api/projects/${project}/sampling`)))).toEqual({ 204: 1, 404: n - 1 });
      expect((await call('GET', `/api/projects/${project}/sampling`)).body).not.toMatchObject({ source: 'api' });
    },
    SLOW_MS,
  );

  it.each(AT_ONCE)(
    "sets one error group's status with %i identical PATCHes, every one answered 200",
    async (n) => {
      const status = n === 8 ? 'resolved' : 'ignored';
      expect(statuses(await burst(n, () => call('PATCH', `/api/errors/${fingerprint}`, { status })))).toEqual({ 200: n });
      expect((await call<ErrorGroupDetail>('GET', `/api/errors/${fingerprint}`)).body.group.status).toBe(status);
    },
    SLOW_MS,
  );

  it.each(AT_ONCE)(
    'ends a silence once of %i DELETEs: one 200, 409 for the rest',
    async (n) => {
      const made = await call<Silence>('POST', '/api/alerts/silences', {
        matchers: [{ name: 'alertname', op: '=', value: `quiet-${n}` }],
        duration: '1h',
        createdBy: 'ops',
      });
      expect(made.status).toBe(201);
      expect(statuses(await burst(n, () => call('DELETE', `/api/alerts/silences/${made.body.id}`)))).toEqual({ 200: 1, 409: n - 1 });
      const listed = (await call<SilenceListResponse>('GET', '/api/alerts/silences?expired=true')).body.silences.filter((s) => s.id === made.body.id);
      expect(listed).toHaveLength(1);
    },
    SLOW_MS,
  );

  it.each(AT_ONCE)(
    'revokes a key once of %i DELETEs: one 204, 409 for the rest',
    async (n) => {
      const made = await call<KeyInfo & { key: string }>('POST', '/api/keys', { project: 'default', role: 'read' });
      expect(made.status).toBe(201);
      expect(statuses(await burst(n, () => call('DELETE', `/api/keys/${made.body.id}`)))).toEqual({ 204: 1, 409: n - 1 });
      const keys = (await call<{ keys: KeyInfo[] }>('GET', '/api/keys')).body.keys.filter((k) => k.id === made.body.id);
      expect(keys).toMatchObject([{ id: made.body.id, revokedUs: expect.any(Number) }]);
    },
    SLOW_MS,
  );

  it.each(AT_ONCE)(
    'prices the stored calls again once of %i reprices at once: each answers 200, one of them changed the span',
    async (n) => {
      expect((await call('PUT', '/api/prices/gpt-4o', { provider: 'openai', input: n, output: n })).status).toBe(200);
      const range = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
      const answers = await burst(n, () => call('POST', '/api/prices/reprice', range));
      expect(statuses(answers)).toEqual({ 200: n });
      expect(answers.reduce((sum, a) => sum + (a.body as RepriceResponse).spans, 0)).toBe(1);
    },
    SLOW_MS,
  );

  // These were one 201 and 409s already (their services change one name at a time); kept here so they stay so.
  it.each(AT_ONCE)(
    'makes one dataset and one evaluator of %i POSTs of one name each, and deletes each once',
    async (n) => {
      const dataset = `set-${n}`;
      expect(statuses(await burst(n, () => call('POST', '/api/datasets', { name: dataset })))).toEqual({ 201: 1, 409: n - 1 });
      expect(statuses(await burst(n, () => call('DELETE', `/api/datasets/${dataset}`)))).toEqual({ 204: 1, 404: n - 1 });
      const evaluator = `fast-${n}`;
      expect(statuses(await burst(n, () => call('POST', '/api/evaluators', { name: evaluator, kind: 'latency', target: 'trace', maxMs: 1000 })))).toEqual({
        201: 1,
        409: n - 1,
      });
      expect(statuses(await burst(n, () => call('PUT', `/api/evaluators/${evaluator}`, { kind: 'latency', target: 'trace', maxMs: 2000 })))).toEqual({
        200: n,
      });
      expect(statuses(await burst(n, () => call('DELETE', `/api/evaluators/${evaluator}`)))).toEqual({ 204: 1, 404: n - 1 });
    },
    SLOW_MS,
  );
});
