import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/serve/server.js';
import { makeKey } from './support/server.js';

/** The dashboard's own routes, as its router declares them (`packages/web/src/App.tsx`). */
async function dashboardRoutes(): Promise<string[]> {
  const app = await readFile(join(dirname(fileURLToPath(import.meta.url)), '../../web/src/App.tsx'), 'utf8');
  const block = /const ROUTES = \[([\s\S]*?)\] as const;/.exec(app)?.[1] ?? '';
  return [...block.matchAll(/\['(\/[^']*)', '/g)].map((m) => m[1]!);
}

/** Where MCP clients look for OAuth before they sign in, and where they would register. */
const OAUTH_PATHS = [
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration',
  '/register',
  '/authorize',
  '/token',
];

/** Serving the built web UI: a fake build in a temp directory stands in for packages/web/dist. */
describe('the web UI served by spoor serve', () => {
  let work = '';
  let withUi: RunningServer;
  let withoutUi: RunningServer;
  const script = `console.log(${JSON.stringify('x'.repeat(4000))});\n`;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'spoor-web-ui-'));
    const dist = join(work, 'dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'index.html'), '<!doctype html><div id="root"></div><script src="/assets/app-1a2b.js"></script>');
    await writeFile(join(dist, 'assets', 'app-1a2b.js'), script);
    const start = (name: string, webUiDir: string | null) =>
      startServer({ ...resolveServeConfig({ host: '127.0.0.1', port: 0, grpcPort: 0, logLevel: 'silent', data: join(work, name) }, {}), webUiDir });
    withUi = await start('a', dist);
    withoutUi = await start('b', join(work, 'not-built'));
  });

  afterAll(async () => {
    await withUi?.close();
    await withoutUi?.close();
    await rm(work, { recursive: true, force: true });
  });

  it.each([
    '/',
    '/traces',
    '/traces/0af7651916cd43dd8448eb211c80319c?span=b7ad6b7169203331',
    '/alerts?rule=HighErrorRate',
    '/errors/abc',
    '/sessions/alice%40example.com',
    '/sessions/chat.42',
  ])('answers the page address %s with index.html, which the browser must revalidate', async (path) => {
    const response = await fetch(`${withUi.url}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    // Scripts and styles from Spoor alone; no inline script may run.
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).toContain("frame-ancestors 'none'");
    expect(await response.text()).toContain('<div id="root">');
  });

  it('serves hashed assets for a year, gzipped for clients that take gzip', async () => {
    const plain = await fetch(`${withUi.url}/assets/app-1a2b.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(script);

    // Node's fetch would unzip silently; read the raw bytes to see what went over the wire.
    const { request } = await import('node:http');
    const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      request(`${withUi.url}/assets/app-1a2b.js`, { headers: { 'accept-encoding': 'gzip, br' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    expect(raw.encoding).toBe('gzip');
    expect(raw.body.length).toBeLessThan(script.length / 10);
    expect(gunzipSync(raw.body).toString()).toBe(script);
  });

  it('answers a missing file, an unknown API path and a POST to a page with a JSON 404', async () => {
    for (const [method, path] of [
      ['GET', '/assets/gone-9z.js'],
      ['GET', '/favicon.ico'],
      ['GET', '/api/nope'],
      ['GET', '/v1/nope'],
      ['POST', '/traces'],
    ] as const) {
      const response = await fetch(`${withUi.url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.json()).toEqual({ error: { code: 'ERR_NOT_FOUND', message: `no route for ${method} ${path}` } });
    }
  });

  it("answers each of the dashboard's own routes with its page, for a browser", async () => {
    const routes = await dashboardRoutes();
    expect(routes).toContain('/traces/:traceId');
    for (const route of routes) {
      const path = route.replace(/:\w+/g, 'x.1');
      const response = await fetch(`${withUi.url}${path}`, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
      expect([response.status, response.headers.get('content-type')], path).toEqual([200, 'text/html; charset=utf-8']);
    }
  });

  it('answers any address the dashboard does not own with a JSON 404, browser or not: OAuth discovery, /register, unknown pages', async () => {
    for (const path of [...OAUTH_PATHS, '/robots.txt', '/nope', '/nope/deeper', '/.env', '/wp-login.php']) {
      for (const [method, accept] of [
        ['GET', 'text/html'],
        ['GET', '*/*'],
        ['GET', 'application/json'],
        ['POST', 'application/json'],
      ] as const) {
        const response = await fetch(`${withUi.url}${path}`, { method, headers: { accept }, ...(method === 'POST' ? { body: '{}' } : {}) });
        expect([response.status, response.headers.get('content-type')], `${method} ${path} (${accept})`).toEqual([404, 'application/json; charset=utf-8']);
        const { error } = (await response.json()) as { error: { code: string; message: string } };
        expect(error.code).toBe('ERR_NOT_FOUND');
        // Where an OAuth client looks, the answer says how Spoor takes a key instead.
        if (OAUTH_PATHS.includes(path)) expect(error.message, path).toMatch(/Authorization: Bearer KEY/);
      }
    }
    // A page address asked for as JSON alone is no page either.
    const json = await fetch(`${withUi.url}/traces`, { headers: { accept: 'application/json' } });
    expect([json.status, json.headers.get('content-type')]).toEqual([404, 'application/json; charset=utf-8']);
  });

  it('marks every answer nosniff: pages, assets, the API, errors, /metrics and OTLP', async () => {
    const answers = await Promise.all([
      fetch(`${withUi.url}/`),
      fetch(`${withUi.url}/assets/app-1a2b.js`),
      fetch(`${withUi.url}/api/traces`),
      fetch(`${withUi.url}/api/traces/not-an-id`),
      fetch(`${withUi.url}/metrics`),
      fetch(`${withUi.url}/v1/traces`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }),
    ]);
    for (const answer of answers) expect(answer.headers.get('x-content-type-options'), answer.url).toBe('nosniff');
  });

  it('answers the REST API with REST error codes for a body of the wrong type or size', async () => {
    const wrongType = await fetch(`${withUi.url}/api/prices/reprice`, { method: 'POST', body: '<from/>', headers: { 'content-type': 'application/xml' } });
    expect(wrongType.status).toBe(415);
    expect(((await wrongType.json()) as { error: { code: string } }).error.code).toBe('ERR_UNSUPPORTED_MEDIA_TYPE');
    const tooLarge = await fetch(`${withUi.url}/api/prices/acme`, {
      method: 'PUT',
      body: JSON.stringify({ note: 'x'.repeat(2 * 1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe('ERR_BODY_TOO_LARGE');
  });

  it('keeps the API working beside the UI', async () => {
    const response = await fetch(`${withUi.url}/api/traces`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ traces: [], nextCursor: null });
  });

  it('says how to build the UI when it is not built, and serves no pages', async () => {
    const root = await fetch(`${withoutUi.url}/`);
    expect(root.status).toBe(200);
    expect(await root.text()).toMatch(/without its web UI: build it with `npm run build`/);
    expect((await fetch(`${withoutUi.url}/traces`)).status).toBe(404);
  });
});

/** What an MCP client that can sign in with OAuth holds (the Inspector's, an IDE's): nothing yet. */
function signInProvider(): OAuthClientProvider & { redirectedTo: URL | null } {
  return {
    redirectedTo: null,
    redirectUrl: 'http://127.0.0.1:9/callback',
    clientMetadata: { client_name: 'spoor-test', redirect_uris: ['http://127.0.0.1:9/callback'] },
    clientInformation: () => undefined,
    saveClientInformation: () => undefined,
    tokens: () => undefined,
    saveTokens: () => undefined,
    redirectToAuthorization(url: URL) {
      this.redirectedTo = url;
    },
    saveCodeVerifier: () => undefined,
    codeVerifier: () => 'verifier',
  };
}

describe('an MCP client without a key, against a server that requires keys, beside the dashboard', () => {
  let work = '';
  let server: RunningServer;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'spoor-web-ui-mcp-'));
    const dist = join(work, 'dist');
    await mkdir(dist, { recursive: true });
    await writeFile(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    server = await startServer({
      ...resolveServeConfig({ host: '127.0.0.1', port: 0, grpcPort: 0, logLevel: 'silent', data: join(work, 'data') }, {}),
      webUiDir: dist,
    });
    await makeKey(server.url, '*', 'admin');
  });

  afterAll(async () => {
    await server?.close();
    await rm(work, { recursive: true, force: true });
  });

  const connect = async (options: { authProvider?: OAuthClientProvider }): Promise<unknown> => {
    const client = new Client({ name: 'spoor-test', version: '1.0.0' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), options));
      return null;
    } catch (error) {
      return error;
    } finally {
      await client.close();
    }
  };

  it("is told by the SDK's client that it needs a key, and how to send one", async () => {
    const error = (await connect({})) as { code?: number; message: string };
    expect(error.code).toBe(401);
    expect(error.message).toContain('send a key as Authorization: Bearer KEY');
  });

  it("looks for OAuth and is answered JSON that says to send a key, never the dashboard's page", async () => {
    const provider = signInProvider();
    const error = (await connect({ authProvider: provider })) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).not.toMatch(/Unexpected token|is not valid JSON/);
    expect(error.message).toContain('Authorization: Bearer KEY');
    expect(provider.redirectedTo).toBeNull();
  });
});
