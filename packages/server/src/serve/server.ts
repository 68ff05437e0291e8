import type { FastifyInstance } from 'fastify';
import { createApp } from '../api/app.js';
import { hostChecker } from '../api/host-check.js';
import { defaultWebUiDir, loadWebUi } from '../api/web-ui.js';
import type { ServeConfig } from '../config.js';
import { forwardingMasking } from '../forward/forward-client.js';
import { startAccess } from './access-part.js';
import { serveBase } from './base.js';
import { startIngest } from './ingest-part.js';
import { Lifecycle } from './lifecycle.js';
import { startAlerting, startQuality } from './quality-part.js';
import { startReceivers } from './receivers-part.js';
import { quarantineAccess } from './resubmit.js';
import { startDecoder, startStore } from './store-part.js';

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
 * Starts the server's parts in the runtime picture's order, each taking what the parts before it
 * made: the decode thread; the database thread (which opens the store, replays what the spool
 * holds beyond the store's last commit, and applies retention); keys, masking policies and access;
 * the spool, forwarding and the ingest queue; alerting; evaluators, tail sampling and experiments;
 * then the app and the ports. They close in the reverse order (`Lifecycle`), on a failed start as
 * on `close()`: the receivers first, the database thread and the decode thread last.
 */
export async function startServer(config: ServeConfig): Promise<RunningServer> {
  const base = await serveBase(config);
  const { log, state } = base;
  const life = new Lifecycle(log);
  return life.run(async () => {
    const decoder = await startDecoder(life, base);
    const store = await startStore(life, base, decoder);
    const { thread, live } = store;
    const { ring, access, signIn, maskingPolicies } = await startAccess(life, base, thread, decoder);
    const ingest = await startIngest(life, base, { thread, decoder, replayed: store.replayed, committedSegment: store.committedSegment, maskingPolicies });
    const { queue, forward, resubmit, accept } = ingest;
    const { alerting, alerts } = await startAlerting(life, base, thread, ring);
    const { evaluators, sampling, replayer, experiments } = await startQuality(life, base, { thread, decoder, ring, ...ingest });
    const webUiDir = config.webUiDir === undefined ? defaultWebUiDir() : config.webUiDir;
    const webUi = webUiDir === null ? null : await loadWebUi(webUiDir);
    const makeApp = async (): Promise<FastifyInstance> => {
      const app = await createApp({
        webUi,
        replayer,
        maskFile: base.maskFile,
        db: thread.calls,
        alerts,
        alertsFor: (projectId) => alerting.of(projectId),
        evaluators,
        experiments,
        sampling,
        access,
        corsOrigins: config.corsOrigins,
        roles: config.roles,
        secureCookies: config.externalUrl?.startsWith('https://') ?? false,
        decoder: forward === null ? decoder : forwardingMasking(decoder, forward),
        accept,
        visible: () => queue.whenVisible(),
        quarantine: quarantineAccess(base.quarantineDir, resubmit, queue, () => state.quarantinedSinceStart),
        selfMetrics: base.selfMetrics,
        ingestMetrics: base.ingestMetrics,
        maxBodyBytes: config.maxBodyBytes,
        isReady: () => state.ready,
        hostAllowed: hostChecker(config),
        // Not ready either while requests are refused until what a lack of room held up is committed.
        storeHealthy: () => state.store.healthy && !queue.refusesForRoom(),
        logger: log,
        live,
        signIn,
        shares: base.shares,
        scoreWrites: base.shares.scoreWrites,
      });
      if (store.replayed > 0) app.log.info({ requests: store.replayed }, 'replayed acknowledged requests from the spool');
      logRetention(app, store.retention);
      return app;
    };
    const { app, url, grpcUrl } = await startReceivers(life, base, { makeApp, access, decoder, accept, forward });
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
  });
}

function logRetention(app: FastifyInstance, results: Array<{ signal: string; deleted: number }>): void {
  const deleted = results.filter((r) => r.deleted > 0);
  if (deleted.length > 0) app.log.info({ deleted }, 'retention removed expired records');
}
