import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ATTR_FILTERS, MAX_SCORE_FILTERS } from '../src/params/parameters.js';
import { callTool } from './support/mcp.js';
import { type TestServer, callJson, startTestServer } from './support/server.js';

/**
 * No parameter value gets a 500: every number and time a route takes is bounded where it is
 * parsed. (A minDurationMs of 1e16 once reached DuckDB as a 64-bit overflow; `from=-1` was taken
 * for a date in 2001.)
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  // Something to read, so the queries run for real.
  const start = BigInt(Date.now() - 60_000) * 1_000_000n;
  const span = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    name: 'run',
    kind: 1,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 5_000_000n),
  };
  const body = JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'params' } }] }, scopeSpans: [{ spans: [span] }] }],
  });
  expect((await fetch(`${server.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status).toBe(200);
  // A score past a 64-bit integer: a score takes any finite number.
  expect((await callJson(server.url, 'POST', '/api/scores', { traceId: '0af7651916cd43dd8448eb211c80319c', name: 'q', value: 2e19 })).status).toBe(201);
});
afterAll(async () => {
  await server?.stop();
});

/** Values out of range for every numeric or time parameter. */
const HOSTILE = ['-1', '1e16', '1e300', '99999999999999999999999', '-0.5', 'NaN', 'Infinity', '0x10', ' ', '1970-01-01T00:00:00Z/2'];
/** Values a parameter may take or refuse, but never with a 500. */
const ODD = ['0', '1.5', '0.0001', '9007199254740993', '2262-04-11T23:47:16.854775807Z', '9999-12-31T23:59:59Z', '1e3'];

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const ROUTES: Array<[path: string, params: string[], extra?: string]> = [
  ['/api/traces', ['from', 'to', 'minDurationMs', 'maxDurationMs', 'limit']],
  ['/api/logs', ['from', 'to', 'severity', 'limit']],
  ['/api/services', ['from', 'to']],
  ['/api/metrics', ['from', 'to']],
  ['/api/metrics/points', ['from', 'to', 'limit'], 'name=m'],
  ['/api/prices/unpriced', ['from', 'to']],
  ['/api/stats/spans', ['from', 'to', 'minDurationMs', 'maxDurationMs', 'limit']],
  ['/api/stats/timeseries', ['from', 'to', 'step', 'minDurationMs', 'limit']],
  ['/api/stats/compare', ['from', 'to', 'minDurationMs', 'limit'], 'by=service&a=params&b=other'],
  ['/api/sessions', ['from', 'to', 'limit']],
  ['/api/users', ['from', 'to', 'limit']],
  ['/api/sessions/s-1', ['hours']],
  ['/api/sessions/s-1', ['from', 'to']],
  ['/api/metrics/series', ['from', 'to', 'step', 'window'], 'name=m&fn=rate'],
  ['/api/errors', ['from', 'to', 'limit']],
  ['/api/errors/fp-1', ['from', 'to']],
  ['/api/alerts/history', ['from', 'to', 'limit']],
  [`/api/traces/${TRACE}/search`, ['limit'], 'q=run'],
];

