import { statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PriceTable } from '@spoor/model';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_PROJECT_ID } from '@spoor/model';
import { AlertService } from './alerting/alert-service.js';
import { alertBackendOver } from './dbthread/alert-backend.js';
import { AlertEngine } from './alerting/engine.js';
import { createApp } from './api/app.js';
import { defaultWebUiDir, loadWebUi } from './api/web-ui.js';
import { type ServeConfig, checkBinding } from './config.js';
import { DbThread } from './dbthread/db-client.js';
import { priceTableFrom } from './normalize/prices.js';
import { DecodeThread } from './ingest/decode-client.js';
import { type GrpcReceiver, startGrpcReceiver } from './ingest/grpc.js';
import type { DecodeRequest } from './ingest/decoder.js';
import { type AcceptedRequest, backPressureLogged } from './ingest/export.js';
import { hostChecker } from './api/host-check.js';
import { IngestQueue } from './pipeline/ingest-queue.js';
import { listQuarantine, quarantineCount, quarantineIdOf, replayQuarantine } from './pipeline/quarantine.js';
import { Spool } from './pipeline/spool.js';
import { AppError } from './errors.js';
import { AccessControl } from './auth/access-control.js';
import { KeyRing } from './auth/key-ring.js';
import { Replayer } from './replay/replayer.js';
import { type MaskFile, maskFileOf, maskingPolicyProblem } from './ingest/masking.js';
import { STORE_COMMIT_SECONDS_BUCKETS, SelfMetrics, createIngestMetrics } from './self-metrics.js';

