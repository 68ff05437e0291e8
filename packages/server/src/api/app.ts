import { extname } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import type { Decoder, MaskFile } from '../ingest/decoder.js';
import { AppError, isAppError } from '../errors.js';
import { type AcceptedRequest, ingestRoutes } from '../ingest/routes.js';
import { modelPriceFrom, PriceTableError } from '../normalize/prices.js';
import type { DbClient } from '../dbthread/calls.js';
import { alertMetricsText } from '../alerting/alert-metrics.js';
import type { AlertService } from '../alerting/alert-service.js';
import { alertRoutes } from './alert-routes.js';
import type { AccessControl } from '../auth/access-control.js';
import { accessRoutes } from './access-routes.js';
import type { Replayer } from '../replay/replayer.js';
import { replayRoutes } from './replay-routes.js';
import { maskingRoutes } from './masking-routes.js';
import { projectOf } from './request-access.js';
import type { WebAsset, WebUi } from './web-ui.js';
import { analyticsRoutes } from './analytics-routes.js';
import { type QuarantineAccess, quarantineRoutes } from './quarantine-routes.js';
import type { IngestMetrics, SelfMetrics } from '../self-metrics.js';
import { type QueryString, jsonBody, limit, logQueryFrom, metricPointQueryFrom, rangeQueryFrom, rejectUnknown, single, spanId, traceId, traceQueryFrom } from './params.js';

const VISIBILITY_WAIT_MS = 2000;

export interface AppOptions {
  /** The database thread's calls (queries, prices, analytics, error groups), answering JSON text. */
  db: DbClient;
  /** The default project's alerting, whose state `/metrics` shows. */
  alerts: AlertService;
  /** Each project's alerting, started on first use. */
  alertsFor: (projectId: string) => Promise<AlertService>;
  /** Who may do what (`auth/access-control.ts`): checked before any route runs. */
  access: AccessControl;
  /** Origins whose pages may send OTLP from a browser (`--cors-origin`). Default: none. */
  corsOrigins?: readonly string[];
  /** Whether the session cookie is marked `Secure` (Spoor is reached over https). Default false. */
  secureCookies?: boolean;
  /** Re-runs recorded LLM calls (`POST /api/replay`) against the configured providers. */
  replayer: Replayer;
  /** The `--mask` file's policies, which the API's override. Default: none. */
  maskFile?: MaskFile | null;
  /** The clock of "now" windows, epoch microseconds. Default: the system clock. */
  nowUs?: () => number;
  accept: (request: AcceptedRequest) => Promise<void>;
  /** Turns OTLP bodies into write batches, and keeps the span-derived metrics of those acknowledged. */
  decoder: Decoder;
  /** Resolves when every request acknowledged so far is visible to queries. */
  visible: () => Promise<void>;
  /** Requests the writer gave up on, and their replay. */
  quarantine: QuarantineAccess;
  selfMetrics: SelfMetrics;
  ingestMetrics: IngestMetrics;
  maxBodyBytes: number;
  /** `false` once shutdown has begun: `/ready` answers 503. */
  isReady: () => boolean;
  /** `false` while the store refuses writes (a full disk): `/ready` answers 503 until it takes them again. Default: always true. */
  storeHealthy?: () => boolean;
  logger?: FastifyServerOptions['logger'];
  /** The built web UI, served at `/`; `null` when it is not built (then `/` says how to build it). */
  webUi?: WebUi | null;
  /** Whether a request's `Host` header names this server (`host-check.ts`). Default: any. */
  hostAllowed?: (host: string | undefined) => boolean;
  /** What this server does (`--role`): OTLP without `ingest`, the API and UI without `query` answer 404. Default: all. */
  roles?: { ingest: boolean; query: boolean };
}

/** The role a route belongs to; health, readiness and `/metrics` belong to every server. */
function servedByRole(route: string): 'ingest' | 'query' | null {
  if (route.startsWith('/v1/')) return 'ingest';
  if (route === '/health' || route === '/ready' || route === '/metrics') return null;
  return 'query';
}

/**
 * The route a request matched, as declared (`/api/traces/:traceId`), or `null` when it matched
 * none. Every decision about a request is made on this, never on `request.url`: the router reads
 * `/%61pi/keys`, `/api/keys#x` and `http://host/api/keys` all as `/api/keys`.
 */