/** Names every plain object answers (`{}['constructor']`): a lookup by user text must not find them. */
const OBJECT_MEMBERS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
const SPAN_FILTERS = [
  'from',
  'to',
  'service',
  'name',
  'text',
  'status',
  'minDurationMs',
  'maxDurationMs',
  'attr',
  'sessionId',
  'model',
  'kind',
  'category',
  'root',
];
/** Every GET route with a query, each with every parameter it takes (and what it requires). */
const ALL_PARAMS: Array<[path: string, params: string[], extra?: string]> = [
  [
    '/api/traces',
    ['from', 'to', 'service', 'name', 'text', 'status', 'minDurationMs', 'maxDurationMs', 'attr', 'sessionId', 'model', 'score', 'limit', 'cursor'],
  ],
  ['/api/logs', ['from', 'to', 'severity', 'service', 'traceId', 'text', 'limit', 'cursor']],
  ['/api/services', ['from', 'to']],
  ['/api/metrics', ['from', 'to']],
  ['/api/metrics/points', ['name', 'from', 'to', 'service', 'limit', 'cursor'], 'name=m'],
  ['/api/metrics/realtime', ['service']],
  ['/api/metrics/series', ['name', 'fn', 'from', 'to', 'step', 'window', 'groupBy', 'service'], 'name=m&fn=rate'],
  ['/api/prices/unpriced', ['from', 'to']],
  ['/api/stats/spans', [...SPAN_FILTERS, 'groupBy', 'limit']],
  ['/api/stats/timeseries', [...SPAN_FILTERS, 'metric', 'step', 'groupBy', 'limit']],
  ['/api/stats/compare', [...SPAN_FILTERS, 'by', 'a', 'b', 'limit'], 'a=params&b=other'],
  ['/api/sessions', ['from', 'to', 'limit', 'cursor']],
  ['/api/users', ['from', 'to', 'limit', 'cursor']],
  ['/api/sessions/s-1', ['hours', 'from', 'to']],
  ['/api/errors', ['from', 'to', 'status', 'service', 'sort', 'limit', 'cursor']],
  ['/api/errors/fp-1', ['from', 'to']],
  ['/api/alerts', ['state']],
  ['/api/alerts/history', ['from', 'to', 'rule', 'limit', 'cursor']],
  ['/api/alerts/silences', ['expired']],
  ['/api/audit', ['from', 'to', 'limit', 'cursor']],
  [`/api/traces/${TRACE}/search`, ['q', 'limit'], 'q=run'],
  [`/api/traces/${TRACE}`, []],
  [`/api/traces/${TRACE}/tree`, []],
  [`/api/traces/${TRACE}/critical-path`, []],
  ['/api/alerts/rules', []],
  ['/api/prices', []],
  ['/api/quarantine', []],
  ['/api/replay/providers', ['demo']],
  ['/api/projects/default/masking', []],
];
/** Routes whose path names something, with `{}` where the name goes. */
const PATHS = [
  '/api/traces/{}',
  `/api/traces/${TRACE}/spans/{}`,
  `/api/traces/${TRACE}/diff/{}`,
  '/api/sessions/{}',
  '/api/errors/{}',
  '/api/alerts/rules/{}',
  '/api/projects/{}/masking',
];

