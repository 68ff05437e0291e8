import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { DEFAULT_PROJECT_ID } from '@spoor/model';
import { createApp } from '../api/app.js';
import { hostChecker } from '../api/host-check.js';
import { defaultWebUiDir, loadWebUi } from '../api/web-ui.js';
import { AccessControl } from '../auth/access-control.js';
import { KeyRing } from '../auth/key-ring.js';
import { OidcSignIn } from '../auth/oidc-sign-in.js';
import { type ServeConfig, checkBinding } from '../config.js';
import { DbThread } from '../dbthread/db-client.js';
import { AppError } from '../errors.js';
import { DecodeThread } from '../ingest/decode-client.js';
import { type AcceptedRequest, backPressureLogged } from '../ingest/export.js';
import type { GrpcReceiver } from '../ingest/grpc.js';
import { maskingPolicyProblem } from '../ingest/masking.js';
import { type DiskReserve, diskReserveOf } from '../pipeline/disk-reserve.js';
import { IngestQueue } from '../pipeline/ingest-queue.js';
import { quarantineIdOf } from '../pipeline/quarantine.js';
import { Spool } from '../pipeline/spool.js';
import { lagGauges } from '../quality/completion.js';
import { EvaluatorService } from '../quality/evaluator-service.js';
import { loadEvaluatorsFile } from '../quality/evaluators-file.js';
import { createLlmJudgeKind } from '../quality/judge.js';
import { anyKind, kindsOf } from '../quality/spec.js';
import { PriceBooks } from '../pricing/price-books.js';
import { DEMO_PROVIDER, Replayer, loadRecorder } from '../replay/replayer.js';
import { ExperimentService } from '../quality/experiment-service.js';
import { serverShares } from '../shares.js';
import { SelfMetrics, createIngestMetrics } from '../self-metrics.js';
import { readMaskFile, readPriceTable, serverIdOf } from './files.js';
import { setRegexLimits } from '../regex.js';
import { ProjectAlerting } from './project-alerting.js';
import { type OwnEvent, ownEventBody } from '../ingest/own-events.js';
import { quarantineAccess, resubmitter } from './resubmit.js';
import { serverMetrics, watchIngestQueue } from './server-metrics.js';
import { LiveHub } from '../live/hub.js';
import { forwardLoopProblem, machineAddresses } from '../forward/destinations.js';
import { ForwardThread, forwardingMasking } from '../forward/forward-client.js';
import { SamplingService } from '../sampling/service.js';
import { readSamplingFile } from './files.js';
import { IngestLoad } from './ingest-load.js';

/**
 * How soon a key revoked elsewhere (another server, the command line) stops working here. On
 * DuckDB nothing else writes the file: the store answers from the keys it read last until it
 * writes them (`store/duckdb/kept-lists.ts`), so these reads cost no statement.
 */
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
 * store's last commit, and applies retention), then serves HTTP until `close()`. The order is the
 * runtime picture's: the decode thread, the database thread (its replay and retention), keys,
 * masking policies, alerting, the spool's queue, then the app and the ports.
 */
