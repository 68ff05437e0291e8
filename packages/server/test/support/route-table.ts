import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { ERROR_SPAN, LLM_SPAN, OTHER_TRACE, SHOP_TRACE, logsBody, metricsBody, randomTraceId, tracesBody } from './route-table-records.js';
import type { TestServer } from './server.js';
import { PEOPLE_ROWS } from './route-table-people.js';
import { type Row, read, readId } from './route-row.js';

export type { Row } from './route-row.js';

export { SHOP_MARKS, SHOP_TRACE, randomTraceId } from './route-table-records.js';

/**
 * Every route of the router with what it needs and what another project's key gets from it,
 * and a server seeded for walking them: two projects (`shop`, `other`) with a key of each role,
 * a key of every project (`root`), and records of each. Used by the access tests
 * (`test/access.int.test.ts`, `test/access-paths.int.test.ts`); a route missing here fails them.
 */

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

export interface SendOptions {
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** The server's address, when not the table's. */
  to?: string;
}

/** Keys made by `seedRouteTable`: `root` (admin of `*`), and `shopRead`, `otherIngest`, ... */
export const keys: Record<string, string> = {};
let baseUrl = '';
let spareKeyId = '';
let silenceId = '';
let fingerprint = '';
let shopScoreId = '';
let spareScoreId = '';
let shopItemId = '';
let spareItemId = '';
let shopExperimentId = '';
let finishExperimentId = '';
let spareExperimentId = '';

/** The id of a spare key of `shop`, made to be revoked through the table. */
export const spareKey = (): string => spareKeyId;
/** The silence id of `shop`, made to be deleted through the table. */
export const shopSilence = (): string => silenceId;
/** The id of a score of `shop`, made to be deleted through the table. */
export const spareScore = (): string => spareScoreId;

export async function send(method: string, path: string, options: SendOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  return { status: response.status, text: await textOf(response), headers: response.headers };
}

/** Whether an answer is an event stream, which never ends by itself. */
const isStream = (type: string | null | undefined): boolean => (type ?? '').startsWith('text/event-stream');
/** Whether an event stream's text holds its first event whole. */
const hasEvent = (text: string): boolean => /(?:^|\n)event: [^\n]*\n(?:[^\n]+\n)*\n/.test(text);

/** An answer's text; of an event stream, up to its first event (a live stream's `ready`), the stream then dropped. */
async function textOf(response: Response): Promise<string> {
  if (!isStream(response.headers.get('content-type')) || response.body === null) return response.text();
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!hasEvent(text)) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

/**
 * Sends `target` as the request line's target byte for byte: `fetch` would resolve dot segments,
 * drop a fragment and refuse an absolute form, which a client of its own need not.
 */
export function sendRaw(method: string, target: string, options: SendOptions = {}): Promise<Answer> {
  const url = new URL(options.to ?? baseUrl);
  const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = { connection: 'close', ...options.headers };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: target, headers }, (res) => {
      const chunks: Buffer[] = [];
      const answer = (): void => {
        const answerHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) answerHeaders.set(name, [value].flat().join(', '));
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: answerHeaders });
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        // An event stream never ends by itself: its first event is the answer.
        if (isStream(res.headers['content-type']) && hasEvent(Buffer.concat(chunks).toString('utf8'))) {
          answer();
          req.destroy();
        }
      });
      res.on('end', answer);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Every span name of the last hour: another project's key must see none of this one's. */
const PROM_QUERY = encodeURIComponent('count(spans)[1h] by (name)');
/** The last two hours and a minute on, in Prometheus's seconds. */
const lastHours = (): string => `start=${Math.floor(Date.now() / 1000) - 7200}&end=${Math.floor(Date.now() / 1000) + 60}`;
const ALWAYS = 'count(spans)[5m] > 1000000';
/** A receiver's address nothing listens on: no rule names the table's receivers, so nothing is sent. */
const HOOK = 'http://127.0.0.1:9/hook';

