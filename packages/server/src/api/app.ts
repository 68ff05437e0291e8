import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { AccessControl } from '../auth/access-control.js';
import type { DbClient } from '../dbthread/calls.js';
import type { Decoder } from '../ingest/decoder.js';
import type { SelfMetrics } from '../self-metrics.js';
import { analyticsRoutes } from './analytics-routes.js';
import { checkAnswers } from './answer-check.js';
import { type OtlpSignalName, otlpAnswers } from '../http/answers/otlp.js';
import { answerErrors } from './errors.js';
import { healthRoutes } from './health-routes.js';
import { installHooks, waitForReads } from './hooks.js';
import { describeRoutes, openApiRoute } from './openapi.js';
import { NO_QUERY } from '../params/parameters.js';
import { traceRoutes } from './trace-routes.js';
import { validatorCompiler } from './validation.js';
import { type WebUi, serveWebUi } from './web-ui.js';
import { docsRoutes } from './docs-routes.js';
import { defaultDocsDir } from '../docs/site.js';

import type { ServerShares } from '../shares.js';
import type { PartRoutes } from '../parts/part.js';

export { routeOf } from './hooks.js';

/** What every app takes: the database thread's reads, who may make them, and how requests are answered. */
interface AppBase {
  /** The database thread's calls (queries, prices, analytics, error groups), answering JSON text. */
  db: DbClient;
  /** Who may do what (`auth/access-control.ts`): checked before any route runs. */
  access: AccessControl;
  /** Origins whose pages may send OTLP from a browser (`--cors-origin`). Default: none. */
  corsOrigins?: readonly string[];
  /** The clock of "now" windows, epoch microseconds. Default: the system clock. */
  nowUs?: () => number;
  /** `false` once shutdown has begun: `/ready` answers 503. */
  isReady: () => boolean;
  /** Where the app logs. Default: nowhere. */
  logger?: FastifyBaseLogger;
  /** The built web UI, served at `/`; `null` when it is not built (then `/` says how to build it). */
  webUi?: WebUi | null;
  /** Whether a request's `Host` header names this server (`host-check.ts`). Default: any. */
  hostAllowed?: (host: string | undefined) => boolean;
  /** What this server does (`--role`): OTLP without `ingest`, the API and UI without `query` answer 404. Default: all. */
  roles?: { ingest: boolean; query: boolean };
  /**
   * Checks every answer against its route's declared schema and turns a mismatch into a 500
   * (`answer-check.ts`): for tests, which set `SPOOR_CHECK_ANSWERS=1`. Default: that variable.
   */
  checkAnswers?: boolean;
  /**
   * The routes the server's parts declared (`parts/part.ts`), in the parts' order: those that take data in first, the
   * others after the API's own.
   */
  routes?: readonly PartRoutes[];
}

/** The server's app: every route, over the parts `serve/` started. */
export interface AppOptions extends AppBase {
  readOnly?: false;
  /** Keeps the span-derived metrics of what was acknowledged (`/metrics`), and counts the scores the API takes. */
  decoder: Decoder;
  /** Resolves when every request acknowledged so far is visible to queries. */
  visible: () => Promise<void>;
  selfMetrics: SelfMetrics;
  /** Prometheus text the parts add to `/metrics` after the server's own (the default project's alert states). Default: none. */
  metricsText?: () => string;
  maxBodyBytes: number;
  /** `false` while the store refuses writes (a full disk): `/ready` answers 503 until it takes them again. Default: always true. */
  storeHealthy?: () => boolean;
  /** The Markdown docs served at `/docs` (`docs/site.ts`); `null`: not installed. Default: the package's, else the checkout's. */
  docsDir?: string | null;
  /** The shares the server bounds, per project and on this server (`shares.ts`); a route takes its own. Default: no bound. */
  shares?: Partial<ServerShares>;
}

/**
 * An app over a store opened read-only, with no other part started (`spoor mcp --data`): the
 * reads of traces and analytics, and the routes it is given (the scores', `serve/read-only-app.ts`),
 * which the MCP tools call; nothing that receives, runs or is configured.
 */
