import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessControl } from '../auth/access-control.js';
import type { DbClient } from '../dbthread/calls.js';
import { AppError } from '../errors.js';
import { NoContent } from '../http/content.js';

/**
 * What every request passes before and after its route: the host and role checks and the JSON
 * body rule, the access check, the wait for reads to see acknowledged writes, the audit log and
 * the headers of every answer. Each decides on the route the router matched (`routeOf`).
 */

const VISIBILITY_WAIT_MS = 2000;

/** Methods that change something; each needs a JSON body. */
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** Methods whose success the audit log records. */
const WRITE_OR_DELETE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/**
 * Writes that are not changes to the project: a score is a record, arriving at the rate of an
 * app's users' feedback and carrying its author itself (deleting one is audited); a preview of an
 * evaluator judges and stores nothing; a reviewer's work on a queue is scores and events with its author.
 */
const NOT_AUDITED = new Set([
  'POST /api/scores',
  'POST /api/evaluators/preview',
  // A reviewer's work on a queue's items: records of their own (events, scores), each carrying its reviewer.
  'POST /api/queues/:name/next',
  'POST /api/queues/:name/items/:itemId/submit',
  'POST /api/queues/:name/items/:itemId/skip',
  'POST /api/queues/:name/items/:itemId/release',
]);

/** The OTLP/HTTP paths, which a browser page of a --cors-origin may post to after asking. */
const OTLP_PATHS = ['/v1/traces', '/v1/logs', '/v1/metrics'];

export interface HookOptions {
  db: DbClient;
  access: AccessControl;
  corsOrigins: readonly string[];
  /** Whether a request's `Host` header names this server. */
  hostAllowed: (host: string | undefined) => boolean;
  roles: { ingest: boolean; query: boolean } | undefined;
  isReady: () => boolean;
}

/**
 * The route a request matched, as declared (`/api/traces/:traceId`), or `null` when it matched
 * none. Every decision about a request is made on this, never on `request.url`: the router reads
 * `/%61pi/keys`, `/api/keys#x` and `http://host/api/keys` all as `/api/keys`.
 */
export function routeOf(request: FastifyRequest): string | null {
  return request.is404 ? null : (request.routeOptions.url ?? null);
}

/** The role a route belongs to; health, readiness and `/metrics` belong to every server. */
function servedByRole(route: string): 'ingest' | 'query' | null {
  if (route.startsWith('/v1/')) return 'ingest';
  if (route === '/health' || route === '/ready' || route === '/metrics') return null;
  return 'query';
}

/** Requests to a route that needs no body, sent without one. */
const emptyBodies = new WeakSet<FastifyRequest>();

/** Whether the route's body has a field it requires (a route that declares no body needs none). */
function bodyNeeded(request: FastifyRequest): boolean {
  const body = request.routeOptions.schema?.body as { type?: string; required?: readonly string[] } | undefined;
  if (body === undefined) return false;
  return body.type !== 'object' || (body.required ?? []).length > 0;
}

/** Whether a browser sent the request from a page of another origin (scripts send no Origin). */
function crossOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host.toLowerCase() !== request.headers.host?.toLowerCase();
  } catch {
    return true;
  }
}

