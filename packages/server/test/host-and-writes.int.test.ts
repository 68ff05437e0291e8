import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { routesOf } from '../src/api/app.js';
import { hostChecker, hostOf } from '../src/api/host-check.js';
import { perTestServers } from './support/server.js';

const servers = perTestServers('spoor-host-');

/** A request with the `Host` header given (fetch will not set one). */
function send(
  url: string,
  options: { method?: string; path: string; host?: string; type?: string; body?: string; origin?: string },
): Promise<{ status: number; body: string }> {
  const target = new URL(options.path, url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (options.host !== undefined) headers.host = options.host;
    if (options.origin !== undefined) headers.origin = options.origin;
    if (options.type !== undefined) headers['content-type'] = options.type;
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = httpRequest(target, { method: options.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('the Host a request is addressed to', () => {
  it('is one of the names Spoor answers to, or the request is refused (DNS rebinding)', async () => {
    const { url } = await servers.start();
    const port = new URL(url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST.:${port}`, `[::1]:${port}`]) {
      expect((await send(url, { path: '/health', host })).status, host).toBe(200);
    }
    for (const path of ['/health', '/api/traces', '/metrics', '/']) {
      const refused = await send(url, { path, host: `evil.example:${port}` });
      expect(refused.status, path).toBe(421);
      expect(JSON.parse(refused.body).error).toMatchObject({ code: 'ERR_HOST_NOT_ALLOWED' });
      expect(refused.body).toContain('--allowed-hosts');
    }
    const otlp = await send(url, { method: 'POST', path: '/v1/traces', host: 'evil.example', type: 'application/json', body: '{}' });
    expect(otlp.status).toBe(421);
  });

  it('may be any name given by --allowed-hosts or the external URL', async () => {
    const { url } = await servers.start({ allowedHosts: 'spoor.internal, Other.Example', externalUrl: 'https://spoor.example.com' });
    for (const host of ['spoor.internal', 'other.example:4318', 'spoor.example.com'])
      expect((await send(url, { path: '/health', host })).status, host).toBe(200);
    expect((await send(url, { path: '/health', host: 'evil.example' })).status).toBe(421);
  });

  it('is read without port, brackets, case or a trailing dot', () => {
    expect(['Example.COM:80', '[::1]:4318', '::1', 'host.local.'].map(hostOf)).toEqual(['example.com', '::1', '::1', 'host.local']);
    const anyHost = hostChecker({ host: '127.0.0.1', externalUrl: null, allowedHosts: ['*'] });
    expect(anyHost('evil.example')).toBe(true);
    const all = hostChecker({ host: '0.0.0.0', externalUrl: null, allowedHosts: [] });
    expect(all('127.0.0.1')).toBe(true);
    expect(all('evil.example')).toBe(false);
  });
});

/**
 * The POST routes of the API that need no body, as the OpenAPI document declares them: no body,
 * or a body of optional fields only.
 */
async function bodyFreePosts(url: string): Promise<Set<string>> {
  type Operation = { requestBody?: { content: Record<string, { schema?: { required?: string[] } }> } };
  const document = (await (await fetch(`${url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, Operation>> };
  const free = new Set<string>();
  for (const [path, operations] of Object.entries(document.paths)) {
    const body = operations.post?.requestBody;
    if (operations.post !== undefined && (body === undefined || (body.content['application/json']?.schema?.required ?? []).length === 0))
      free.add(path.replace(/\{(\w+)\}/g, ':$1'));
  }
  return free;
}

describe('a write through the REST API', () => {
  it('needs a JSON body sent as JSON: no form, no text/plain, no empty write can change anything unless it needs no body', async () => {
    const server = await servers.start();
    const free = await bodyFreePosts(server.url);
    expect(free).toContain('/api/evaluators/:name/resume');
    // Every POST, PUT and PATCH route of the API, walked from the router so a new one cannot be forgotten.
    const posted = routesOf(server.app).filter(({ method, url }) => ['POST', 'PUT', 'PATCH'].includes(method) && url.startsWith('/api/'));
    // Prometheus's query API takes its parameters as a form, as Grafana and promtool post them: reads, which change nothing.
    const formReads = posted.filter(({ url }) => url.startsWith('/api/v1/')).map(({ url }) => url);
    expect(formReads.sort()).toEqual(['/api/v1/labels', '/api/v1/query', '/api/v1/query_range', '/api/v1/series']);
    const writes = posted.filter(({ url }) => !url.startsWith('/api/v1/')).map(({ method, url }) => [method, url] as const);
    expect(writes.length).toBeGreaterThanOrEqual(6);
    const empties = [{ type: 'application/json', body: '' }, { body: '' }, {}];
    for (const [method, path] of writes) {
      const concrete = path.replace(/:(\w+)/g, 'x');
      for (const attempt of [
        { type: 'application/x-www-form-urlencoded', body: 'status=resolved' },
        { type: 'text/plain', body: '{}' },
        { type: 'multipart/form-data; boundary=x', body: '--x--' },
        // Another site's page: a browser sends its Origin, and no empty write of it is taken.
        ...empties.map((empty) => ({ ...empty, origin: 'https://evil.example' })),
      ]) {
        const answer = await send(server.url, { method, path: concrete, ...attempt });
        expect(answer.status, `${method} ${path} ${JSON.stringify(attempt)}`).toBe(415);
      }
      // A script (no Origin) or this server's own page may send nothing where nothing is needed.
      const takesNone = method === 'POST' && free.has(path);
      for (const attempt of [...empties, ...empties.map((empty) => ({ ...empty, origin: server.url }))]) {
        const answer = await send(server.url, { method, path: concrete, ...attempt });
        const label = `${method} ${path} ${JSON.stringify(attempt)} -> ${answer.status} ${answer.body}`;
        if (takesNone) expect(answer.status !== 415 && answer.status < 500, label).toBe(true);
        else expect(answer.status, label).toBe(415);
      }
    }
    // Sent as JSON, a write goes through (here: re-pricing with nothing to re-price).
    const json = await send(server.url, { method: 'POST', path: '/api/prices/reprice', type: 'application/json; charset=utf-8', body: '{}' });
    expect(json.status).toBe(200);
  });

  it('resumes, pauses and retries an evaluator sent with no body, as curl -X POST and MCP clients send', async () => {
    const server = await servers.start();
    const json = (body: unknown) => ({ type: 'application/json', body: JSON.stringify(body) });
    expect(
      (await send(server.url, { method: 'POST', path: '/api/evaluators', ...json({ name: 'short', kind: 'length', target: 'trace', max: 10 }) })).status,
    ).toBe(201);
    const paused = await send(server.url, { method: 'POST', path: '/api/evaluators/short/pause' });
    expect([paused.status, JSON.parse(paused.body).state]).toEqual([200, 'paused']);
    const resumed = await send(server.url, { method: 'POST', path: '/api/evaluators/short/resume' });
    expect([resumed.status, JSON.parse(resumed.body).state]).toEqual([200, 'active']);
    const retried = await send(server.url, { method: 'POST', path: '/api/evaluators/short/retry', type: 'application/json', body: '' });
    expect(retried.status, retried.body).toBe(200);
    // A body that is there is still read: a broken one is a 400, not taken as none.
    expect((await send(server.url, { method: 'POST', path: '/api/evaluators/short/resume', type: 'application/json', body: '{' })).status).toBe(400);
  });
});