export async function startServer(config: ServeConfig): Promise<RunningServer> {
  const spoolDir = join(config.dataDir, 'spool');
  const quarantineDir = join(config.dataDir, 'quarantine');
  await mkdir(spoolDir, { recursive: true });
  // A DuckDB file on the spool's disk: when it lacks room, so does the spool, and requests are
  // refused (not spooled) until the store commits again, or they would take the room it needs.
  const storeOnSpoolDisk = config.store.kind === 'duckdb' && statSync(dirname(config.store.path)).dev === statSync(spoolDir).dev;
  let storeNoRoom = false;
  let storeLacksSpace = false;
  const selfMetrics = new SelfMetrics();
  const ingestMetrics = createIngestMetrics(selfMetrics);
  let quarantinedSinceStart = 0;
  const metrics = serverMetrics(selfMetrics, {
    quarantineDir,
    dbPath: config.store.kind === 'duckdb' ? config.store.path : null,
    storeHealthy: () => storeHealthy,
  });
  let ready = true;
  let storeHealthy = true;
  let app: FastifyInstance | null = null;
  let queue: IngestQueue | null = null;
  let grpc: GrpcReceiver | null = null;
  let forward: ForwardThread | null = null;
  let threadFailed = false;
  let reportFailure: (error: Error) => void = () => {};
  // Live streams read what each commit brought; made once the database thread answers.
  let live: LiveHub | null = null;
  const failed = new Promise<Error>((resolve) => (reportFailure = resolve));

  // The app's logger from the start: the database thread and alerting log before the app exists.
  // Logs go to stderr, so stdout carries only the start-up line (and what a user asked for).
  const log = pino({ level: config.logLevel }, process.stderr);
  if (config.auth === 'off') {
    log.warn({ host: config.host }, `authentication is off: anyone who can reach ${config.host}:${config.port} can read every trace, prompt and log, and change prices, alert rules and silences`);
  }
  // Before any pattern is compiled or thread started: each thread takes the limits as it starts.
  setRegexLimits(config.regexLimits);
  const prices = config.pricesFile === null ? null : await readPriceTable(config.pricesFile);
  const maskFile = config.maskFile === null ? null : await readMaskFile(config.maskFile);
  // The judges' books, kept current as the decode thread's are, so a judge's call is priced as its span is.
  const judgeBooks = new PriceBooks(prices);
  // A judge's own call is a trace, ingested like a replay's: through `resubmit`, once the queue runs.
  let judgeIngest: ((projectId: string, body: Uint8Array) => Promise<void>) | null = null;
  // Spoor's own events (an evaluator paused by its budget) are log records of the project, ingested the same way.
  let ownEvents: ((projectId: string, event: OwnEvent) => void) | null = null;
  const shares = serverShares(config.shares, selfMetrics);
  const evaluatorKinds = kindsOf([
    anyKind(
      createLlmJudgeKind({
        providers: [...config.providers, DEMO_PROVIDER],
        ingest: (projectId, body) => (judgeIngest === null ? Promise.reject(new Error('the server is still starting')) : judgeIngest(projectId, body)),
        priceBookFor: (projectId) => judgeBooks.bookFor(projectId),
        providerCalls: shares.providerCalls,
      }),
    ),
  ]);
  // Checked whole before anything starts: a bad file stops the start with its line and field.
  const evaluatorSpecs = config.evaluatorsFile === null ? [] : await loadEvaluatorsFile(config.evaluatorsFile, evaluatorKinds);
  // A bad --sampling file stops the start, naming what is wrong.
  const samplingFile = config.samplingFile === null ? null : await readSamplingFile(config.samplingFile);
  const serverId = await serverIdOf(config.dataDir);
  // Bodies are decoded, normalized and priced (with the books the database thread keeps current)
  // on a thread of their own; span metrics count there as requests are acknowledged.
  const decoder = await DecodeThread.start(prices, (error) => {
    ready = false;
    log.fatal({ err: error }, 'the decode thread failed; acknowledged data is in the spool and is replayed on restart');
    reportFailure(error);
  }, maskFile, config.metricsMaxSeries);
  const load = new IngestLoad(() => decoder.loopTime(), () => queue?.waitingSeconds() ?? 0);
  // Evaluators judge a quarter of their rounds, and tail sampling reads once a round, while busy.
  const ingestBusy = (): boolean => load.busy();
  const started = await DbThread.start(
    { store: config.store, spoolDir, quarantineDir, serverId, retention: config.retention, prices, maskFile, staleAfterMs: config.staleAfterMs, treePageSpans: config.treePageSpans },
    {
      prices: (projectId, models) => {
        decoder.setPrices(projectId, models);
        judgeBooks.setApiPrices(projectId, models);
      },
      storeHealth: (healthy, noSpace) => {
        storeHealthy = healthy;
        storeNoRoom = noSpace && storeOnSpoolDisk;
        storeLacksSpace = noSpace;
        queue?.setStoreHealthy(healthy, storeNoRoom, noSpace);
        if (storeNoRoom) log.warn({}, 'the store cannot commit for lack of space on the data directory\'s disk; requests are refused (503) until it commits again');
        else if (!healthy) log.warn({}, 'the store does not take commits; requests are acknowledged into the spool until it does (--spool-max)');
        if (healthy) log.info({}, 'the store takes commits again; what was acknowledged meanwhile is being committed from the spool');
      },
      damaged: (segment, offset, bytes) => {
        metrics.damagedBytes({}, bytes);
        log.error(
          { segment, offset, bytes, kept: join(quarantineDir, `${quarantineIdOf({ segment, offset })}.damaged`) },
          'the spool holds a damaged stretch: whatever acknowledged request it held is lost; the entries after it were replayed',
        );
      },
      quarantined: (id, reason) => {
        metrics.quarantined({});
        quarantinedSinceStart++;
        // Loud on purpose: acknowledged data is waiting for someone to look at it.
        log.error({ id, ...reason, quarantineDir }, 'the store kept refusing an acknowledged request: moved it to the quarantine (see GET /api/quarantine; spoor spool replay-quarantine)');
      },
      committed: (seq, position, _records, commitMs) => {
        metrics.commitSeconds(commitMs / 1000);
        queue?.committed(seq, position);
        live?.wake();
      },
      log: (level, message, data) => {
        if (level === 'error' && message.startsWith('a commit failed')) metrics.commitFailures({});
        log[level](data, message);
      },
      failed: (error) => {
        ready = false;
        threadFailed = true;
        log.fatal({ err: error }, 'the database thread failed; acknowledged data is in the spool and is replayed on restart');
        reportFailure(error);
      },
    },
  ).catch(async (error: unknown) => {
    load.close();
    await decoder.close();
    throw error;
  });
  const { thread, replayed, committedSegment, retention, recentSpans } = started;
  live = new LiveHub({
    db: thread.calls,
    // Servers sharing a ClickHouse commit without telling this one: it asks every second while anyone watches.
    shared: config.store.kind === 'clickhouse',
    // When a watched run's running spans become abandoned, by the reads' rule.
    staleAfterMs: config.staleAfterMs,
    ...config.live,
    onError: (error) => log.warn({ err: error }, 'a live stream read failed; it is read again at the next commit'),
  });
  const liveHub = live;
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
  let reserve: DiskReserve | null = null;
  let ring: KeyRing | null = null;
  let evaluators: EvaluatorService | null = null;
  let experiments: ExperimentService | null = null;
  let sampling: SamplingService | null = null;
  const alerting = new ProjectAlerting({ db: thread.calls, config, log, externalUrl: () => config.externalUrl ?? url });
  let url = '';
  try {
    ring = await KeyRing.start(() => thread.calls.listKeys(), {
      refreshMs: KEY_REFRESH_MS,
      onError: (error) => log.warn({ err: error }, 'could not read the keys again; the keys read before stay in force'),
    });
    // A server with single sign-on requires a key or a person signed in from the start: it may bind beyond loopback.
    checkBinding(config, ring.any || config.oidc !== undefined);
    // Policies set through the API, over the --mask file's, for the requests decoded from now on.
    const maskingPolicies = await thread.calls.listMaskingPolicies();
    for (const { projectId, policy } of maskingPolicies) {
      const problem = maskingPolicyProblem(policy);
      // Its project's requests are refused (503) until it is set again: see ProjectMasking.
      if (problem !== null) log.error({ projectId }, `the masking policy of project '${projectId}' cannot be used (${problem}); its requests are refused until it is set again`);
      decoder.setMasking(projectId, policy);
    }
    const sessionSecret = await thread.calls.sessionSecret();
    // Single sign-on (auth/oidc-*.ts): the provider is discovered in the background; start does not wait on it.
    const signIn = config.oidc === undefined ? null : new OidcSignIn(config.oidc, { secret: sessionSecret, onWarning: (message, error) => log.warn({ err: error }, message) });
    signIn?.configuration().then(
      () => log.info({ issuer: signIn.config.issuer }, `single sign-on through ${signIn.config.providerName}`),
      (error: Error) => log.error({ issuer: signIn.config.issuer }, `${error.message}; keys still work, and signing in asks the provider again`),
    );
    const access = new AccessControl({
      // With single sign-on, a person signs in from the start: as --auth required.
      mode: signIn !== null && config.auth === 'auto' ? 'required' : config.auth,
      oidcFingerprint: config.oidc?.fingerprint ?? null,
      ring,
      sessionSecret,
      metricsToken: config.metricsToken,
      ratePerSecond: config.rateLimit,
      onFailedAttempt: (outcome, detail) => {
        metrics.failedAttempts({ outcome });
        // One line a second at most: a search sends thousands of keys a second.
        if (outcome === 'limited' && backPressureLogged.shouldLog('ERR_KEY_SEARCH')) {
          log.warn(detail, 'refusing keys unheard: too many keys that are not valid came from this address, or for this key id');
        }
      },
    });
    // Default alert rules: the projects keys name are the ones given the defaults,
    // and one whose first key is made later starts (and is seeded) within a key refresh.
    const keyRing = ring;
    alerting.follow(() => keyRing.projects(), KEY_REFRESH_MS);
    const alerts = await alerting.of(DEFAULT_PROJECT_ID);
    // Projects with keys evaluate their rules from the start, not from their first request.
    for (const projectId of ring.projects()) await alerting.of(projectId);
    const evaluatorRuns = selfMetrics.counter('spoor_evaluator_runs_total', 'Evaluator judgements, by evaluator and outcome (ok: a score made, error, not_applicable: nothing to judge).');
    // Judged on this thread, off the ingest path: its reads and writes are calls to the database thread.
    const runningEvaluators = await EvaluatorService.start(
      {
        db: thread.calls,
        kinds: evaluatorKinds,
        serverId,
        traceQuietMs: config.traceQuietMs,
        fileSpecs: evaluatorSpecs,
        // Counted on /metrics as the scores of ingest and the API are.
        onScores: (scores) => decoder.countScores(scores),
        onRun: (evaluator, outcome) => evaluatorRuns({ evaluator, outcome }),
        onPaused: (projectId, evaluator, reason) =>
          ownEvents?.(projectId, {
            name: 'spoor.evaluator.paused', severity: 'warn', body: `evaluator ${evaluator} paused: ${reason}`,
            attributes: { 'spoor.evaluator.name': evaluator, 'spoor.evaluator.reason': reason }, timeUs: Date.now() * 1000,
          }),
        onError: (message, data) => log.error(data, message),
        runner: { ingestBusy, staleAfterMs: config.staleAfterMs },
      },
      [DEFAULT_PROJECT_ID, ...ring.projects()],
    );
    evaluators = runningEvaluators;
    lagGauges(selfMetrics, 'evaluator', 'the evaluators (the slowest of each project)', () => runningEvaluators.lags());
    selfMetrics.gaugeSeries('spoor_evaluator_paused', 'Whether an evaluator is paused (1: by hand or its daily budget spent) or active (0).', () =>
      runningEvaluators.pausedStates().map(({ projectId, evaluator, paused }) => ({ labels: { project: projectId, evaluator }, value: paused ? 1 : 0 })),
    );
    // Tail sampling: each project's runner decides its complete traces under
    // the project's sampling lease, on the database thread, off the ingest path.
    const sampledOut = selfMetrics.counter('spoor_traces_sampled_out_total', 'Traces tail sampling did not keep whole (slimmed), by project.');
    const keptWhole = selfMetrics.counter('spoor_traces_kept_total', 'Traces tail sampling kept whole, by project and the rule that kept them (errors, slow, cost, score, filter, rate).');
    const ringNow = ring;
    sampling = await SamplingService.start({
      db: thread.calls,
      serverId,
      traceQuietMs: config.traceQuietMs,
      staleAfterMs: config.staleAfterMs,
      runner: { ingestBusy },
      ingestIdle: () => load.idle(),
      file: samplingFile,
      projects: () => [DEFAULT_PROJECT_ID, ...ringNow.projects()],
      onDecided: (project, outcome) => {
        for (const [reason, n] of Object.entries(outcome.decided)) {
          if (reason === 'sampled_out') sampledOut({ project }, n);
          else keptWhole({ project, reason }, n);
        }
      },
      onError: (message, data) => log.error(data, message),
    });
    const runningSampling = sampling;
    // How far behind each runner is, so a lag is seen before it is a loss (by project: projects are the keys' few).
    lagGauges(selfMetrics, 'sampling', 'tail sampling', () => runningSampling.lags());
    spool = await Spool.open(spoolDir, {}, committedSegment);
    // Forwarding: the forward thread follows the spool; the spool keeps what it
    // has not sent (up to --forward-spool-max) past the store's commits. Set before any commit.
    if (config.forward.length > 0) {
      const started = await ForwardThread.start(
        { spoolDir, positionsDir: join(config.dataDir, 'forward'), destinations: config.forward, capBytes: config.forwardSpoolMaxBytes, maskFile, policies: maskingPolicies, tail: spool.durableEnd() },
        { selfMetrics, log: (level, message, data) => log[level](data, message) },
      );
      forward = started;
      spool.hold(() => started.hold());
      spool.onDurable((end) => started.tail(end));
    }
    reserve = diskReserveOf(spoolDir, config.diskReserveBytes, storeOnSpoolDisk && config.store.kind === 'duckdb' ? config.store.path : null, (error) => log.warn({ err: error }, "free space on the data directory's disk could not be read"));
    queue = new IngestQueue(spool, thread, { maxSpoolBytes: config.spoolMaxBytes, onSpilled: (reason) => metrics.spilledRequests({ reason }), ...(reserve === null ? {} : { reserve }) });
    queue.startAfter(replayed);
    queue.setStoreHealthy(storeHealthy, storeNoRoom, storeLacksSpace);
    const ingest = queue;
    watchIngestQueue(selfMetrics, ingest, load);
    const webUiDir = config.webUiDir === undefined ? defaultWebUiDir() : config.webUiDir;
    const webUi = webUiDir === null ? null : await loadWebUi(webUiDir);
    const resubmit = resubmitter(decoder, ingest);
    const ingestTrace = async (projectId: string, body: Uint8Array): Promise<void> => {
      await resubmit({ signal: 'traces', encoding: 'protobuf', body, projectId, receivedUs: Date.now() * 1000 });
    };
    const replayer = new Replayer([...config.providers, DEMO_PROVIDER], ingestTrace, shares.providerCalls);
    experiments = new ExperimentService({
      db: thread.calls,
      evaluators: (projectId, names) => runningEvaluators.forExperiment(projectId, names),
      replayer,
      visible: () => ingest.whenVisible(),
      onError: (message, data) => log.error(data, message),
      running: shares.experiments,
    });
    // A DuckDB store has one server: an LLM-call experiment still running in it was left by a crash.
    if (config.store.kind === 'duckdb') {
      const orphans = await experiments.failOrphans([DEFAULT_PROJECT_ID, ...ring.projects()]);
      if (orphans > 0) log.warn({ experiments: orphans }, 'marked failed the LLM-call experiments a stop before had left running');
    }
    judgeIngest = ingestTrace;
    ownEvents = (projectId, event) => {
      resubmit({ signal: 'logs', encoding: 'json', body: ownEventBody(event), projectId, receivedUs: event.timeUs }).catch((error: unknown) =>
        log.error({ err: error, event: event.name }, "one of Spoor's own events could not be stored"),
      );
    };
    const accept = async ({ signal, encoding, projectId, receivedUs, body, batch, fromBody }: AcceptedRequest): Promise<void> => {
      // Requests already in flight when a shutdown starts still complete; a dead database thread
      // would never commit what is accepted, so then nothing is.
      if (threadFailed) throw new AppError('ERR_STORE_UNAVAILABLE', 'the store is unavailable; retry later', { retryAfterSeconds: 1 });
      await ingest.submit({ signal, encoding, projectId, receivedUs, body }, batch, fromBody);
    };
    app = await createApp({
      webUi,
      replayer,
      maskFile,
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
      visible: () => ingest.whenVisible(),
      quarantine: quarantineAccess(quarantineDir, resubmit, ingest, () => quarantinedSinceStart),
      selfMetrics,
      ingestMetrics,
      maxBodyBytes: config.maxBodyBytes,
      isReady: () => ready,
      hostAllowed: hostChecker(config),
      // Not ready either while requests are refused until what a lack of room held up is committed.
      storeHealthy: () => storeHealthy && !ingest.refusesForRoom(),
      logger: log,
      live: liveHub,
      signIn,
      exports: shares.exports,
      scoreWrites: shares.scoreWrites,
    });
    if (replayed > 0) app.log.info({ requests: replayed }, 'replayed acknowledged requests from the spool');
    logRetention(app, retention);
    await app.listen({ host: config.host, port: config.port });
    // A server that can replay or judge (it has a --provider) loads what records those calls now,
    // not in the middle of its first one, where loading held up requests for some 200 ms. A
    // failure here is reported by that call.
    if (config.providers.length > 0) loadRecorder();
    if (config.grpcPort !== null) {
      // Loaded only for a server that takes OTLP/gRPC (`@grpc/grpc-js`, some 0.1 s to load).
      const { startGrpcReceiver } = await import('../ingest/grpc.js');
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
    if (forward !== null) {
      // Port 0 is known only now: a destination that is this server would get back what it forwards.
      const address = app.server.address();
      const ports = [typeof address === 'object' && address !== null ? address.port : config.port, grpc?.port ?? 0].filter((p) => p > 0);
      for (const destination of config.forward) {
        const problem = forwardLoopProblem(destination, { host: config.host, ports, interfaces: machineAddresses() });
        if (problem !== null) throw new Error(problem);
      }
      forward.start();
    }
  } catch (error) {
    await grpc?.close();
    await app?.close();
    await forward?.close();
    await experiments?.close();
    await alerting.close();
    await evaluators?.close();
    await sampling?.close();
    ring?.close();
    load.close();
    reserve?.close();
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
  const forwarding = forward;

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
        // What a destination has not received stays in the spool, from its position on disk.
        await forwarding?.close();
        // Experiments running here stop (recorded as failed) while their calls can still be stored.
        await experiments?.close();
        load.close();
        reserve?.close();
        await decoder.close();
        keys.close();
        // Notifications already decided are delivered (or given up on) and recorded before the store closes.
        await alerting.close();
        await evaluators?.close();
        await sampling?.close();
        // With the database thread gone nothing more commits; the spool keeps what was acknowledged.
        try {
          if (!threadFailed) await ingest.close();
          if (!ingest.allCommitted()) log.warn({ spoolBytes: ingest.spoolBytes() }, 'stopping with acknowledged requests not committed for lack of space: they stay in the spool and are committed at the next start');
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