/** How soon a key revoked elsewhere (another server, the command line) stops working here. */
const KEY_REFRESH_MS = 500;

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
 * Starts the database thread (which opens the store, replays what the spool holds beyond the
 * store's last commit, and applies retention), then serves HTTP until `close()`.
 */
export async function startServer(config: ServeConfig): Promise<RunningServer> {
  const spoolDir = join(config.dataDir, 'spool');
  const quarantineDir = join(config.dataDir, 'quarantine');
  await mkdir(spoolDir, { recursive: true });
  const selfMetrics = new SelfMetrics();
  const ingestMetrics = createIngestMetrics(selfMetrics);
  const commitFailures = selfMetrics.counter('spoor_store_commit_failures_total', 'Store transactions that failed and were retried.');
  const commitSeconds = selfMetrics.histogram(
    'spoor_store_commit_duration_seconds',
    'Time from asking the store to commit a transaction until its records are durable.',
    STORE_COMMIT_SECONDS_BUCKETS,
  );
  let quarantinedSinceStart = 0;
  const quarantined = selfMetrics.counter(
    'spoor_ingest_quarantined_total',
    'Acknowledged requests the writer gave up on (the store kept refusing them, or they no longer decode) and moved to the quarantine.',
  );
  quarantined({}, 0); // shown as 0 from the start, so an alert on its increase has a series to watch
  const failedAttempts = selfMetrics.counter(
    'spoor_auth_failed_attempts_total',
    "Keys refused as not valid (outcome 'refused'), and attempts refused unheard because their address or key id failed too often ('limited').",
  );
  const damagedBytes = selfMetrics.counter('spoor_spool_damaged_bytes_total', 'Bytes of the spool found damaged at start-up (kept in the quarantine folder); the entries after them were replayed.');
  damagedBytes({}, 0);
  selfMetrics.gauge('spoor_ingest_quarantine_entries', 'Requests in the quarantine, waiting for `spoor spool replay-quarantine`.', () => quarantineCount(quarantineDir));
  selfMetrics.gauge('spoor_store_healthy', 'Whether the store took the last commit (0 while it refuses them, as on a full disk or with ClickHouse down; /ready answers 503 then).', () => (storeHealthy ? 1 : 0));
  const dbPath = config.store.kind === 'duckdb' ? config.store.path : null;
  if (dbPath !== null) {
    selfMetrics.gauge('spoor_store_size_bytes', 'Bytes of the store on disk: the database file and its write-ahead log.', () => fileBytes(dbPath) + fileBytes(`${dbPath}.wal`));
  }
  let ready = true;
  let storeHealthy = true;
  let app: FastifyInstance | null = null;
  let queue: IngestQueue | null = null;
  let grpc: GrpcReceiver | null = null;
  let threadFailed = false;
  let reportFailure: (error: Error) => void = () => {};
  const failed = new Promise<Error>((resolve) => (reportFailure = resolve));

  // The app's logger exists only once the app does; the database thread and alerting start before it.
  // Until it does (while the spool is replayed), lines go to stderr in the same JSON shape.
  const early = (level: 'info' | 'warn' | 'error', obj: object, msg: string): void => {
    if (config.logLevel === 'silent' || (level === 'info' && !['trace', 'debug', 'info'].includes(config.logLevel))) return;
    process.stderr.write(`${JSON.stringify({ level, time: Date.now(), ...obj, msg })}\n`);
  };
  const log = {
    info: (obj: object, msg: string) => (app === null ? early('info', obj, msg) : app.log.info(obj, msg)),
    warn: (obj: object, msg: string) => (app === null ? early('warn', obj, msg) : app.log.warn(obj, msg)),
    error: (obj: object, msg: string) => (app === null ? early('error', obj, msg) : app.log.error(obj, msg)),
  };
  if (config.auth === 'off') {
    log.warn({ host: config.host }, `authentication is off: anyone who can reach ${config.host}:${config.port} can read every trace, prompt and log, and change prices, alert rules and silences`);
  }
  const prices = config.pricesFile === null ? null : await readPriceTable(config.pricesFile);
  const maskFile = config.maskFile === null ? null : await readMaskFile(config.maskFile);
  // Bodies are decoded, normalized and priced (with the books the database thread keeps current)
  // on a thread of their own; span metrics count there as requests are acknowledged.
  const decoder = await DecodeThread.start(prices, (error) => {
    ready = false;
    app?.log.fatal({ err: error }, 'the decode thread failed; acknowledged data is in the spool and is replayed on restart');
    reportFailure(error);
  }, maskFile);
  const started = await DbThread.start(
    { store: config.store, spoolDir, quarantineDir, serverId: await serverIdOf(config.dataDir), retention: config.retention, prices, maskFile },
    {
      prices: (projectId, models) => decoder.setPrices(projectId, models),
      storeHealth: (healthy) => {
        storeHealthy = healthy;
        queue?.setStoreHealthy(healthy);
        if (!healthy) log.warn({}, 'the store does not take commits; requests are acknowledged into the spool until it does (--spool-max)');
        if (healthy) log.info({}, 'the store takes commits again; what was acknowledged meanwhile is being committed from the spool');
      },
      damaged: (segment, offset, bytes) => {
        damagedBytes({}, bytes);
        log.error(
          { segment, offset, bytes, kept: join(quarantineDir, `${quarantineIdOf({ segment, offset })}.damaged`) },
          'the spool holds a damaged stretch: whatever acknowledged request it held is lost; the entries after it were replayed',
        );
      },
      quarantined: (id, reason) => {
        quarantined({});
        quarantinedSinceStart++;
        // Loud on purpose: acknowledged data is waiting for someone to look at it.
        log.error({ id, ...reason, quarantineDir }, 'the store kept refusing an acknowledged request: moved it to the quarantine (see GET /api/quarantine; spoor spool replay-quarantine)');
      },
      committed: (seq, position, _records, commitMs) => {
        commitSeconds(commitMs / 1000);
        queue?.committed(seq, position);
      },
      log: (level, message, data) => {
        if (level === 'error' && message.startsWith('a commit failed')) commitFailures({});
        log[level](data, message);
      },
      failed: (error) => {
        ready = false;
        threadFailed = true;
        app?.log.fatal({ err: error }, 'the database thread failed; acknowledged data is in the spool and is replayed on restart');
        reportFailure(error);
      },
    },
  ).catch(async (error: unknown) => {
    await decoder.close();
    throw error;
  });
  const { thread, replayed, committedSegment, retention, recentSpans } = started;
  const { where, foundVersion, schemaVersion } = started.store;
  log.info(
    { store: config.store.kind, where, schemaVersionFound: foundVersion, schemaVersion },
    schemaVersion === null
      ? `opened the ${config.store.kind} store`
      : foundVersion === null
        ? `created the ${config.store.kind} schema, version ${schemaVersion}`
        : `found the ${config.store.kind} schema at version ${foundVersion}${foundVersion < schemaVersion ? `, migrated it to ${schemaVersion}` : ''}`,
  );
  // Newest first from the store; remembered oldest first, so the newest are kept longest.
  decoder.remember(recentSpans.reverse());
  let spool: Spool | null = null;
  let ring: KeyRing | null = null;
  /** Each project's alerting, started on first use (the default project's at once, with the rules file). */
  const alerting = new Map<string, Promise<AlertService>>();
  const alertsFor = (projectId: string): Promise<AlertService> => {
    let service = alerting.get(projectId);
    if (service === undefined) {
      service = startAlerting(projectId, projectId === DEFAULT_PROJECT_ID ? config.alertsFile : null);
      alerting.set(projectId, service);
    }
    return service;
  };
  const startAlerting = async (projectId: string, rulesFile: string | null): Promise<AlertService> => {
    const engine = await AlertEngine.open({
      projectId,
      ...alertBackendOver(thread.calls, projectId),
      logger: log,
      externalUrl: () => config.externalUrl ?? url,
    });
    return AlertService.start({
      engine,
      rulesFile,
      intervalMs: config.alertIntervalMs,
      evaluates: config.roles.alerting,
      nowUs: () => Date.now() * 1000,
      onError: (message, data) => log.error({ projectId, ...data }, message),
      onInfo: (message, data) => log.info({ projectId, ...data }, message),
    });
  };
  const closeAlerting = async (): Promise<void> => {
    const services = await Promise.allSettled(alerting.values());
    for (const service of services) if (service.status === 'fulfilled') await service.value.close();
  };
  let url = '';
  try {
    ring = await KeyRing.start(() => thread.calls.listKeys(), {
      refreshMs: KEY_REFRESH_MS,
      onError: (error) => log.warn({ err: error }, 'could not read the keys again; the keys read before stay in force'),
    });
    checkBinding(config, ring.any);
    // Policies set through the API, over the --mask file's, for the requests decoded from now on.
    for (const { projectId, policy } of await thread.calls.listMaskingPolicies()) {
      const problem = maskingPolicyProblem(policy);
      // Its project's requests are refused (503) until it is set again: see ProjectMasking.
      if (problem !== null) log.error({ projectId }, `the masking policy of project '${projectId}' cannot be used (${problem}); its requests are refused until it is set again`);
      decoder.setMasking(projectId, policy);
    }
    const access = new AccessControl({
      mode: config.auth,
      ring,
      sessionSecret: await thread.calls.sessionSecret(),
      metricsToken: config.metricsToken,
      ratePerSecond: config.rateLimit,
      onFailedAttempt: (outcome, detail) => {
        failedAttempts({ outcome });
        // One line a second at most: a search sends thousands of keys a second.
        if (outcome === 'limited' && backPressureLogged.shouldLog('ERR_KEY_SEARCH')) {
          log.warn(detail, 'refusing keys unheard: too many keys that are not valid came from this address, or for this key id');
        }
      },
    });
    const alerts = await alertsFor(DEFAULT_PROJECT_ID);
    // Projects with keys evaluate their rules from the start, not from their first request.
    for (const projectId of ring.projects()) await alertsFor(projectId);
    spool = await Spool.open(spoolDir, {}, committedSegment);
    queue = new IngestQueue(spool, thread, { maxSpoolBytes: config.spoolMaxBytes });
    queue.startAfter(replayed);
    queue.setStoreHealthy(storeHealthy);
    const ingest = queue;
    selfMetrics.gauge('spoor_ingest_queue_records', 'Records accepted and not yet committed to the store.', () => ingest.queued());
    selfMetrics.gauge('spoor_spool_bytes', 'Bytes of request bodies acknowledged into the spool and not yet committed to the store.', () => ingest.spoolBytes());
    selfMetrics.gauge('spoor_spool_oldest_unsent_seconds', 'Age of the oldest acknowledged request not yet committed to the store (0 when none).', () =>
      ingest.oldestUnsentSeconds(Date.now() * 1000),
    );
    const webUiDir = config.webUiDir === undefined ? defaultWebUiDir() : config.webUiDir;
    const webUi = webUiDir === null ? null : await loadWebUi(webUiDir);
    /**
     * Decodes a body as the receiver does and hands its batch to ingest, which resolves once it
     * is spooled: how a quarantined entry and a replayed LLM call's spans go back in. A body with
     * no valid record left is refused; its records otherwise.
     */
    const decodeAndSubmit = async (request: DecodeRequest): Promise<number> => {
      const decoded = await decoder.decode(request);
      try {
        if (decoded.records === 0) throw new Error(`it holds no valid records (${decoded.rejectReason ?? 'it is empty'})`);
        await ingest.submit({ ...request, body: decoded.body }, decoded.batch);
      } catch (error) {
        decoder.dropped(decoded.ticket);
        throw error;
      }
      decoder.accepted(decoded.ticket);
      return decoded.records;
    };
    const replayer = new Replayer(config.providers, async (projectId, body) => {
      await decodeAndSubmit({ signal: 'traces', encoding: 'protobuf', body, projectId, receivedUs: Date.now() * 1000 });
    });
    const accept = async ({ signal, encoding, projectId, receivedUs, body, batch }: AcceptedRequest): Promise<void> => {
      // Requests already in flight when a shutdown starts still complete; a dead database thread
      // would never commit what is accepted, so then nothing is.
      if (threadFailed) throw new AppError('ERR_STORE_UNAVAILABLE', 'the store is unavailable; retry later', { retryAfterSeconds: 1 });
      await ingest.submit({ signal, encoding, projectId, receivedUs, body }, batch);
    };
    app = await createApp({
      webUi,
      replayer,
      maskFile,
      db: thread.calls,
      alerts,
      alertsFor,
      access,
      corsOrigins: config.corsOrigins,
      roles: config.roles,
      secureCookies: config.externalUrl?.startsWith('https://') ?? false,
      decoder,
      accept,
      visible: () => ingest.whenVisible(),
      quarantine: {
        list: (projectId) =>
          listQuarantine(quarantineDir)
            .filter((entry) => entry.projectId === projectId)
            .map(({ projectId: _project, receivedUs, quarantinedAtMs, ...entry }) => ({
              ...entry,
              receivedAt: new Date(receivedUs / 1000).toISOString(),
              quarantinedAt: new Date(quarantinedAtMs).toISOString(),
            })),
        replay: async (projectId, ids) => {
          const before = quarantinedSinceStart;
          const result = await replayQuarantine(quarantineDir, projectId, ids, (entry) => decodeAndSubmit({ ...entry, alreadyAcknowledged: true }));
          await ingest.whenVisible();
          return { replayed: result.replayed.length, records: result.records, failed: result.failed, quarantinedAgain: quarantinedSinceStart - before };
        },
      },
      selfMetrics,
      ingestMetrics,
      maxBodyBytes: config.maxBodyBytes,
      isReady: () => ready,
      hostAllowed: hostChecker(config),
      storeHealthy: () => storeHealthy,
      // Logs go to stderr, so stdout carries only the start-up line (and what a user asked for).
      logger: { level: config.logLevel, stream: process.stderr },
    });
    if (replayed > 0) app.log.info({ requests: replayed }, 'replayed acknowledged requests from the spool');
    logRetention(app, retention);
    await app.listen({ host: config.host, port: config.port });
    if (config.grpcPort !== null) {
      grpc = await startGrpcReceiver({
        host: config.host,
        port: config.grpcPort,
        maxBodyBytes: config.maxBodyBytes,
        check: (request) => access.check(request),
        decoder,
        accept,
        metrics: ingestMetrics,
        logger: app.log,
      });
    }
  } catch (error) {
    await app?.close();
    await closeAlerting();
    ring?.close();
    await spool?.close();
    await thread.close();
    await decoder.close();
    throw error;
  }
  const running = app;
  const ingest = queue;
  const openSpool = spool;
  const keys = ring;
  const grpcReceiver = grpc;

  const address = running.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  url = `http://${host}:${port}`;
  const grpcUrl = grpcReceiver === null ? null : `http://${host}:${grpcReceiver.port}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    grpcUrl,
    app: running,
    failed,
    close: () => {
      closing ??= (async () => {
        ready = false;
        // Both receivers wait for in-flight requests; each of those waits for its spool write.
        await Promise.all([grpcReceiver?.close(), running.close()]);
        await decoder.close();
        keys.close();
        // Notifications already decided are delivered (or given up on) and recorded before the store closes.
        await closeAlerting();
        // With the database thread gone nothing more commits; the spool keeps what was acknowledged.
        try {
          if (!threadFailed) await ingest.close();
        } finally {
          await openSpool.close();
          await thread.close();
        }
      })();
      return closing;
    },
  };
}

function logRetention(app: FastifyInstance, results: Array<{ signal: string; deleted: number }>): void {
  const deleted = results.filter((r) => r.deleted > 0);
  if (deleted.length > 0) app.log.info({ deleted }, 'retention removed expired records');
}

/** The JSON of a file the user named (`what`: "the price table"); the error names the file and what is wrong. */
async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

async function readPriceTable(path: string): Promise<PriceTable> {
  return priceTableFrom(await readJsonFile(path, 'the price table'), path);
}

async function readMaskFile(path: string): Promise<MaskFile> {
  return maskFileOf(await readJsonFile(path, 'the masking file'), `the masking file ${path}`);
}

/**
 * The id this data directory's server writes under (`server-id`, made on first start): with a
 * spool position it keys every batch, so several servers can share one store and each replay its
 * own spool.
 */
async function serverIdOf(dataDir: string): Promise<string> {
  const file = join(dataDir, 'server-id');
  const stored = await readFile(file, 'utf8').then((text) => text.trim(), () => '');
  if (/^[\w.-]{1,64}$/.test(stored)) return stored;
  const id = `spoor-${randomBytes(6).toString('hex')}`;
  await writeFile(file, `${id}\n`);
  return id;
}

/** A file's size, 0 when it does not exist (a WAL between checkpoints). */
function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
