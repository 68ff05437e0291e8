import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/serve/server.js';

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

  it.each(['/', '/traces', '/traces/0af7651916cd43dd8448eb211c80319c?span=b7ad6b7169203331', '/alerts?rule=HighErrorRate', '/errors/abc', '/sessions/alice%40example.com', '/sessions/chat.42'])(
    'answers the page address %s with index.html, which the browser must revalidate',
    async (path) => {
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
    },
  );

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
    for (const [method, path] of [['GET', '/assets/gone-9z.js'], ['GET', '/favicon.ico'], ['GET', '/api/nope'], ['GET', '/v1/nope'], ['POST', '/traces']] as const) {
      const response = await fetch(`${withUi.url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.json()).toEqual({ error: { code: 'ERR_NOT_FOUND', message: `no route for ${method} ${path}` } });
    }
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
    const tooLarge = await fetch(`${withUi.url}/api/prices/acme`, { method: 'PUT', body: JSON.stringify({ note: 'x'.repeat(2 * 1024 * 1024) }), headers: { 'content-type': 'application/json' } });
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