function routeOf(request: FastifyRequest): string | null {
  return request.is404 ? null : (request.routeOptions.url ?? null);
}

/** The OTLP/HTTP paths, which a browser page of a --cors-origin may post to after asking. */
const OTLP_PATHS = ['/v1/traces', '/v1/logs', '/v1/metrics'];

/** Methods that change something; each needs a JSON body (see the hook in `createApp`). */
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** Methods whose success the audit log records. */
const WRITE_OR_DELETE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Every route of each app, as registered: for tests that must cover every route. */
const ROUTES = new WeakMap<FastifyInstance, Array<{ method: string; url: string }>>();

/** The routes of an app made by `createApp`, each method on its own. */
export function routesOf(app: FastifyInstance): ReadonlyArray<{ method: string; url: string }> {
  return ROUTES.get(app) ?? [];
}

/** Builds the HTTP app: OTLP receiver, REST API, health and `/metrics`, on one port. */
export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // The REST API takes small JSON bodies; OTLP bodies are read by the ingest routes themselves.
    bodyLimit: 1024 * 1024,
    // One log line per request would be 50 lines a second under load; errors are logged where handled.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  const { db } = options;
  const routes: Array<{ method: string; url: string }> = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.status >= 500) request.log.error({ err: error }, appError.message);
    else request.log.info({ code: appError.code, url: request.url }, appError.message);
    if (appError.retryAfterSeconds !== null) reply.header('retry-after', String(appError.retryAfterSeconds));
    if (appError.code === 'ERR_UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer realm="spoor"');
    void reply.code(appError.status).send({ error: { code: appError.code, message: appError.message } });
  });
  const webUi = options.webUi ?? null;
  // No route matched: the answer is a file of the dashboard, its page, or a 404, and reads nothing.
  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request.url);
    if (webUi !== null && (request.method === 'GET' || request.method === 'HEAD') && path !== null && isPageAddress(path)) {
      const asset = webUi.asset(path);
      // Files live in /assets/ or at the top (/favicon.ico); every other address is a page of the
      // UI, which reads its route from the URL (a session id may well contain a dot).
      const isFile = path.startsWith('/assets/') || (path.lastIndexOf('/') === 0 && extname(path) !== '');
      if (asset !== undefined || !isFile) return sendAsset(reply, asset ?? webUi.index, request.headers['accept-encoding']);
    }
    void reply.code(404).send({ error: { code: 'ERR_NOT_FOUND', message: `no route for ${request.method} ${request.url}` } });
  });

  // A request addressed to another name (a page on another site whose name resolves here: DNS
  // rebinding) is refused before anything else runs; then one that matched no route goes to the
  // not-found handler with nothing else asked of it.
  const hostAllowed = options.hostAllowed ?? (() => true);
  app.addHook('onRequest', async (request) => {
    const host = request.headers.host;
    if (!hostAllowed(host)) {
      throw new AppError('ERR_HOST_NOT_ALLOWED', `this Spoor does not answer to the host '${host ?? ''}'; if that is its address, start it with --allowed-hosts (or --external-url) naming it`);
    }
    const route = routeOf(request);
    if (route === null) return;
    const served = servedByRole(route);
    if (served !== null && options.roles?.[served] === false) {
      throw new AppError('ERR_NOT_FOUND', `this Spoor serves no ${served === 'ingest' ? 'OTLP' : 'API or dashboard'}: its --role leaves ${served} to other servers`);
    }
    // A write through the REST API needs a JSON body sent as JSON: a form or a simple
    // cross-site request (text/plain, no body) cannot be one, and a browser asks first
    // (a preflight Spoor does not grant) before it sends anything else.
    if (WRITE_METHODS.has(request.method) && route.startsWith('/api/')) {
      const type = request.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
      const empty = request.headers['content-length'] === '0' || (request.headers['content-length'] === undefined && request.headers['transfer-encoding'] === undefined);
      if (type !== 'application/json' || empty) {
        throw new AppError('ERR_UNSUPPORTED_MEDIA_TYPE', `${request.method} ${route} takes a JSON body sent with Content-Type: application/json ({} when there is nothing to say)`);
      }
    }
  });

  // Credentials, role and project: every request but health and the dashboard's files needs them
  // once a key exists. Browser OTLP exporters from the --cors-origin pages are asked first.
  const corsOrigins = new Set(options.corsOrigins ?? []);
  app.decorateRequest('access', null as unknown as FastifyRequest['access']);
  const corsAllowed = (request: FastifyRequest): boolean => request.headers.origin !== undefined && corsOrigins.has(request.headers.origin);
  app.addHook('onRequest', async (request, reply) => {
    const route = routeOf(request);
    if (route === null) return;
    if (route.startsWith('/v1/') && corsAllowed(request)) void reply.header('access-control-allow-origin', request.headers.origin).header('vary', 'origin');
    request.access = options.access.check({ method: request.method, route, headers: request.headers, clientAddress: request.ip });
  });
  for (const path of OTLP_PATHS) {
    app.options(path, async (request, reply) => {
      if (!corsAllowed(request)) {
        throw new AppError('ERR_FORBIDDEN', `this Spoor takes OTLP from browser pages of the origins given to --cors-origin only, not ${request.headers.origin ?? 'an unnamed origin'}`);
      }
      return reply
        .code(204)
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', 'content-type, content-encoding, authorization, spoor-project')
        .header('access-control-max-age', '600')
        .send();
    });
  }

  // Every change made through the API is recorded with the key that made it: the audit log
  // (`GET /api/audit`). Signing in and out changes nothing stored.
  app.addHook('onResponse', async (request, reply) => {
    const route = routeOf(request);
    if (route === null || !WRITE_OR_DELETE.has(request.method) || !route.startsWith('/api/') || route === '/api/session' || reply.statusCode >= 400 || request.access === null) return;
    const target = Object.values((request.params ?? {}) as Record<string, string>).join('/');
    // Bodies are not kept: a rule's receiver or a webhook URL may carry a token. A new key's
    // project, role and name are (its body holds nothing else).
    const detail = route === '/api/keys' ? JSON.stringify(request.body) : null;
    const { principal, projectId } = request.access;
    await db
      .appendAudit({ timeUs: Date.now() * 1000, projectId, keyId: principal.keyId, action: `${request.method} ${route}`, target, detail })
      .catch((error: unknown) => request.log.error({ err: error }, 'could not record a change in the audit log'));
  });

  // A response that finishes while shutting down closes its connection; otherwise the server
  // would wait for the client's idle keep-alive connection (up to 72 s) before it can exit.
  app.addHook('onSend', async (_request, reply) => {
    if (!options.isReady()) reply.header('connection', 'close');
    // No answer is to be read as anything but the type it says.
    reply.header('x-content-type-options', 'nosniff');
  });

  await app.register(ingestRoutes, {
    maxBodyBytes: options.maxBodyBytes,
    projectOf,
    decoder: options.decoder,
    accept: options.accept,
    metrics: options.ingestMetrics,
  });

  // Reads see every write acknowledged before them, so an app that exported and then asks finds
  // it. Under a heavy backlog a read waits at most VISIBILITY_WAIT_MS and then answers with what
  // is committed, rather than hang the dashboard; either way the answer says it waited
  // (`Spoor-Read-Wait-Ms`), and whether writes acknowledged before it may be missing
  // (`Spoor-Read-Incomplete: 1`).
  app.addHook('preHandler', async (request, reply) => {
    if (!(routeOf(request)?.startsWith('/api/') ?? false)) return;
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const complete = await Promise.race([
      options.visible().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), VISIBILITY_WAIT_MS))),
    ]);
    clearTimeout(timer);
    const waitedMs = Math.round(performance.now() - started);
    if (waitedMs >= 1) reply.header('spoor-read-wait-ms', String(waitedMs));
    if (!complete) reply.header('spoor-read-incomplete', '1');
  });
  // A body is JSON text, or its UTF-8 bytes (the trace answers): either is sent as it is.
  const json = (reply: FastifyReply, body: string | Uint8Array): FastifyReply => reply.type('application/json; charset=utf-8').send(body);
  app.get('/api/traces', async (request, reply) =>
    json(reply, await db.listTraces(traceQueryFrom(request.query as QueryString, projectOf(request)))),
  );
  app.get<{ Params: { traceId: string } }>('/api/traces/:traceId', async (request, reply) => {
    rejectQuery(request.query as QueryString);
    return json(reply, await db.getTrace(projectOf(request), traceId(request.params.traceId)));
  });
  app.get<{ Params: { traceId: string } }>('/api/traces/:traceId/tree', async (request, reply) => {
    rejectQuery(request.query as QueryString);
    return json(reply, await db.getTraceTree(projectOf(request), traceId(request.params.traceId)));
  });
  app.get<{ Params: { traceId: string; otherTraceId: string } }>('/api/traces/:traceId/diff/:otherTraceId', async (request, reply) => {
    rejectQuery(request.query as QueryString);
    return json(reply, await db.diffTraces(projectOf(request), traceId(request.params.traceId), traceId(request.params.otherTraceId)));
  });
  app.get<{ Params: { traceId: string } }>('/api/traces/:traceId/search', async (request, reply) => {
    const q = request.query as QueryString;
    rejectUnknown(q, ['q', 'limit']);
    const text = single(q, 'q');
    if (text === null || text.trim() === '') throw new AppError('ERR_INVALID_PARAMETER', "'q' is required: the text to look for");
    return json(reply, await db.searchTrace(projectOf(request), traceId(request.params.traceId), text, limit(q, 1000, 10_000)));
  });
  app.get<{ Params: { traceId: string; spanId: string } }>('/api/traces/:traceId/spans/:spanId', async (request, reply) => {
    rejectQuery(request.query as QueryString);
    return json(reply, await db.getSpan(projectOf(request), traceId(request.params.traceId), spanId(request.params.spanId)));
  });
  app.get<{ Params: { traceId: string; spanId: string } }>('/api/traces/:traceId/spans/:spanId/llm', async (request, reply) => {
    rejectQuery(request.query as QueryString);
    return json(reply, await db.getLlmCall(projectOf(request), traceId(request.params.traceId), spanId(request.params.spanId)));
  });
  app.get('/api/services', async (request, reply) =>
    json(reply, await db.listServices(projectOf(request), rangeQueryFrom(request.query as QueryString))),
  );
  app.get('/api/logs', async (request, reply) => json(reply, await db.listLogs(logQueryFrom(request.query as QueryString, projectOf(request)))));
  app.get('/api/metrics', async (request, reply) =>
    json(reply, await db.listMetrics(projectOf(request), rangeQueryFrom(request.query as QueryString))),
  );
  app.get('/api/metrics/points', async (request, reply) =>
    json(reply, await db.listMetricPoints(metricPointQueryFrom(request.query as QueryString, projectOf(request)))),
  );

  await app.register(analyticsRoutes, {
    db,
    nowUs: options.nowUs ?? (() => Date.now() * 1000),
  });

  await app.register(alertRoutes, { alertsFor: options.alertsFor });
  await app.register(quarantineRoutes, { quarantine: options.quarantine });
  await app.register(replayRoutes, { db, replayer: options.replayer, visible: options.visible });
  await app.register(maskingRoutes, { db, decoder: options.decoder, maskFile: options.maskFile ?? null, nowUs: options.nowUs ?? (() => Date.now() * 1000) });
  await app.register(accessRoutes, { db, access: options.access, secureCookies: options.secureCookies ?? false, nowUs: options.nowUs ?? (() => Date.now() * 1000) });

  app.get('/api/prices', async (request, reply) => {
    rejectQuery(request.query as QueryString);
    return json(reply, await db.listPrices(projectOf(request)));
  });
  app.get('/api/prices/unpriced', async (request, reply) =>
    json(reply, await db.listUnpricedModels(projectOf(request), rangeQueryFrom(request.query as QueryString))),
  );
  app.put<{ Params: { model: string } }>('/api/prices/:model', async (request, reply) => {
    rejectQuery(request.query as QueryString);
    const body = jsonObject(request.body);
    const model = request.params.model;
    if (body.model !== undefined && String(body.model).toLowerCase() !== model.toLowerCase()) {
      throw new AppError('ERR_BAD_REQUEST', `the body names model '${String(body.model)}' but the path names '${model}'`);
    }
    let price;
    try {
      price = modelPriceFrom({ ...body, model }, 'price');
    } catch (error) {
      if (error instanceof PriceTableError) throw new AppError('ERR_BAD_REQUEST', error.message);
      throw error;
    }
    return json(reply, await db.putPrice(projectOf(request), price));
  });
  app.delete<{ Params: { model: string } }>('/api/prices/:model', async (request, reply) => {
    rejectQuery(request.query as QueryString);
    return json(reply, await db.deletePrice(projectOf(request), request.params.model));
  });
  app.post('/api/prices/reprice', async (request, reply) => {
    rejectQuery(request.query as QueryString);
    const body = jsonBody(request.body ?? {}, 'a re-price request', ['from', 'to']);
    for (const [key, value] of Object.entries(body)) {
      if (typeof value !== 'string') throw new AppError('ERR_BAD_REQUEST', `'${key}' must be an ISO-8601 time or epoch milliseconds, as a string`);
    }
    return json(reply, await db.reprice(projectOf(request), rangeQueryFrom(body as QueryString)));
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    if (!options.isReady()) return reply.code(503).send({ status: 'shutting_down' });
    if (options.storeHealthy?.() === false) return reply.code(503).send({ status: 'store_unavailable' });
    return { status: 'ready' };
  });
  app.get('/metrics', async (_request, reply) => {
    const spans = await options.decoder.spanMetrics();
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(options.selfMetrics.render() + alertMetricsText(options.alerts.engine) + spans);
  });
  if (webUi === null) {
    app.get('/', async (_request, reply) =>
      reply.type('text/plain; charset=utf-8').send(
        'Spoor is running, without its web UI: build it with `npm run build` (or start with `npm start`).\n\n' +
          'OTLP/HTTP: POST /v1/traces, /v1/logs, /v1/metrics\nAPI: /api/traces, /api/logs, /api/metrics, /api/errors, /api/alerts (see the README)\n' +
          'Health: GET /health, /ready; Prometheus: GET /metrics\n',
      ),
    );
  }
  return app;
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
 * Addresses the API and OTLP own answer 404 as JSON; every other address belongs to the UI. Read
 * as leniently as any router might (decoded, case and doubled slashes folded), so `/%61pi/x` or
 * `//API/x` is the API's 404, not a page.
 */
