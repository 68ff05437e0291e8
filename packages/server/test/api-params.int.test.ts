import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from './support/server.js';

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
  const span = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'run', kind: 1, startTimeUnixNano: String(start), endTimeUnixNano: String(start + 5_000_000n) };
  const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'params' } }] }, scopeSpans: [{ spans: [span] }] }] });
  expect((await fetch(`${server.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status).toBe(200);
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
const SPAN_FILTERS = ['from', 'to', 'service', 'name', 'text', 'status', 'minDurationMs', 'maxDurationMs', 'attr', 'sessionId', 'model', 'kind', 'category', 'root'];
/** Every GET route with a query, each with every parameter it takes (and what it requires). */
const ALL_PARAMS: Array<[path: string, params: string[], extra?: string]> = [
  ['/api/traces', ['from', 'to', 'service', 'name', 'text', 'status', 'minDurationMs', 'maxDurationMs', 'attr', 'sessionId', 'model', 'limit', 'cursor']],
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
  ['/api/replay/providers', []],
  ['/api/projects/default/masking', []],
];
/** Routes whose path names something, with `{}` where the name goes. */
const PATHS = [
  '/api/traces/{}', `/api/traces/${TRACE}/spans/{}`, `/api/traces/${TRACE}/diff/{}`, '/api/sessions/{}', '/api/errors/{}',
  '/api/alerts/rules/{}', '/api/projects/{}/masking',
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
          const value = param === 'attr' ? `${member}=x` : member;
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
});