describe('query parameters', () => {
  it('answer names of Object members, as values, parameter names and path segments, never with a 500', async () => {
    const failures: string[] = [];
    const check = async (path: string, ok: (status: number) => boolean): Promise<void> => {
      const response = await fetch(`${server.url}${path}`);
      await response.arrayBuffer();
      if (!ok(response.status)) failures.push(`${path} -> ${response.status}`);
    };
    for (const member of OBJECT_MEMBERS) {
      for (const [path, params, extra] of ALL_PARAMS) {
        const prefix = extra === undefined ? '' : `${extra}&`;
        for (const param of params) {
          const value = param === 'attr' ? `${member}=x` : param === 'score' ? `${member}>1` : member;
          await check(`${path}?${prefix}${param}=${encodeURIComponent(value)}`, (status) => status < 500);
        }
        // Not a parameter of any route: named as unknown.
        await check(`${path}?${prefix}${member}=1`, (status) => status === 400);
      }
      for (const path of PATHS) await check(path.replace('{}', member), (status) => status < 500);
    }
    expect(failures).toEqual([]);
  });

  it('answer 400, never 500, to out-of-range, negative, fractional and huge values on every route', async () => {
    const failures: string[] = [];
    for (const [path, params, extra] of ROUTES) {
      for (const param of params) {
        for (const value of [...HOSTILE, ...ODD]) {
          const query = `${extra === undefined ? '' : `${extra}&`}${param}=${encodeURIComponent(value)}`;
          const response = await fetch(`${server.url}${path}?${query}`);
          const status = response.status;
          await response.arrayBuffer();
          // Out-of-range values are refused by name; the others may be fine (or not found).
          const ok = HOSTILE.includes(value) ? status === 400 : status < 500;
          if (!ok) failures.push(`${path}?${query} -> ${status}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('still takes what they should: epoch milliseconds, ISO times with an offset, durations with units', async () => {
    for (const path of [
      `/api/traces?from=${Date.now() - 3_600_000}&to=${new Date().toISOString()}&minDurationMs=0.5`,
      '/api/traces?from=2026-01-01&to=2026-12-31T23:59:59.999999%2B02:00',
      '/api/stats/timeseries?step=5m',
    ]) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(200);
    }
    // No metric of that name: a 404, not a refused window or step.
    expect((await fetch(`${server.url}/api/metrics/series?name=m&fn=rate&window=1h&step=30s`)).status).toBe(404);
  });

  it('compare a score with any finite number, however large, and refuse one past a double by name', async () => {
    for (const [filter, found] of [
      ['q>1e19', 1],
      ['q<-1e19', 0],
      ['q=2e19', 1],
      ['q>=9223372036854775808', 1],
      ['q<1.7e308', 1],
      ['q!=1e300', 1],
    ] as const) {
      const answer = await callJson<{ traces: unknown[] }>(server.url, 'GET', `/api/traces?score=${encodeURIComponent(filter)}`);
      expect(answer.status, filter).toBe(200);
      expect(answer.body.traces, filter).toHaveLength(found);
    }
    const huge = await callJson<{ error: { message: string } }>(server.url, 'GET', `/api/traces?score=${encodeURIComponent('q>1e400')}`);
    expect([huge.status, huge.body.error.message]).toEqual([400, "'score' compares with a number too large: 'q>1e400'"]);
  });

  /** `n` filters of a repeatable parameter: distinct, so none is folded into another. */
  const repeated = (name: 'attr' | 'score', n: number): string =>
    Array.from({ length: n }, (_, i) => `${name}=${encodeURIComponent(name === 'attr' ? `k${i}=v` : `s${i}>${i}`)}`).join('&');

  it('refuse more attr or score filters than they take with a 400 naming the parameter and its limit, at once', async () => {
    const routes = ['/api/traces', '/api/stats/spans', '/api/stats/timeseries', '/api/stats/compare?a=params&b=other'];
    for (const route of routes) {
      const join = route.includes('?') ? '&' : '?';
      for (const n of [MAX_ATTR_FILTERS + 1, 900, 1001]) {
        const answer = await callJson<{ error: { code: string; message: string } }>(server.url, 'GET', `${route}${join}${repeated('attr', n)}`);
        expect([answer.status, answer.body.error], `${route} with ${n} attr`).toEqual([
          400,
          { code: 'ERR_INVALID_PARAMETER', message: `'attr' may be given at most ${MAX_ATTR_FILTERS} times, not ${n}` },
        ]);
      }
      // At the limit, the filters are applied (nothing has 20 such attributes).
      expect((await callJson(server.url, 'GET', `${route}${join}${repeated('attr', MAX_ATTR_FILTERS)}`)).status, route).toBe(200);
    }
    for (const n of [MAX_SCORE_FILTERS + 1, 500]) {
      const answer = await callJson<{ error: { message: string } }>(server.url, 'GET', `/api/traces?${repeated('score', n)}`);
      expect([answer.status, answer.body.error.message]).toEqual([400, `'score' may be given at most ${MAX_SCORE_FILTERS} times, not ${n}`]);
    }
    expect((await callJson(server.url, 'GET', `/api/traces?${repeated('score', MAX_SCORE_FILTERS)}`)).status).toBe(200);
    // An evaluator's filter is the trace list's query string, and so bounded alike.
    const evaluator = await callJson<{ error: { message: string } }>(server.url, 'POST', '/api/evaluators', {
      name: 'many-attrs',
      kind: 'length',
      target: 'trace',
      max: 10,
      filter: repeated('attr', MAX_ATTR_FILTERS + 1),
    });
    expect(evaluator.status).toBe(400);
    expect(evaluator.body.error.message).toMatch(new RegExp(`^invalid evaluator: filter: 'attr' .*\\b${MAX_ATTR_FILTERS}$`));
  });

  it("answer MCP's search_traces alike: hostile score and attr values are a 400 naming the parameter", async () => {
    const client = new Client({ name: 'spoor-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    try {
      expect((await callTool(client, 'search_traces', { score: 'q>1e19' })).json.traces).toHaveLength(1);
      const attrs = Array.from({ length: 1001 }, (_, i) => `k${i}=v`);
      const many = await callTool(client, 'search_traces', { attr: attrs });
      expect([many.isError, many.text]).toEqual([true, `'attr' may be given at most ${MAX_ATTR_FILTERS} times, not 1001 (400 ERR_INVALID_PARAMETER)`]);
      const scores = await callTool(client, 'search_traces', { score: Array.from({ length: MAX_SCORE_FILTERS + 1 }, (_, i) => `s${i}>1`) });
      expect(scores.text).toBe(`'score' may be given at most ${MAX_SCORE_FILTERS} times, not ${MAX_SCORE_FILTERS + 1} (400 ERR_INVALID_PARAMETER)`);
    } finally {
      await client.close();
    }
  });
});
