import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { routesOf } from '../src/api/app.js';
import { KeyRing } from '../src/auth/key-ring.js';
import { type KeyRecord, newKey } from '../src/auth/keys.js';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { type TestServer, makeKey, startTestServer } from './support/server.js';

/**
 * The ways in besides a bearer key on the REST API: the official OTel exporters with
 * OTEL_EXPORTER_OTLP_HEADERS, the metrics token, browser OTLP from --cors-origin pages, a signed-in
 * dashboard's writes (and a forged one's), per-key rate limits, and revocation.
 */

/** `ExportResultCode` of `@opentelemetry/core` (not a dependency of the server). */
const SUCCESS = 0;
const FAILED = 1;

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});

async function start(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

/** Spans recorded in memory, then handed to the real OTLP/protobuf exporter made with the environment as it is. */
async function exportSpans(url: string, name: string): Promise<number> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'exporter-app' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  provider.getTracer('t').startSpan(name).end();
  await provider.forceFlush();
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces` });
  const code = await new Promise<number>((resolve) => exporter.export(memory.getFinishedSpans(), (result) => resolve(result.code)));
  await exporter.shutdown();
  await provider.shutdown();
  return code;
}

describe('the official OTel exporters with OTEL_EXPORTER_OTLP_HEADERS', () => {
  it('send an ingest key as the exporter environment says, and store under its project', async () => {
    const server = await start();
    const root = await makeKey(server.url, '*', 'admin');
    const ingest = await makeKey(server.url, 'shop', 'ingest', root);
    const saved = process.env.OTEL_EXPORTER_OTLP_HEADERS;
    try {
      delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
      expect(await exportSpans(server.url, 'without a key')).toBe(FAILED);
      process.env.OTEL_EXPORTER_OTLP_HEADERS = `Authorization=Bearer%20${ingest}`;
      expect(await exportSpans(server.url, 'with a key')).toBe(SUCCESS);
    } finally {
      if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
      else process.env.OTEL_EXPORTER_OTLP_HEADERS = saved;
    }
    const list = async (project: string) =>
      (await (await fetch(`${server.url}/api/traces`, { headers: { authorization: `Bearer ${root}`, 'spoor-project': project } })).json()) as {
        traces: Array<{ rootName: string }>;
      };
    expect((await list('shop')).traces.map((t) => t.rootName)).toEqual(['with a key']);
    expect((await list('default')).traces).toEqual([]);
  });
});

describe('revocation', () => {
  it('stops a key revoked behind a server’s back (another server, the command line) at its next read of the keys, every refreshMs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spoor-ring-'));
    const store = await DuckDbStore.open({ path: join(dir, 'spoor.duckdb') });
    // The ring's own timer on a fake clock; its reads, which go to DuckDB, are real and counted.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const reads: Array<Promise<KeyRecord[]>> = [];
    const ring = await KeyRing.start(
      () => {
        const read = store.access.listKeys();
        reads.push(read);
        return read;
      },
      { refreshMs: 500, onError: () => {} },
    );
    try {
      const { key, record } = newKey({ projectId: 'shop', role: 'read', name: '', createdBy: 'cli', nowUs: Date.now() * 1000 });
      await store.access.putKey(record);
      await ring.refresh();
      expect(ring.find(key)?.id).toBe(record.id);
      await store.access.revokeKey(record.id, Date.now() * 1000);
      const readsBefore = reads.length;
      // Not known until the ring reads again, and it does not before 500 ms.
      vi.advanceTimersByTime(499);
      expect(reads).toHaveLength(readsBefore);
      expect(ring.find(key)?.id).toBe(record.id);
      vi.advanceTimersByTime(1);
      expect(reads).toHaveLength(readsBefore + 1);
      // The ring takes the keys read (its own .then) before this await resumes.
      await reads.at(-1);
      expect(ring.find(key)).toBeNull();
    } finally {
      ring.close();
      vi.useRealTimers();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops a key revoked through the API at once', async () => {
    const server = await start();
    const root = await makeKey(server.url, '*', 'admin');
    const read = await makeKey(server.url, 'shop', 'read', root);
    expect((await fetch(`${server.url}/api/traces`, { headers: { authorization: `Bearer ${read}` } })).status).toBe(200);
    const revoke = await fetch(`${server.url}/api/keys/${read.split('_')[2]}`, { method: 'DELETE', headers: { authorization: `Bearer ${root}` } });
    expect(revoke.status).toBe(204);
    expect((await fetch(`${server.url}/api/traces`, { headers: { authorization: `Bearer ${read}` } })).status).toBe(401);
  });
});

describe('/metrics', () => {
  it('takes the metrics token or a key of every project, and refuses a key of one project', async () => {
    const server = await start({ metricsToken: 'scrape-me' });
    const admin = await makeKey(server.url, '*', 'admin');
    const root = await makeKey(server.url, '*', 'read', admin);
    const shop = await makeKey(server.url, 'shop', 'admin', admin);
    const scrape = (token?: string) => fetch(`${server.url}/metrics`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    expect((await scrape()).status).toBe(401);
    expect((await scrape('scrape-you')).status).toBe(401);
    expect((await scrape('scrape-me')).status).toBe(200);
    expect((await scrape(root)).status).toBe(200);
    const refused = await scrape(shop);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('--metrics-token');
  });
});

describe('browser OTLP from --cors-origin pages', () => {
  it('answers the preflight of a listed origin only', async () => {
    const server = await start({ corsOrigin: 'https://app.example' });
    const preflight = (origin: string) =>
      fetch(`${server.url}/v1/traces`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const listed = await preflight('https://app.example');
    expect(listed.status).toBe(204);
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(listed.headers.get('access-control-allow-headers')).toContain('authorization');
    const other = await preflight('https://evil.example');
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const sent = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { origin: 'https://app.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(sent.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });

  it('is off unless origins are listed', async () => {
    const server = await start();
    const preflight = await fetch(`${server.url}/v1/traces`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('a signed-in dashboard', () => {
  it("writes only from Spoor's own pages, with JSON: a forged form or text/plain request is refused", async () => {
    const server = await start();
    const admin = await makeKey(server.url, 'shop', 'admin', await makeKey(server.url, '*', 'admin'));
    const signIn = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: admin }),
    });
    expect(signIn.status).toBe(200);
    const setCookie = signIn.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^spoor_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const cookie = setCookie.split(';', 1)[0]!;
    const own = new URL(server.url).origin;
    const put = (headers: Record<string, string>, body: string) =>
      fetch(`${server.url}/api/prices/cookie-model`, { method: 'PUT', headers: { cookie, ...headers }, body });
    const price = JSON.stringify({ provider: 'acme', input: 1, output: 2 });

    expect((await put({ 'content-type': 'application/json', origin: own }, price)).status).toBe(200);
    expect((await put({ 'content-type': 'application/json', origin: 'https://evil.example' }, price)).status).toBe(403);
    expect((await put({ 'content-type': 'application/json' }, price)).status).toBe(403);
    expect((await put({ 'content-type': 'text/plain', origin: 'https://evil.example' }, price)).status).toBe(415);
    expect((await put({ 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }, 'input=1')).status).toBe(415);
    // Reads with the cookie need no Origin: a link from elsewhere opens the dashboard.
    expect((await fetch(`${server.url}/api/prices`, { headers: { cookie } })).status).toBe(200);

    // Every write route, walked from the router: another site's page, even with the cookie and a
    // JSON body, is refused before the route runs.
    const writes = routesOf(server.app).filter(
      ({ method, url }) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) && url.startsWith('/api/') && url !== '/api/session',
    );
    expect(writes.length).toBeGreaterThan(10);
    for (const { method, url } of writes) {
      const path = url.replace(/:(\w+)/g, 'x');
      const forged = await fetch(`${server.url}${path}`, {
        method,
        headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
        body: method === 'DELETE' ? undefined : '{}',
      });
      expect(forged.status, `${method} ${url}`).toBe(403);
    }
  });
});

describe('rate limits', () => {
  it('answer 429 with Retry-After past a key’s rate, and leave other keys alone', async () => {
    const server = await start({ rateLimit: 2 });
    const root = await makeKey(server.url, '*', 'admin');
    const read = await makeKey(server.url, 'shop', 'read', root);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const answer = await fetch(`${server.url}/api/services`, { headers: { authorization: `Bearer ${read}` } });
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter = answer.headers.get('retry-after');
    }
    // A burst of twice the rate goes through; then the bucket is empty.
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${server.url}/api/services`, { headers: { authorization: `Bearer ${root}` } })).status).toBe(200);
  });
});