export interface ReadOnlyAppOptions extends AppBase {
  readOnly: true;
}

/** Every route of each app, as registered: for tests that must cover every route. */
const ROUTES = new WeakMap<FastifyInstance, Array<{ method: string; url: string }>>();

/** The routes of an app made by `createApp`, each method on its own. */
export function routesOf(app: FastifyInstance): ReadonlyArray<{ method: string; url: string }> {
  return ROUTES.get(app) ?? [];
}

/**
 * Builds the HTTP app: OTLP receiver, REST API, health and `/metrics`, and the web UI, on one
 * port. Every route declares its parameters and body (validated by `validation.ts`, described at
 * `GET /api/openapi.json`; an API route that declares no query takes none); the hooks of
 * `hooks.ts` run around each. A read-only app (`ReadOnlyAppOptions`) is the same app with only
 * the routes that read.
 */
export async function createApp(options: AppOptions | ReadOnlyAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger === undefined ? {} : { loggerInstance: options.logger }),
    // The REST API takes small JSON bodies; OTLP bodies are read by the ingest routes themselves.
    bodyLimit: 1024 * 1024,
    // One log line per request would be 50 lines a second under load; errors are logged where handled.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  const { db } = options;
  const nowUs = options.nowUs ?? (() => Date.now() * 1000);
  const routes: Array<{ method: string; url: string }> = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
    // An API route that declares no query takes none: a parameter it does not know is refused by name, never ignored.
    if (route.url.startsWith('/api/') && route.schema?.querystring === undefined) route.schema = { ...route.schema, querystring: NO_QUERY };
    // The OTLP receiver reads its bodies itself and knows nothing of the API: its answers are described here.
    const otlp = /^\/v1\/(traces|logs|metrics)$/.exec(route.url)?.[1] as OtlpSignalName | undefined;
    if (otlp !== undefined && route.method === 'POST') {
      route.schema = { summary: `OTLP/HTTP: ${otlp}, as protobuf or JSON`, tags: ['otlp'], ...route.schema, response: otlpAnswers(otlp) };
    }
  });
  app.setValidatorCompiler(validatorCompiler);
  // Answers are written by JSON.stringify, not by serializers compiled from their schemas (which
  // are for the document and the answer check): compiling them took some 0.5 s of every start, and
  // the compiled ones wrote the answers measured 1.3 to 3 times slower (BENCHMARKS.md, bench:answers).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await describeRoutes(app);
  answerErrors(app);
  if (options.checkAnswers ?? process.env.SPOOR_CHECK_ANSWERS === '1') checkAnswers(app);
  serveWebUi(app, options.webUi ?? null);
  installHooks(app, {
    db,
    access: options.access,
    corsOrigins: options.corsOrigins ?? [],
    hostAllowed: options.hostAllowed ?? (() => true),
    roles: options.roles,
    isReady: options.isReady,
  });
  if (options.readOnly === true) {
    await app.register(traceRoutes, { db });
    await app.register(analyticsRoutes, { db, nowUs });
    for (const part of options.routes ?? []) await part.register(app);
    return app;
  }

  const partRoutes = options.routes ?? [];
  for (const part of partRoutes.filter((p) => p.receives === true)) await part.register(app);
  waitForReads(app, options.visible);

  await app.register(traceRoutes, { db, metrics: options.selfMetrics });
  await app.register(analyticsRoutes, { db, nowUs });
  for (const part of partRoutes.filter((p) => p.receives !== true)) await part.register(app);
  await app.register(docsRoutes, { dir: options.docsDir === undefined ? defaultDocsDir() : options.docsDir });
  await app.register(openApiRoute);
  await app.register(healthRoutes, {
    isReady: options.isReady,
    storeHealthy: options.storeHealthy ?? (() => true),
    selfMetrics: options.selfMetrics,
    metricsText: options.metricsText ?? (() => ''),
    decoder: options.decoder,
  });
  return app;
}