export const ROWS: Record<string, Row> = {
  'POST /v1/traces': {
    path: () => '/v1/traces',
    body: (project) => tracesBody(`${project}-api`, randomTraceId(), `sess-${project}`),
    need: 'ingest',
    foreign: 'own',
  },
  'POST /v1/logs': { path: () => '/v1/logs', body: (project) => logsBody(`${project}-api`, randomTraceId()), need: 'ingest', foreign: 'own' },
  'POST /v1/metrics': { path: () => '/v1/metrics', body: (project) => metricsBody(`${project}-api`, `${project}.queue.depth`), need: 'ingest', foreign: 'own' },
  'GET /api/traces': read('/api/traces'),
  'GET /api/traces/:traceId': readId(() => `/api/traces/${SHOP_TRACE}`),
  'GET /api/traces/:traceId/tree': readId(() => `/api/traces/${SHOP_TRACE}/tree`),
  // Live streams: read up to their first event (\`ready\`); another project's trace is a 404 before any.
  'GET /api/traces/:traceId/live': readId(() => `/api/traces/${SHOP_TRACE}/live`),
  'GET /api/live': read('/api/live'),
  'GET /api/traces/:traceId/search': readId(() => `/api/traces/${SHOP_TRACE}/search?q=boom`),
  'GET /api/traces/:traceId/spans/:spanId': readId(() => `/api/traces/${SHOP_TRACE}/spans/${ERROR_SPAN}`),
  'GET /api/traces/:traceId/spans/:spanId/llm': readId(() => `/api/traces/${SHOP_TRACE}/spans/${LLM_SPAN}/llm`),
  'GET /api/traces/:traceId/critical-path': readId(() => `/api/traces/${SHOP_TRACE}/critical-path`),
  'GET /api/traces/:traceId/diff/:otherTraceId': readId(() => `/api/traces/${SHOP_TRACE}/diff/${SHOP_TRACE}`),
  'GET /api/services': read('/api/services'),
  'GET /api/logs': read('/api/logs'),
  'GET /api/metrics': read('/api/metrics'),
  'GET /api/metrics/points': read('/api/metrics/points?name=shop.queue.depth'),
  'GET /api/metrics/realtime': read('/api/metrics/realtime'),
  'GET /api/metrics/series': read('/api/metrics/series?name=shop.queue.depth&fn=last', 'not-found'),
  'GET /api/stats/spans': read('/api/stats/spans'),
  'GET /api/stats/timeseries': read('/api/stats/timeseries'),
  'GET /api/stats/compare': read('/api/stats/compare?by=service.version&a=1.0&b=2.0'),
  'GET /api/stats/scores': read('/api/stats/scores'),
  'GET /api/flows': read('/api/flows'),
  'GET /api/flows/compare': read('/api/flows/compare?a=1.0&b=2.0'),
  'GET /api/sessions': read('/api/sessions'),
  'GET /api/users': read('/api/users'),
  // A session id is a name the app chose, not a record: one no project used answers an empty
  // window (the dashboard offers a longer one), and so does another project's.
  'GET /api/sessions/:sessionId': read('/api/sessions/sess-shop?hours=24'),
  'GET /api/errors': read('/api/errors'),
  'GET /api/errors/:fingerprint': readId(() => `/api/errors/${fingerprint}`),
  'PATCH /api/errors/:fingerprint': { path: () => `/api/errors/${fingerprint}`, body: () => ({ status: 'resolved' }), need: 'admin', foreign: 'not-found' },
  'GET /api/alerts': read('/api/alerts'),
  'GET /api/alerts/history': read('/api/alerts/history'),
  'GET /api/alerts/rules': read('/api/alerts/rules'),
  'GET /api/alerts/rules/:name': readId(() => '/api/alerts/rules/shop-rule'),
  'POST /api/alerts/rules': { path: () => '/api/alerts/rules', body: () => ({ name: 'posted', expr: ALWAYS }), need: 'admin', foreign: 'own' },
  'PUT /api/alerts/rules/:name': { path: () => '/api/alerts/rules/put-rule', body: () => ({ expr: ALWAYS }), need: 'admin', foreign: 'own' },
  'DELETE /api/alerts/rules/:name': { path: () => '/api/alerts/rules/to-delete', need: 'admin', foreign: 'not-found' },
  'GET /api/providers': read('/api/providers'),
  'GET /api/alerts/receivers': { path: () => '/api/alerts/receivers', need: 'admin', foreign: 'no-leak' },
  'GET /api/alerts/receivers/:name': { path: () => '/api/alerts/receivers/shop-hook', need: 'admin', foreign: 'not-found' },
  'POST /api/alerts/receivers': {
    path: () => '/api/alerts/receivers',
    body: () => ({ name: 'posted-hook', webhook: { url: HOOK } }),
    need: 'admin',
    foreign: 'own',
  },
  'PUT /api/alerts/receivers/:name': { path: () => '/api/alerts/receivers/put-hook', body: () => ({ webhook: { url: HOOK } }), need: 'admin', foreign: 'own' },
  'DELETE /api/alerts/receivers/:name': { path: () => '/api/alerts/receivers/to-delete-hook', need: 'admin', foreign: 'not-found' },
  'GET /api/alerts/silences': read('/api/alerts/silences'),
  'POST /api/alerts/silences': {
    path: () => '/api/alerts/silences',
    body: () => ({ matchers: [{ name: 'alertname', op: '=', value: 'posted' }], duration: '1h', createdBy: 'test', comment: 'posted' }),
    need: 'admin',
    foreign: 'own',
  },
  'DELETE /api/alerts/silences/:id': { path: () => `/api/alerts/silences/${silenceId}`, need: 'admin', foreign: 'not-found' },
  // An app posts its users' feedback with its ingest key; another project's trace is unknown to it.
  'POST /api/scores': {
    path: () => '/api/scores',
    body: () => ({ traceId: SHOP_TRACE, spanId: LLM_SPAN, name: 'helpful', value: 1 }),
    need: 'ingest',
    foreign: 'not-found',
  },
  'GET /api/scores': read('/api/scores'),
  'GET /api/scores/:scoreId': readId(() => `/api/scores/${shopScoreId}`),
  'DELETE /api/scores/:scoreId': { path: () => `/api/scores/${spareScoreId}`, need: 'admin', foreign: 'not-found' },
  'GET /api/evaluators': read('/api/evaluators'),
  'POST /api/evaluators': {
    path: () => '/api/evaluators',
    body: () => ({ name: 'posted-eval', kind: 'latency', target: 'trace', maxMs: 1 }),
    need: 'admin',
    foreign: 'own',
  },
  'POST /api/evaluators/preview': {
    path: () => '/api/evaluators/preview',
    body: () => ({ spec: { name: 'p', kind: 'latency', target: 'trace', maxMs: 1 } }),
    need: 'admin',
    foreign: 'own',
  },
  'GET /api/evaluators/:name': readId(() => '/api/evaluators/shop-eval'),
  'PUT /api/evaluators/:name': {
    path: () => '/api/evaluators/put-eval',
    body: () => ({ kind: 'latency', target: 'trace', maxMs: 1 }),
    need: 'admin',
    foreign: 'own',
  },
  'DELETE /api/evaluators/:name': { path: () => '/api/evaluators/to-delete-eval', need: 'admin', foreign: 'not-found' },
  'POST /api/evaluators/:name/pause': { path: () => '/api/evaluators/shop-eval/pause', body: () => ({}), need: 'admin', foreign: 'not-found' },
  // Sent without a body, as curl -X POST sends it: the route needs none.
  'POST /api/evaluators/:name/resume': { path: () => '/api/evaluators/shop-eval/resume', need: 'admin', foreign: 'not-found' },
  'GET /api/evaluators/:name/errors': readId(() => '/api/evaluators/shop-eval/errors'),
  'POST /api/evaluators/:name/retry': { path: () => '/api/evaluators/shop-eval/retry', need: 'admin', foreign: 'not-found' },
  // Before its GET: the right key's backfill is the one the GET reads.
  'POST /api/evaluators/:name/backfill': {
    path: () => '/api/evaluators/shop-eval/backfill',
    body: () => ({ from: '2020-01-01T00:00:00Z' }),
    need: 'admin',
    foreign: 'not-found',
  },
  'GET /api/evaluators/:name/backfill': readId(() => '/api/evaluators/shop-eval/backfill'),
  // A CI job builds datasets with its ingest key; deleting needs an admin.
  'GET /api/datasets': read('/api/datasets'),
  'POST /api/datasets': { path: () => '/api/datasets', body: () => ({ name: `posted-${randomBytes(4).toString('hex')}` }), need: 'ingest', foreign: 'own' },
  'GET /api/datasets/:name': readId(() => '/api/datasets/shop-dataset'),
  'PATCH /api/datasets/:name': { path: () => '/api/datasets/shop-dataset', body: () => ({ description: 'described' }), need: 'ingest', foreign: 'not-found' },
  'DELETE /api/datasets/:name': { path: () => '/api/datasets/to-delete-dataset', need: 'admin', foreign: 'not-found' },
  'POST /api/datasets/:name/items': {
    path: () => '/api/datasets/shop-dataset/items',
    body: () => ({ items: [{ input: 'posted' }] }),
    need: 'ingest',
    foreign: 'not-found',
  },
  'GET /api/datasets/:name/items': readId(() => '/api/datasets/shop-dataset/items'),
  'PUT /api/datasets/:name/items/:itemId': {
    path: () => `/api/datasets/shop-dataset/items/${shopItemId}`,
    body: () => ({ metadata: { edited: true } }),
    need: 'ingest',
    foreign: 'not-found',
  },
  'DELETE /api/datasets/:name/items/:itemId': { path: () => `/api/datasets/shop-dataset/items/${spareItemId}`, need: 'admin', foreign: 'not-found' },
  // Dashboards, review queues and prompts (route-table-people.ts).
  ...PEOPLE_ROWS,
  // And runs experiments on them; deleting one needs an admin.
  'GET /api/experiments': read('/api/experiments'),
  'POST /api/experiments': {
    path: () => '/api/experiments',
    body: () => ({ dataset: 'shop-dataset', name: 'posted', target: { kind: 'sdk', replay: 'none' } }),
    need: 'ingest',
    foreign: 'not-found',
  },
  'GET /api/experiments/:id': readId(() => `/api/experiments/${shopExperimentId}`),
  'DELETE /api/experiments/:id': { path: () => `/api/experiments/${spareExperimentId}`, need: 'admin', foreign: 'not-found' },
  'GET /api/experiments/:id/results': readId(() => `/api/experiments/${shopExperimentId}/results`),
  'POST /api/experiments/:id/results': {
    path: () => `/api/experiments/${shopExperimentId}/results`,
    body: () => ({ results: [{ itemId: shopItemId, traceId: null, output: 'posted' }] }),
    need: 'ingest',
    foreign: 'not-found',
  },
  'POST /api/experiments/:id/finish': { path: () => `/api/experiments/${finishExperimentId}/finish`, body: () => ({}), need: 'ingest', foreign: 'not-found' },
  'GET /api/experiments/:a/compare/:b': readId(() => `/api/experiments/${shopExperimentId}/compare/${shopExperimentId}`),
  'GET /api/experiments/:a/compare/:b/items/:itemId': readId(() => `/api/experiments/${shopExperimentId}/compare/${shopExperimentId}/items/${shopItemId}`),
  'GET /api/quarantine': read('/api/quarantine'),
  'GET /api/replay/providers': read('/api/replay/providers'),
  'GET /api/projects/:projectId/masking': readId(() => '/api/projects/shop/masking'),
  'PUT /api/projects/:projectId/masking': { path: () => '/api/projects/shop/masking', body: () => ({ mode: 'mask' }), need: 'admin', foreign: 'not-found' },
  'DELETE /api/projects/:projectId/masking': { path: () => '/api/projects/shop/masking', need: 'admin', foreign: 'not-found' },
  // Tail sampling: shop's policy is set by the PUT row, then removed by the DELETE row.
  'GET /api/projects/:projectId/sampling': readId(() => '/api/projects/shop/sampling'),
  'PUT /api/projects/:projectId/sampling': { path: () => '/api/projects/shop/sampling', body: () => ({ rate: 1 }), need: 'admin', foreign: 'not-found' },
  'DELETE /api/projects/:projectId/sampling': { path: () => '/api/projects/shop/sampling', need: 'admin', foreign: 'not-found' },
  // This server has no provider: the right key gets as far as being told which flag to set.
  'POST /api/replay': { path: () => '/api/replay', body: () => ({ traceId: SHOP_TRACE, spanId: LLM_SPAN }), need: 'admin', foreign: 'not-found', ok: 400 },
  'POST /api/playground/run': {
    path: () => '/api/playground/run',
    body: () => ({ provider: 'openai', model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    need: 'admin',
    foreign: 'own',
    ok: 400,
  },
  'POST /api/quarantine/replay': { path: () => '/api/quarantine/replay', body: () => ({}), need: 'admin', foreign: 'own' },
  'GET /api/session': { path: () => '/api/session', need: 'public', foreign: 'own' },
  'POST /api/session': { path: () => '/api/session', body: () => ({ key: keys.shopRead }), need: 'public', foreign: 'own' },
  'PUT /api/session': { path: () => '/api/session', body: () => ({ project: 'shop' }), need: 'signed-in', foreign: 'own' },
  'DELETE /api/session': { path: () => '/api/session', need: 'public', foreign: 'own' },
  // Single sign-on: this server has none configured, so both say how to turn it on (404).
  'GET /auth/login': { path: () => '/auth/login', need: 'public', foreign: 'own', ok: 404 },
  'GET /auth/callback': { path: () => '/auth/callback', need: 'public', foreign: 'own', ok: 404 },
  'GET /api/keys': { path: () => '/api/keys', need: 'admin', foreign: 'no-leak' },
  'POST /api/keys': { path: () => '/api/keys', body: () => ({ role: 'read', name: 'from the table' }), need: 'admin', foreign: 'own' },
  'DELETE /api/keys/:id': { path: () => `/api/keys/${spareKeyId}`, need: 'admin', foreign: 'not-found' },
  'GET /api/audit': read('/api/audit'),
  // Export: admin keys only; another project's admin key exports its own records, none of these.
  'GET /api/export': { path: () => '/api/export?signal=spans&format=jsonl&from=0&to=4102444800000', need: 'admin', foreign: 'no-leak' },
  // Prometheus's query API: a query posted (as its clients post forms) only reads.
  ...Object.fromEntries(
    ['GET', 'POST'].flatMap((method) => [
      [`${method} /api/v1/query`, read(`/api/v1/query?query=${PROM_QUERY}`)],
      [`${method} /api/v1/query_range`, { path: () => `/api/v1/query_range?query=${PROM_QUERY}&${lastHours()}&step=3600`, need: 'read', foreign: 'no-leak' }],
      [`${method} /api/v1/labels`, read('/api/v1/labels')],
      [`${method} /api/v1/series`, read(`/api/v1/series?match[]=${PROM_QUERY}`)],
    ]),
  ),
  'GET /api/v1/label/:name/values': read('/api/v1/label/name/values'),
  'GET /api/prices': read('/api/prices'),
  'GET /api/prices/unpriced': read('/api/prices/unpriced'),
  'PUT /api/prices/:model': { path: () => '/api/prices/put-model', body: () => ({ provider: 'acme', input: 1, output: 2 }), need: 'admin', foreign: 'own' },
  'DELETE /api/prices/:model': { path: () => '/api/prices/shop-model', need: 'admin', foreign: 'not-found' },
  'POST /api/prices/reprice': { path: () => '/api/prices/reprice', body: () => ({}), need: 'admin', foreign: 'own' },
  // A browser's preflight carries no key; this server names no --cors-origin, so it is refused.
  'OPTIONS /v1/traces': { path: () => '/v1/traces', need: 'public', foreign: 'own', ok: 403 },
  'OPTIONS /v1/logs': { path: () => '/v1/logs', need: 'public', foreign: 'own', ok: 403 },
  'OPTIONS /v1/metrics': { path: () => '/v1/metrics', need: 'public', foreign: 'own', ok: 403 },
  // The API's shape, the same for every Spoor of a version: no record, project or key in it.
  'GET /api/openapi.json': { path: () => '/api/openapi.json', need: 'public', foreign: 'own' },
  // MCP: a tool call reads through the API with the caller's key (another project's trace: a tool
  // error, "not found", in a 200); no event stream or session is offered (405).
  'POST /mcp': {
    path: () => '/mcp',
    body: () => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_trace', arguments: { traceId: SHOP_TRACE } } }),
    need: 'read',
    foreign: 'no-leak',
  },
  'GET /mcp': { path: () => '/mcp', need: 'read', foreign: 'own', ok: 405 },
  'DELETE /mcp': { path: () => '/mcp', need: 'read', foreign: 'own', ok: 405 },
  'GET /health': { path: () => '/health', need: 'public', foreign: 'own' },
  // The docs hold no record, project or key: anyone may read them, as the dashboard's files.
  'GET /docs': { path: () => '/docs', need: 'public', foreign: 'own' },
  'GET /docs/:page': { path: () => '/docs/alerting', need: 'public', foreign: 'own' },
  'GET /ready': { path: () => '/ready', need: 'public', foreign: 'own' },
  'GET /metrics': { path: () => '/metrics', need: 'metrics', foreign: 'own' },
};

/** The key a row's request is made with: the right one, one of the wrong role, another project's. */
export function keyFor(need: Row['need'], which: 'right' | 'wrong-role' | 'foreign'): string | undefined {
  const project = which === 'foreign' ? 'other' : 'shop';
  if (which === 'wrong-role') return need === 'read' ? keys.shopIngest : keys.shopRead;
  if (need === 'ingest') return keys[`${project}Ingest`];
  if (need === 'read') return keys[`${project}Read`];
  if (need === 'metrics') return keys.root;
  return keys[`${project}Admin`];
}

/** Makes the table's keys and records on a fresh server that requires no key yet. */
export async function seedRouteTable(server: TestServer): Promise<void> {
  baseUrl = server.url;
  // The first key is made while none is required; from then on every request needs one.
  const root = await send('POST', '/api/keys', { body: { project: '*', role: 'admin', name: 'root' } });
  expect(root.status).toBe(201);
  keys.root = (JSON.parse(root.text) as { key: string }).key;
  for (const project of ['shop', 'other']) {
    for (const role of ['ingest', 'read', 'admin']) {
      const made = await send('POST', '/api/keys', { key: keys.root, body: { project, role } });
      expect(made.status, made.text).toBe(201);
      keys[`${project}${role[0]!.toUpperCase()}${role.slice(1)}`] = (JSON.parse(made.text) as { key: string }).key;
    }
  }
  spareKeyId = (JSON.parse((await send('POST', '/api/keys', { key: keys.shopAdmin, body: { role: 'read', name: 'spare' } })).text) as { id: string }).id;
  for (const [project, service, traceId] of [
    ['shop', 'shop-api', SHOP_TRACE],
    ['other', 'other-api', OTHER_TRACE],
  ] as const) {
    const key = keys[`${project}Ingest`];
    expect((await send('POST', '/v1/traces', { key, body: tracesBody(service, traceId, `sess-${project}`) })).status).toBe(200);
    expect((await send('POST', '/v1/logs', { key, body: logsBody(service, traceId) })).status).toBe(200);
    expect((await send('POST', '/v1/metrics', { key, body: metricsBody(service, `${project}.queue.depth`) })).status).toBe(200);
  }
  const admin = keys.shopAdmin;
  for (const name of ['shop-rule', 'to-delete'])
    expect((await send('POST', '/api/alerts/rules', { key: admin, body: { name, expr: ALWAYS } })).status).toBe(201);
  for (const name of ['shop-hook', 'to-delete-hook'])
    expect((await send('POST', '/api/alerts/receivers', { key: admin, body: { name, webhook: { url: HOOK } } })).status).toBe(201);
  for (const name of ['shop-eval', 'to-delete-eval'])
    expect((await send('POST', '/api/evaluators', { key: admin, body: { name, kind: 'latency', target: 'trace', maxMs: 1 } })).status).toBe(201);
  const silence = await send('POST', '/api/alerts/silences', {
    key: admin,
    body: { matchers: [{ name: 'alertname', op: '=', value: 'shop-rule' }], duration: '1h', createdBy: 'test', comment: 'shop silence' },
  });
  silenceId = (JSON.parse(silence.text) as { id: string }).id;
  // Before the price is set: the audit test finds that change within the newest page.
  for (const name of ['shop-dash', 'to-delete-dash'])
    expect((await send('PUT', `/api/dashboards/${name}`, { key: admin, body: { title: name, panels: [] } })).status).toBe(200);
  for (const name of ['shop-queue', 'to-delete-queue', 'held-queue'])
    expect((await send('POST', '/api/queues', { key: admin, body: { name, rubric: [{ name: 'ok', type: 'boolean' }] } })).status).toBe(201);
  for (const name of ['shop-queue', 'held-queue'])
    expect((await send('POST', `/api/queues/${name}/items`, { key: admin, body: { items: [{ traceId: SHOP_TRACE }] } })).status).toBe(201);
  expect((await send('POST', '/api/queues/held-queue/next', { key: admin })).status).toBe(200);
  for (const name of ['shop-prompt', 'to-delete-prompt'])
    expect((await send('POST', '/api/prompts', { key: admin, body: { name, prompt: 'shop prompt words', labels: ['production'] } })).status).toBe(201);
  expect((await send('PUT', '/api/prices/shop-model', { key: admin, body: { provider: 'acme', input: 1, output: 2 } })).status).toBe(200);
  const scoreOf = async (body: object): Promise<string> => {
    const made = await send('POST', '/api/scores', { key: keys.shopIngest, body });
    expect(made.status, made.text).toBe(201);
    return (JSON.parse(made.text) as { score: { scoreId: string } }).score.scoreId;
  };
  shopScoreId = await scoreOf({ traceId: SHOP_TRACE, name: 'quality', label: 'good', comment: 'shop verdict' });
  spareScoreId = await scoreOf({ traceId: SHOP_TRACE, spanId: LLM_SPAN, name: 'to-delete', value: 0.5 });
  for (const name of ['shop-dataset', 'to-delete-dataset'])
    expect((await send('POST', '/api/datasets', { key: keys.shopIngest, body: { name } })).status).toBe(201);
  const items = await send('POST', '/api/datasets/shop-dataset/items', {
    key: keys.shopIngest,
    body: { items: [{ input: 'shop question' }, { input: 'spare' }] },
  });
  expect(items.status, items.text).toBe(201);
  [shopItemId, spareItemId] = (JSON.parse(items.text) as { itemIds: string[] }).itemIds as [string, string];
  const experiment = async (name: string): Promise<string> => {
    const made = await send('POST', '/api/experiments', {
      key: keys.shopIngest,
      body: { dataset: 'shop-dataset', name, target: { kind: 'sdk', replay: 'none' } },
    });
    expect(made.status, made.text).toBe(201);
    return (JSON.parse(made.text) as { id: string }).id;
  };
  [shopExperimentId, finishExperimentId, spareExperimentId] = [
    await experiment('shop-experiment'),
    await experiment('finish-experiment'),
    await experiment('spare-experiment'),
  ];
  const result = await send('POST', `/api/experiments/${shopExperimentId}/results`, {
    key: keys.shopIngest,
    body: { results: [{ itemId: shopItemId, traceId: null, output: 'shop answer' }] },
  });
  expect(result.status, result.text).toBe(200);
  const errors = JSON.parse((await send('GET', '/api/errors', { key: keys.shopRead })).text) as { groups: Array<{ fingerprint: string }> };
  fingerprint = errors.groups[0]!.fingerprint;
}
