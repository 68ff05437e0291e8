import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HowToBuildAnswer } from '../http/answers/service.js';

/**
 * The built web UI (`packages/web/dist`), read into memory once at start and served where no
 * route matched: it is a few hundred kilobytes, and serving from memory with a gzip copy made
 * once keeps the page load off the disk and off the CPU. The copy is made when a browser first
 * asks for the file: made at start, it was some 100 ms of every start, for a server whose UI may
 * never be opened.
 */

export interface WebAsset {
  body: Buffer;
  /** The gzip copy, made on the first call; `null` for a file not worth compressing. */
  gzip(): Buffer | null;
  type: string;
  /** Hashed file names never change content, so browsers may keep them for a year. */
  immutable: boolean;
}

export interface WebUi {
  /** The asset at a URL path (`/assets/index-abc.js`), or `undefined`. */
  asset(path: string): WebAsset | undefined;
  /** `index.html`, answered for every page address (`/traces/…`, `/alerts?rule=…`). */
  index: WebAsset;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.map', '.txt']);

/**
 * Where the built UI is: the copy a packed `@spoor/server` carries in its `web/` folder
 * (`npm run pack` puts it there, so an installed server needs no second package), else
 * `@spoor/web`'s build, which a checkout's workspace links; `null` when neither is there.
 */
export function defaultWebUiDir(): string | null {
  const packed = fileURLToPath(new URL('../../web', import.meta.url));
  if (existsSync(join(packed, 'index.html'))) return packed;
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@spoor/web/package.json')), 'dist');
  } catch {
    // Installed without the UI: the server still runs, and `/` says how to get the UI.
    return null;
  }
}

/** Reads the UI's files; `null` when the directory has no `index.html` (the UI is not built). */
export async function loadWebUi(dir: string): Promise<WebUi | null> {
  let files: string[];
  try {
    // `parentPath` arrived in Node 20.12; `path` is its older name.
    files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
  } catch {
    // No build directory: the same answer as a build without index.html.
    return null;
  }
  const assets = new Map<string, WebAsset>();
  for (const file of files) {
    const ext = extname(file).toLowerCase();
    const body = await readFile(file);
    const path = '/' + relative(dir, file).split(sep).join('/');
    let gzip: Buffer | null | undefined = COMPRESSIBLE.has(ext) && body.length > 1024 ? undefined : null;
    assets.set(path, {
      body,
      gzip: () => (gzip === undefined ? (gzip = gzipSync(body)) : gzip),
      type: TYPES[ext] ?? 'application/octet-stream',
      immutable: path.startsWith('/assets/'),
    });
  }
  const index = assets.get('/index.html');
  if (index === undefined) return null;
  return { asset: (path) => assets.get(path), index };
}

/**
 * Serves the UI where no route matched: a file of the dashboard, its page, or a JSON 404. It
 * reads nothing else. Without a built UI, `/` says how to build one.
 */
export function serveWebUi(app: FastifyInstance, webUi: WebUi | null): void {
  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request.url);
    if (webUi !== null && (request.method === 'GET' || request.method === 'HEAD') && path !== null) {
      const asset = webUi.asset(path);
      if (asset !== undefined && isUiAddress(path)) return sendAsset(reply, asset, request.headers['accept-encoding']);
      // The UI reads its route from the URL (a session id may well contain a dot). Any other
      // address is no page: a client that asks for JSON there (an MCP client's OAuth discovery at
      // /.well-known/oauth-protected-resource) must not be handed the dashboard as if it were.
      if (isPageAddress(path) && acceptsHtml(request.headers.accept)) return sendAsset(reply, webUi.index, request.headers['accept-encoding']);
    }
    const hint = path !== null && isOAuthAddress(path) ? `: Spoor is no OAuth server; send a key as Authorization: Bearer KEY` : '';
    void reply.code(404).send({ error: { code: 'ERR_NOT_FOUND', message: `no route for ${request.method} ${request.url}${hint}` } });
  });
  if (webUi === null) {
    app.get(
      '/',
      { schema: { summary: 'Where the web UI would be: how to build it', tags: ['ui'], response: { 200: HowToBuildAnswer } } },
      async (_request, reply) =>
        reply
          .type('text/plain; charset=utf-8')
          .send(
            'Spoor is running, without its web UI: build it with `npm run build` (or start with `npm start`).\n\n' +
              'OTLP/HTTP: POST /v1/traces, /v1/logs, /v1/metrics\nAPI: /api/traces, /api/logs, /api/metrics, /api/errors, /api/alerts (see /docs, or /api/openapi.json)\n' +
              'Health: GET /health, /ready; Prometheus: GET /metrics\n',
          ),
    );
  }
}

