import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { resolveServeConfig, type ServeOptions } from '../../src/config.js';
import { type RunningServer, startServer } from '../../src/serve/server.js';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** Closes the server and deletes its data directory (unless `keepData`). */
  stop: (options?: { keepData?: boolean }) => Promise<void>;
}

export interface TestServerOptions extends ServeOptions {
  /** Also serve OTLP/gRPC, on a free port (`grpcUrl`). Default: no gRPC, so test servers never contend for 4317. */
  grpc?: boolean;
  /** Spans a page of `/tree`'s binary stream carries (`ServeConfig.treePageSpans`). Default: the server's. */
  treePageSpans?: number;
}

/**
 * Starts a real Spoor server on 127.0.0.1 and a free port, with a fresh temp data directory. Its
 * log is silent unless `SPOOR_TEST_LOG_LEVEL` names a level (`error`: the cause of a test's 500).
 */
export async function startTestServer({ grpc = false, treePageSpans, ...options }: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.data ?? (await mkdtemp(join(tmpdir(), 'spoor-test-')));
  const logLevel = process.env.SPOOR_TEST_LOG_LEVEL || 'silent';
  const config = resolveServeConfig({ host: '127.0.0.1', port: 0, logLevel, ...options, data: dataDir }, {});
  const server = await startServer({ ...config, grpcPort: grpc && config.roles.ingest ? 0 : null, treePageSpans });
  return {
    ...server,
    dataDir,
    stop: async ({ keepData = false } = {}) => {
      await server.close();
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CallOptions {
  /** Sent as `authorization: Bearer <key>`. */
  key?: string;
  /** The body as it is, instead of `body` as JSON (still sent as `application/json` unless `headers` say otherwise). */
  raw?: string;
  headers?: Record<string, string>;
}

/** A status and a JSON answer. */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

/** A request with an optional JSON body and key, and its status and JSON answer (`null` when empty, as a 204's). */
export async function callJson<T = unknown>(baseUrl: string, method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  if (payload !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

/** An error answer as `status message`, e.g. `404 dataset qa was not found`. */
export const errorOf = (answer: ApiAnswer): string => `${answer.status} ${(answer.body as { error: { message: string } }).error.message}`;

/** Makes a key through `POST /api/keys`, the first while none is required, the next `by` an admin key; fails unless 201. */
export async function makeKey(baseUrl: string, project: string, role: string, by?: string): Promise<string> {
  const answer = await callJson<{ key: string }>(baseUrl, 'POST', '/api/keys', { project, role }, { key: by });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.key;
}

/** GETs a JSON API path and returns status and parsed body. */
export async function getJson<T = unknown>(baseUrl: string, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

/** A counter or gauge on `/metrics`, summed over its series (0 when it has none yet). */
export async function metricValue(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let sum = 0;
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(match[1]);
  return sum;
}

/** `/ready`'s status and body (`store_unavailable`, `shutting_down`). */
export async function readiness(baseUrl: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${baseUrl}/ready`);
  return { status: response.status, body: await response.text() };
}

/**
 * For a test file whose tests restart servers: each test gets a fresh directory (`dir()`), and
 * `start` runs a server whose data lives in `dir()/data` (unless `data` is given) and survives its
 * `stop()`, so a restart finds it. After each test, the servers still running are stopped and the
 * directory is deleted.
 */
export function perTestServers(prefix: string): { dir: () => string; start: (options?: TestServerOptions) => Promise<TestServer> } {
  const servers = new Set<TestServer>();
  let work = '';
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    for (const server of servers) await server.stop();
    servers.clear();
    await rm(work, { recursive: true, force: true });
  });
  return {
    dir: () => work,
    start: async (options = {}) => {
      const server = await startTestServer({ data: join(work, 'data'), ...options });
      const tracked: TestServer = {
        ...server,
        stop: async () => {
          servers.delete(tracked);
          await server.stop({ keepData: true });
        },
      };
      servers.add(tracked);
      return tracked;
    },
  };
}