describe('wrong keys', () => {
  /** A GET from a chosen loopback address (every 127.0.0.0/8 address is this machine's). */
  function getFrom(
    server: TestServer,
    localAddress: string,
    path: string,
    key: string,
  ): Promise<{ status: number; retryAfter: string | undefined; text: string }> {
    const url = new URL(server.url);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: url.hostname, port: url.port, path, localAddress, headers: { authorization: `Bearer ${key}`, connection: 'close' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], text }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it('are refused unheard, with Retry-After, after 30 from one address; other addresses go on', async () => {
    const server = await start({ rateLimit: 0 });
    const root = await makeKey(server.url, '*', 'admin');
    const read = await makeKey(server.url, 'shop', 'read', root);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++)
      statuses.push((await getFrom(server, '127.0.0.1', '/api/traces', `spoor_read_${String(i).padStart(10, '0')}_${'x'.repeat(32)}`)).status);
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(401));
    expect(statuses.slice(30)).toEqual(Array(10).fill(429));
    const held = await getFrom(server, '127.0.0.1', '/api/traces', read);
    expect(held.status).toBe(429);
    expect(Number(held.retryAfter)).toBeGreaterThanOrEqual(1);
    // The sign-in endpoint takes keys too: it is held back alike.
    const signIn = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: read }),
    });
    expect(signIn.status).toBe(429);
    expect((await getFrom(server, '127.0.0.2', '/api/traces', read)).status).toBe(200);
    const metrics = await getFrom(server, '127.0.0.2', '/metrics', root);
    expect(metrics.text).toContain('spoor_auth_failed_attempts_total{outcome="refused"} 30');
    expect(metrics.text).toMatch(/spoor_auth_failed_attempts_total\{outcome="limited"\} (1[1-9]|[2-9]\d)/);
  });

  it("of one key id from many addresses are answered 429, while the key's owner goes on", async () => {
    const server = await start({ rateLimit: 0 });
    const root = await makeKey(server.url, '*', 'admin');
    const read = await makeKey(server.url, 'shop', 'read', root);
    const wrong = `${read.slice(0, -1)}${read.endsWith('a') ? 'b' : 'a'}`;
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) statuses.push((await getFrom(server, `127.0.1.${i + 1}`, '/api/traces', wrong)).status);
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(401));
    expect(statuses.slice(30)).toEqual(Array(5).fill(429));
    expect((await getFrom(server, '127.0.2.1', '/api/traces', read)).status).toBe(200);
  });
});
