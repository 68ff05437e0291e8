import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * The built web UI (`packages/web/dist`), read into memory once at start: it is a few hundred
 * kilobytes, and serving from memory with a gzip copy made once keeps the page load off the disk
 * and off the CPU.
 */

export interface WebAsset {
  body: Buffer;
  gzip: Buffer | null;
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

/** Where `@spoor/web` keeps its build, or `null` when the package is not installed. */
export function defaultWebUiDir(): string | null {
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
    assets.set(path, {
      body,
      gzip: COMPRESSIBLE.has(ext) && body.length > 1024 ? gzipSync(body) : null,
      type: TYPES[ext] ?? 'application/octet-stream',
      immutable: path.startsWith('/assets/'),
    });
  }
  const index = assets.get('/index.html');
  if (index === undefined) return null;
  return { asset: (path) => assets.get(path), index };
}
