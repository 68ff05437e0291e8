import type { FastifyInstance } from 'fastify';
import { createApp } from '../api/app.js';
import { hostChecker } from '../api/host-check.js';
import { defaultWebUiDir, loadWebUi } from '../api/web-ui.js';
import type { ServeConfig } from '../config.js';
import { exportPart } from '../export/part.js';
import { promqlPart } from '../promql/part.js';
import { forwardingMasking } from '../forward/forward-client.js';
import { Lifecycle } from '../parts/lifecycle.js';
import { Boot, type Part } from '../parts/part.js';
import { accessPart } from './access-part.js';
import { type ServeBase, serveBase } from './base.js';
import { ingestPart } from './ingest-part.js';
import { alertingPart, qualityPart } from './quality-part.js';
import { startReceivers } from './receivers-part.js';
import { quarantineAccess } from './resubmit.js';
import { decodePart, storePart } from './store-part.js';

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
 * the decode thread; the database thread (which opens the store, replays what the spool holds
 * beyond the store's last commit, and applies retention); keys, masking policies and access; the
 * spool, forwarding and the ingest queue; alerting; evaluators, tail sampling and experiments;
 * export; then the app, with every part's routes, and the ports. They close in the reverse order
 * (`Lifecycle`), on a failed start as on `close()`: the receivers first, the database thread and
 * the decode thread last.
 */
export function serverParts(base: ServeBase) {
  return Boot.from(base)
    .with(decodePart)
    .with(storePart)
    .with(accessPart)
    .with(ingestPart)
    .with(alertingPart)
    .with(qualityPart)
    .with(exportPart)
    .with(promqlPart);
}

type Started = Awaited<ReturnType<ReturnType<typeof serverParts>['start']>>;

/** The last part: the app over every part's routes, and the ports it listens on. */
const receiversPart: Part<Started, { app: FastifyInstance; url: string; grpcUrl: string | null }> = {
  name: 'receivers',
  start: async (life, have) => {
    const { config, log, state, thread, queue, forward, decoder, alerting } = have;
    const webUiDir = config.webUiDir === undefined ? defaultWebUiDir() : config.webUiDir;
    const webUi = webUiDir === null ? null : await loadWebUi(webUiDir);
    const makeApp = async (): Promise<FastifyInstance> => {
      const app = await createApp({
        webUi,
        replayer: have.replayer,
        maskFile: have.maskFile,
        db: thread.calls,
        alerts: have.alerts,
        alertsFor: (projectId) => alerting.of(projectId),
        evaluators: have.evaluators,
        experiments: have.experiments,
        sampling: have.sampling,
        access: have.access,
        corsOrigins: config.corsOrigins,
        roles: config.roles,
        secureCookies: config.externalUrl?.startsWith('https://') ?? false,
        decoder: forward === null ? decoder : forwardingMasking(decoder, forward),
        accept: have.accept,
        visible: () => queue.whenVisible(),
        quarantine: quarantineAccess(have.quarantineDir, have.resubmit, queue, () => state.quarantinedSinceStart),
        selfMetrics: have.selfMetrics,
        ingestMetrics: have.ingestMetrics,
        maxBodyBytes: config.maxBodyBytes,
        isReady: () => state.ready,
        hostAllowed: hostChecker(config),
        // Not ready either while requests are refused until what a lack of room held up is committed.
        storeHealthy: () => state.store.healthy && !queue.refusesForRoom(),
        logger: log,
        live: have.live,
        signIn: have.signIn,
        shares: have.shares,
        scoreWrites: have.shares.scoreWrites,
        routes: have.routes,
      });
      if (have.replayed > 0) app.log.info({ requests: have.replayed }, 'replayed acknowledged requests from the spool');
      const deleted = have.retention.filter((r) => r.deleted > 0);
      if (deleted.length > 0) app.log.info({ deleted }, 'retention removed expired records');
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