/**
 * The path of a request no route matched, as a browser would resolve it (absolute form, dot
 * segments and backslashes), or `null` when it is no path at all (`*`).
 */
function pathOf(url: string): string | null {
  try {
    // Joined, not resolved: `//api/x` is a path with a doubled slash, not a host named `api`.
    return new URL(url.startsWith('/') ? `http://spoor.invalid${url}` : url).pathname;
  } catch {
    return null;
  }
}

/**
 * The first segment of every page address of the dashboard (`packages/web/src/App.tsx`'s routes;
 * `web-ui.int.test.ts` checks that each is answered with the page). `/` is a page too.
 */
const PAGE_SECTIONS = new Set([
  'traces',
  'charts',
  'dashboards',
  'sessions',
  'flows',
  'users',
  'errors',
  'alerts',
  'evaluators',
  'datasets',
  'experiments',
  'prompts',
  'logs',
  'audit',
  'compare',
  'settings',
  'review',
  'playground',
]);

/** A path read as leniently as any router might: decoded, case and doubled slashes folded (and, unless `keepParams`, `;` parameters cut). */
function folded(path: string, keepParams = false): string {
  let text = path;
  for (let i = 0; i < 3; i++) {
    try {
      text = decodeURIComponent(text);
    } catch {
      break;
    }
  }
  const slashes = text.toLowerCase().replace(/[\\/]+/g, '/');
  return keepParams ? slashes : slashes.split(';', 1)[0]!;
}

/** Addresses the API, OTLP and `/metrics` own answer 404 as JSON, so `/%61pi/x` or `//API/x` is the API's 404, never a file. */
function isUiAddress(path: string): boolean {
  const f = folded(path);
  return !f.startsWith('/api/') && !f.startsWith('/v1/') && f !== '/api' && !f.startsWith('/metrics');
}

/** A page of the dashboard: `/`, or an address under one of its sections, as the dashboard's router reads it (`;` and all). */
function isPageAddress(path: string): boolean {
  const f = folded(path, true);
  return f === '/' || PAGE_SECTIONS.has(f.split('/')[1] ?? '');
}

/**
 * Where an OAuth client looks before it signs in (RFC 9728 and RFC 8414 metadata, OpenID
 * discovery) and where it registers and asks for tokens when it finds none: an MCP client does
 * all of that on a 401 from /mcp, and shows the last answer's body as its error.
 */
function isOAuthAddress(path: string): boolean {
  return /^\/(?:\.well-known\/(?:oauth-[a-z-]+|openid-configuration)(?:\/.*)?|register|authorize|token)\/?$/.test(folded(path));
}

/**
 * Whether a client would take the page: a browser's navigation names text/html; a client that
 * names only other types (`application/json`) is answered the API's JSON 404. No Accept, or
 * `*\/*` (curl), takes anything.
 */
function acceptsHtml(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((part) => {
    const [range = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (params.some((p) => /^q=0(?:\.0*)?$/.test(p))) return false;
    return range === 'text/html' || range === 'text/*' || range === '*/*';
  });
}

function sendAsset(reply: FastifyReply, asset: WebAsset, acceptEncoding: string | undefined): FastifyReply {
  void withPageHeaders(reply)
    .header('content-type', asset.type)
    .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('vary', 'accept-encoding');
  const gzip = acceptEncoding !== undefined && /\bgzip\b/.test(acceptEncoding) ? asset.gzip() : null;
  if (gzip !== null) return reply.header('content-encoding', 'gzip').send(gzip);
  return reply.send(asset.body);
}

/**
 * The headers of every page Spoor serves (the dashboard's files, the docs): no other site may
 * frame a page and lure clicks onto its buttons; scripts and styles come from Spoor alone, and no
 * inline script runs (the built UI has none, the docs none at all).
 */
export function withPageHeaders(reply: FastifyReply): FastifyReply {
  return reply.header('x-frame-options', 'DENY').header('content-security-policy', CONTENT_SECURITY_POLICY);
}

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