function isPageAddress(path: string): boolean {
  let folded = path;
  for (let i = 0; i < 3; i++) {
    try {
      folded = decodeURIComponent(folded);
    } catch {
      break;
    }
  }
  folded = folded.toLowerCase().replace(/[\\/]+/g, '/').split(';', 1)[0]!;
  return !folded.startsWith('/api/') && !folded.startsWith('/v1/') && folded !== '/api' && !folded.startsWith('/metrics');
}

function sendAsset(reply: FastifyReply, asset: WebAsset, acceptEncoding: string | undefined): FastifyReply {
  void reply
    .header('content-type', asset.type)
    .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    // No other site may frame the dashboard and lure clicks onto its buttons; scripts and styles
    // come from Spoor alone, and no inline script runs (the built UI has none).
    .header('x-frame-options', 'DENY')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('vary', 'accept-encoding');
  if (asset.gzip !== null && acceptEncoding !== undefined && /\bgzip\b/.test(acceptEncoding)) {
    return reply.header('content-encoding', 'gzip').send(asset.gzip);
  }
  return reply.send(asset.body);
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

function jsonObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('ERR_BAD_REQUEST', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

function rejectQuery(q: QueryString): void {
  const [name] = Object.keys(q);
  if (name !== undefined) throw new AppError('ERR_INVALID_PARAMETER', `'${name}' is not a parameter of this endpoint`);
}

/** Maps anything thrown in a handler to an `AppError`, keeping Fastify's own 4xx statuses. */
function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const status = (error as { statusCode?: number }).statusCode;
  const message = (error as Error).message ?? 'unknown error';
  // Fastify refuses these before a route runs: on the REST API, not OTLP (whose routes answer for themselves).
  if (status === 415) return new AppError('ERR_UNSUPPORTED_MEDIA_TYPE', message, { cause: error });
  if (status === 413) return new AppError('ERR_BODY_TOO_LARGE', message, { cause: error });
  if (status !== undefined && status >= 400 && status < 500) return new AppError('ERR_BAD_REQUEST', message, { cause: error });
  // The driver's words stay in the log: they can name files and internals.
  if ((error as Error).name === 'StoreError') return new AppError('ERR_STORE', 'the store could not answer; retry later', { cause: error });
  return new AppError('ERR_INTERNAL', 'internal error', { cause: error });
}
