import { readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, makeKey, startTestServer } from './support/server.js';

/**
 * The docs served at `/docs`, from the checkout's `docs/` and README, by a real server: every
 * page rendered with the dashboard's headers, the contents and search, and no path of a request
 * reaching a file beside them. Keys are required on this server (one exists): the docs are
 * public, as the dashboard's own files are, and the API is not.
 */

const ROOT = new URL('../../../', import.meta.url);
const PAGES = readdirSync(new URL('docs/', ROOT))
  .filter((name) => name.endsWith('.md') && name !== 'README.md')
  .map((name) => name.slice(0, -3));

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await makeKey(server.url, 'default', 'admin');
});

afterAll(async () => {
  await server.stop();
});

/** A request sent with its target exactly as written: no client folds `..` or decodes `%2f` first. */
function raw(target: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: target, headers: { connection: 'close', accept: 'text/html' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the docs at /docs', () => {
  it('renders every page of docs/ and the README, without a key, with the headers of the dashboard', async () => {
    const dashboard = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
    expect(PAGES.length).toBeGreaterThanOrEqual(9);
    for (const page of [...PAGES, 'start']) {
      const answer = await fetch(`${server.url}/docs/${page}`);
      const html = await answer.text();
      expect(answer.status, page).toBe(200);
      expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(answer.headers.get('content-security-policy')).toBe(dashboard.headers.get('content-security-policy'));
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      // Its Markdown rendered: a title, sections with the anchors a forge gives them, code blocks, no script.
      expect(html).toMatch(/<h1 id="[a-z0-9-]+">/);
      expect(html).toContain('<h2 id="');
      expect(html).not.toMatch(/<script/i);
      // Links between pages point at the pages served here, never at a .md file.
      expect(html).not.toMatch(/href="[^"#]*\.md[#"]/);
    }
    expect((await fetch(`${server.url}/api/traces`)).status).toBe(401);
  });

  it('lists every page in its contents, and serves its stylesheet', async () => {
    const html = await (await fetch(`${server.url}/docs`)).text();
    for (const page of [...PAGES, 'start']) expect(html, page).toContain(`href="/docs/${page}"`);
    const css = await fetch(`${server.url}/docs/docs.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(html).toContain('<link rel="stylesheet" href="/docs/docs.css">');
  });

  it('rewrites links between pages and to their sections to the served pages', async () => {
    const quality = await (await fetch(`${server.url}/docs/quality`)).text();
    expect(quality).toContain('href="/docs/security#masking-at-ingest"');
    expect(quality).toContain('href="#datasets"');
    const start = await (await fetch(`${server.url}/docs/start`)).text();
    expect(start).toContain('href="/docs/scale-out"');
    // A file the docs do not serve is named, not linked.
    expect(start).toContain('<span class="file">BENCHMARKS.md</span>');
  });

  it('finds a section by words of its heading and text, first', async () => {
    const html = await (await fetch(`${server.url}/docs?q=${encodeURIComponent('rule expressions grammar')}`)).text();
    const results = html.slice(html.indexOf('<ol class="hits">'));
    const hits = [...results.matchAll(/<li><a href="([^"]+)">/g)].map((m) => m[1]);
    expect(hits[0]).toBe('/docs/alerting#grammar');
    const none = await (await fetch(`${server.url}/docs?q=zzqx-nothing`)).text();
    expect(none).toContain('No section holds every word');
  });

  it('escapes what the query says, in the results and the search box', async () => {
    const query = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    const html = await (await fetch(`${server.url}/docs?q=${encodeURIComponent(query)}`)).text();
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('answers a page it does not have with a 404 page', async () => {
    const answer = await fetch(`${server.url}/docs/no-such-page`);
    expect(answer.status).toBe(404);
    expect(await answer.text()).toContain('No page “no-such-page”');
  });

  it('reads no file beside the docs, whatever the spelling of the path', async () => {
    const spellings = [
      '/docs/../package.json',
      '/docs/%2e%2e/package.json',
      '/docs/%2E%2E%2Fpackage.json',
      '/docs/..%2f..%2fpackage.json',
      '/docs/..%5c..%5cpackage.json',
      '/docs/%252e%252e%252fpackage.json',
      '/docs//etc/passwd',
      '/docs/%2fetc%2fpasswd',
      '/docs/alerting.md',
      '/docs/README.md',
      '/docs/..%2f..%2fREADME',
      '/docs/.%2e/.%2e/packages/server/package.json',
    ];
    const packageJson = readFileSync(new URL('package.json', ROOT), 'utf8');
    for (const target of spellings) {
      const answer = await raw(target);
      expect(answer.status, target).not.toBe(200);
      expect(answer.text, target).not.toContain('"workspaces"');
      expect(answer.text, target).not.toContain(packageJson.slice(0, 40));
      expect(answer.text, target).not.toContain('root:x:0:0');
    }
  });
});
