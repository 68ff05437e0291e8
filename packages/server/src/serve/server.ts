import type { FastifyInstance } from 'fastify';
import { createApp } from '../api/app.js';
import { hostChecker } from '../api/host-check.js';
import { defaultWebUiDir, loadWebUi } from '../api/web-ui.js';
import type { ServeConfig } from '../config.js';
import { alertingPart } from '../alerting/part.js';
import { exportPart } from '../export/part.js';
import { flowsPart } from '../flows/part.js';
import { forwardPart } from '../forward/part.js';
import { reviewQueuesPart } from '../queues/part.js';
import { promptsPart } from '../prompts/part.js';
import { promqlPart } from '../promql/part.js';
import { dashboardsPart } from '../dashboards/part.js';
import { Lifecycle } from '../parts/lifecycle.js';
import { Boot, type Part } from '../parts/part.js';
import { authPart } from '../auth/part.js';
import { storePart } from '../dbthread/part.js';
import { decodePart } from '../ingest/decode-part.js';
import { maskingPart } from '../ingest/masking-part.js';
import { ingestPart } from '../ingest/part.js';
import { livePart } from '../live/part.js';
import { mcpPart } from '../mcp/part.js';
import { queuePart, spoolPart } from '../pipeline/part.js';
import { priceTablePart, pricingPart } from '../pricing/part.js';
import { evaluatorsPart, experimentsPart } from '../quality/part.js';
import { replayPart } from '../replay/part.js';
import { samplingPart } from '../sampling/part.js';
import { type ServeBase, serveBase } from './base.js';
import { startReceivers } from './receivers-part.js';

export interface RunningServer {
  /** `http://host:port` as bound (the real port when 0 was asked for). */
  url: string;
  /** `http://host:port` of OTLP/gRPC as bound, or `null` when it is off. */
  grpcUrl: string | null;
  app: FastifyInstance;
  /** Stops accepting, commits everything acknowledged, closes the store. Idempotent. */
  close: () => Promise<void>;
  /** Settles if the database thread dies; the server then answers 503 and should be restarted. */
  failed: Promise<Error>;
}

/**
 * The server's parts in the runtime picture's order, each taking what the parts before it gave:
 * the price table; the decode thread; the database thread (which opens the store, replays what the
 * spool holds beyond the store's last commit, and applies retention); live streams and the price
 * API over it; keys and access; the masking policies; the spool, forwarding and the ingest queue;
 * ingest (what takes requests in, and hands Spoor's own in) and MCP; alerting; evaluators, tail
 * sampling, replay and experiments; export; review queues; prompts; the flow map; the Prometheus query API; dashboards; then
 * the app, with every part's routes, and the ports. They close in the reverse order (`Lifecycle`), on a failed start
 * as on `close()`: the receivers first, the database thread and the decode thread last.
 */
export function serverParts(base: ServeBase) {
  return Boot.from(base)
    .with(priceTablePart(base.config))
    .with(decodePart(base.config))
    .with(storePart)
    .with(livePart)
    .with(pricingPart)
    .with(authPart)
    .with(maskingPart)
    .with(spoolPart)
    .with(forwardPart)
    .with(queuePart)
    .with(ingestPart)
    .with(mcpPart)
    .with(alertingPart)
    .with(evaluatorsPart(base))
    .with(samplingPart(base.config))
    .with(replayPart)
    .with(experimentsPart)
    .with(exportPart)
    .with(reviewQueuesPart)
    .with(promptsPart)
    .with(flowsPart)
    .with(promqlPart)
    .with(dashboardsPart);
}

type Started = Awaited<ReturnType<ReturnType<typeof serverParts>['start']>>;

/** The last part: the app over every part's routes, and the ports it listens on. */
const receiversPart: Part<Started, { app: FastifyInstance; url: string; grpcUrl: string | null }> = {
  name: 'receivers',
  start: async (life, have) => {
    const { config, log, state, thread, queue, forward, decoder } = have;
    const webUiDir = config.webUiDir === undefined ? defaultWebUiDir() : config.webUiDir;
    const webUi = webUiDir === null ? null : await loadWebUi(webUiDir);
    const makeApp = async (): Promise<FastifyInstance> => {
      const app = await createApp({
        webUi,
        db: thread.calls,
        access: have.access,
        corsOrigins: config.corsOrigins,
        roles: config.roles,
        decoder,
        visible: () => queue.whenVisible(),
        selfMetrics: have.selfMetrics,
        metricsText: have.alertMetrics,
        maxBodyBytes: config.maxBodyBytes,
        isReady: () => state.ready,
        hostAllowed: hostChecker(config),
        // Not ready either while requests are refused until what a lack of room held up is committed.
        storeHealthy: () => state.store.healthy && !queue.refusesForRoom(),
        logger: log,
        shares: have.shares,
        routes: have.routes,
      });
      if (have.replayed > 0) app.log.info({ requests: have.replayed }, 'replayed acknowledged requests from the spool');
      return app;
    };
    return startReceivers(life, have, { makeApp, access: have.access, decoder, accept: have.accept, forward });
  },
};

/** Starts the server's parts, then its receivers; closing closes them all, last first. */
export async function startServer(config: ServeConfig): Promise<RunningServer> {
  const base = await serveBase(config);
  const life = new Lifecycle(base.log);
  const { app, url, grpcUrl, state } = await serverParts(base).with(receiversPart).start(life);
  return {
    url,
    grpcUrl,
    app,
    failed: state.failed,
    close: () => {
      state.ready = false;
      return life.close();
    },
  };
}