export function installHooks(app: FastifyInstance, options: HookOptions): void {
  // A request addressed to another name (a page on another site whose name resolves here: DNS
  // rebinding) is refused before anything else runs; then one that matched no route goes to the
  // not-found handler with nothing else asked of it.
  app.addHook('onRequest', async (request) => {
    const host = request.headers.host;
    if (!options.hostAllowed(host)) {
      throw new AppError(
        'ERR_HOST_NOT_ALLOWED',
        `this Spoor does not answer to the host '${host ?? ''}'; if that is its address, start it with --allowed-hosts (or --external-url) naming it`,
      );
    }
    const route = routeOf(request);
    if (route === null) return;
    const served = servedByRole(route);
    if (served !== null && options.roles?.[served] === false) {
      throw new AppError(
        'ERR_NOT_FOUND',
        `this Spoor serves no ${served === 'ingest' ? 'OTLP' : 'API or dashboard'}: its --role leaves ${served} to other servers`,
      );
    }
    // A write through the REST API needs a JSON body sent as JSON: a form or a simple
    // cross-site request (text/plain, no body) cannot be one, and a browser asks first
    // (a preflight Spoor does not grant) before it sends anything else. An action (a POST) that
    // needs no body takes none too, from a script (no Origin) or this server's own pages: a
    // browser sends Origin with every cross-origin POST, so another site's empty POST is still
    // refused. A PUT or PATCH replaces or changes what it names: one sent empty is a mistake.
    if (WRITE_METHODS.has(request.method) && route.startsWith('/api/')) {
      const type = request.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
      const empty =
        request.headers['content-length'] === '0' || (request.headers['content-length'] === undefined && request.headers['transfer-encoding'] === undefined);
      if (empty && request.method === 'POST' && (type === undefined || type === 'application/json') && !bodyNeeded(request) && !crossOrigin(request)) {
        // Read as no body at all: Fastify refuses an empty one sent as JSON.
        delete request.headers['content-type'];
        emptyBodies.add(request);
      } else if (request.routeOptions.config.formRead === true && type === 'application/x-www-form-urlencoded') {
        // A read posted as a form (Grafana's, promtool's queries) changes nothing a forged form could abuse.
      } else if (type !== 'application/json' || empty) {
        throw new AppError('ERR_UNSUPPORTED_MEDIA_TYPE', `${request.method} ${route} takes a JSON body sent with Content-Type: application/json`);
      }
    }
  });
  // A route whose body's fields are all optional reads no body as {}.
  app.addHook('preValidation', async (request) => {
    if (emptyBodies.has(request) && request.routeOptions.schema?.body !== undefined) request.body = {};
  });

  // Credentials, role and project: every request but health and the dashboard's files needs them
  // once a key exists. Browser OTLP exporters from the --cors-origin pages are asked first.
  const corsOrigins = new Set(options.corsOrigins);
  app.decorateRequest('access', null as unknown as FastifyRequest['access']);
  const corsAllowed = (request: FastifyRequest): boolean => request.headers.origin !== undefined && corsOrigins.has(request.headers.origin);
  app.addHook('onRequest', async (request, reply) => {
    const route = routeOf(request);
    if (route === null) return;
    if (route.startsWith('/v1/') && corsAllowed(request)) void reply.header('access-control-allow-origin', request.headers.origin).header('vary', 'origin');
    request.access = options.access.check({
      method: request.method,
      route,
      need: request.routeOptions.config.need,
      headers: request.headers,
      clientAddress: request.ip,
    });
  });
  const preflight = { summary: 'The CORS preflight of a browser page of a --cors-origin', tags: ['otlp'], response: { 204: NoContent } };
  for (const path of OTLP_PATHS) {
    app.options(path, { schema: preflight }, async (request, reply) => {
      if (!corsAllowed(request)) {
        throw new AppError(
          'ERR_FORBIDDEN',
          `this Spoor takes OTLP from browser pages of the origins given to --cors-origin only, not ${request.headers.origin ?? 'an unnamed origin'}`,
        );
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
    if (
      route === null ||
      !WRITE_OR_DELETE.has(request.method) ||
      !route.startsWith('/api/') ||
      route === '/api/session' ||
      reply.statusCode >= 400 ||
      request.access === null
    )
      return;
    if (NOT_AUDITED.has(`${request.method} ${route}`)) return;
    const target = Object.values((request.params ?? {}) as Record<string, string>).join('/');
    // Bodies are not kept: a rule's receiver or a webhook URL may carry a token. A new key's
    // project, role and name are (its body holds nothing else).
    const detail = route === '/api/keys' ? JSON.stringify(request.body) : null;
    const { principal, projectId } = request.access;
    await options.db.access
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
}

/**
 * Reads see every write acknowledged before them. Added after the OTLP routes are registered, so
 * ingest requests never pass it.
 */
export function waitForReads(app: FastifyInstance, visible: () => Promise<void>): void {
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
      visible().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), VISIBILITY_WAIT_MS))),
    ]);
    clearTimeout(timer);
    const waitedMs = Math.round(performance.now() - started);
    if (waitedMs >= 1) reply.header('spoor-read-wait-ms', String(waitedMs));
    if (!complete) reply.header('spoor-read-incomplete', '1');
  });
}
