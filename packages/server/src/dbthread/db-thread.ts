import { parentPort } from 'node:worker_threads';
import { ProjectMasking, storedMaskingPolicy } from '../ingest/masking.js';
import { MaskingTimeline } from '../ingest/masking-timeline.js';
import { CommitLoop } from '../pipeline/commit-loop.js';
import { isLackOfSpace } from '../pipeline/lack-of-space.js';
import { RUNNING_SWEEP_INTERVAL_MS, scheduleRetention, scheduleRunningSweep } from '../pipeline/retention.js';
import { openStore } from './open-store.js';
import { DEFAULT_PROJECT_ID } from '@spoor/model';
import { PriceService } from '../pricing/price-service.js';
import { RECENT_SPANS_PER_PROJECT } from '../ingest/recent-spans.js';
import { ThreadServer, threadConfig } from '../threads/server.js';
import { DB_TRANSFERS, createDbCalls } from './calls.js';
import { readBackDecoder } from './read-back-decode.js';
import { StallWatch } from './stall-watch.js';
import { CheckpointSchedule } from './checkpoints.js';
import type { DbProtocol } from './protocol.js';

/**
 * The database thread: owns the store, commits the batches the receiver decoded (and decodes
 * spooled entries itself when it reads them back), and answers the calls of its registry (a
 * query's JSON written here), so none of that competes with HTTP on the main thread's event loop.
 */
const port = parentPort!;
const config = threadConfig<DbProtocol>();
const thread = new ThreadServer<DbProtocol>(port, DB_TRANSFERS);

/** How long retention's run at start may hold the port closed before the server listens with it still running. */
const RETENTION_HOLDS_START_MS = 5_000;

async function start(): Promise<void> {
  const { store, where, foundVersion, schemaVersion, ping, checkpoints, recordsPerCommit, wholeRecords } = await openStore(
    config.store,
    config.retention,
    (error) => thread.emit('log', 'error', 'the store does not answer; trying again in 2 s (for up to a minute)', { error: error.message }),
  );
  const pricing = new PriceService(store.prices, config.prices, Date.now, (projectId, models) => thread.emit('prices', projectId, models));
  await pricing.load([DEFAULT_PROJECT_ID]);
  // Scores and dataset items sent through the API are masked by each project's policy now.
  const masking = new ProjectMasking(config.maskFile ?? null);
  const stored = (await store.masking.listPolicies()).map((p) => ({ projectId: p.projectId, policy: storedMaskingPolicy(p.policy) }));
  for (const { projectId, policy } of stored) masking.set(projectId, policy);
  // Entries read back from the spool, by the policy in force when each was received and every one since.
  const readBackMasking = new MaskingTimeline(config.maskFile ?? null, stored);
  // Whether the store takes commits (the last one succeeded, and a store over the network
  // answers): the HTTP thread's /ready says so, and ingest spools without holding batches while not.
  // And whether the last failure was for lack of space: ingest then refuses requests rather than
  // spool them, when the spool's disk is the one that is full.
  let storeHealthy = true;
  let commitFailing = false;
  let reachable = true;
  let noSpace = false;
  let reportedNoSpace = false;
  const reportHealth = (): void => {
    const healthy = reachable && !commitFailing;
    const lacking = !healthy && noSpace;
    if (healthy !== storeHealthy || lacking !== reportedNoSpace) thread.emit('storeHealth', (storeHealthy = healthy), (reportedNoSpace = lacking));
  };
  // What held the commits, each second none finished while records waited (BENCHMARKS.md: stalls on a filled store).
  const stalls = new StallWatch({
    dbPath: config.store.kind === 'duckdb' ? config.store.path : null,
    waiting: (): number => loop.waitingEntries(),
    waitingSince: (): number => loop.waitingSince(),
    lingering: (): boolean => loop.lingering(),
    emit: (marker) => thread.emit('stall', marker),
  });
  const schedule =
    config.store.kind === 'duckdb' && checkpoints?.run
      ? new CheckpointSchedule({
          dbPath: config.store.path,
          bytes: checkpoints.bytes,
          run: checkpoints.run,
          backlog: (): number => loop.queuedEntries(),
          onRun: (done) => {
            stalls.checkpoint(done);
            const began = performance.now();
            // A refused checkpoint (another write in progress) returns at once: timing it would hide how long checkpoints hold.
            void done.then((checkpointed) => checkpointed && thread.emit('checkpointed', performance.now() - began));
          },
          onError: (error) => {
            // An update in progress elsewhere (a status, a slim) makes DuckDB refuse: the next commit or second tries again.
            if (/other write transactions active/.test(String(error))) return;
            thread.emit('log', 'error', 'a checkpoint failed; it is tried again at the next commit', { error: String(error) });
          },
        })
      : null;
  const loop = new CommitLoop(stalls.watchWriter(store.writer), {
    spoolDir: config.spoolDir,
    serverId: config.serverId,
    decode: readBackDecoder(pricing, readBackMasking),
    maxRecordsPerCommit: config.maxRecordsPerCommit ?? recordsPerCommit,
    lingerMs: config.lingerMs,
    wholeRecords,
    onCommit: (seq, position, records, commitMs) => {
      commitFailing = false;
      reachable = true;
      reportHealth();
      thread.emit('committed', seq, position, records, commitMs);
      schedule?.consider();
    },
    quarantineDir: config.quarantineDir,
    onQuarantine: (id, reason) => thread.emit('quarantined', id, reason),
    onDamaged: (segment, offset, bytes) => thread.emit('damaged', segment, offset, bytes),
    onError: (error, records) => {
      commitFailing = true;
      noSpace = isLackOfSpace(error);
      reportHealth();
      thread.emit('log', 'error', 'a commit failed; its records will be read back from the spool and retried', { error: String(error), records });
    },
  });
  const calls = stalls.watchCalls(
    createDbCalls(store, pricing, masking, { staleAfterMs: config.staleAfterMs, treePageSpans: config.treePageSpans, readBackMasking }),
  );
  const replayed = await loop.replay();
  stalls.start();
  schedule?.start();
  // Retention runs at start, holding the port for at most `RETENTION_HOLDS_START_MS`: a small store's
  // run ends long before, so nothing expired is ever shown; a day of a big store's takes longer, and
  // goes on beside ingest and reads once the server listens (BENCHMARKS.md).
  const retention = scheduleRetention(
    store.retention,
    config.retention,
    (results, error, ms) => thread.emit('retained', results === null ? { error: String(error) } : { results }, ms),
    { runNow: true },
  );
  let held: NodeJS.Timeout | undefined;
  await Promise.race([retention.first, new Promise((resolve) => (held = setTimeout(resolve, RETENTION_HOLDS_START_MS)))]);
  clearTimeout(held);

  // Running snapshots that a later one or the ended span replaced; reads hide them meanwhile.
  const stopSweep = scheduleRunningSweep(store.runningSpans, config.sweepIntervalMs ?? RUNNING_SWEEP_INTERVAL_MS, (error) =>
    thread.emit('log', 'error', 'the sweep of running spans failed; it will run again', { error: String(error) }),
  );

  // A store over the network can go away while nothing is written: asked every second, so /ready
  // tells within a second or two, and says ready again once it answers (and no commit is failing).
  const pinger =
    ping === undefined
      ? null
      : setInterval(() => {
          void ping().then((answers) => {
            reachable = answers;
            reportHealth();
          });
        }, 1000);
  pinger?.unref();

  thread.serve({
    calls: {
      ...calls,
      commitUpTo: (seq) => loop.commitUpTo(seq),
      close: async () => {
        await retention.stop();
        stopSweep();
        stalls.stop();
        await schedule?.stop();
        if (pinger !== null) clearInterval(pinger);
        try {
          await loop.close();
          await store.close();
        } catch (error) {
          // A checkpoint at close that finds no room: what was committed is in the write-ahead log,
          // what was not is in the spool, and the next start replays both. No reason to fail a stop.
          if (!isLackOfSpace(error)) throw error;
          thread.emit('log', 'warn', 'the store closed without its checkpoint, for lack of space; the next start replays its write-ahead log and the spool', {
            error: String(error),
          });
        } finally {
          // After the answer is sent (it is sent once this call settles): then nothing holds the thread.
          setImmediate(() => port.close());
        }
      },
    },
    posts: { batch: (batch, position, seq) => loop.push(batch, position, seq) },
  });
  // What a client may send again after this restart: the spans stored last (those replayed among them).
  const recentSpans = await store.traces.recentSpanIds(RECENT_SPANS_PER_PROJECT);
  thread.emit('ready', { replayed, committedSegment: loop.committedSegment(), recentSpans, store: { where, foundVersion, schemaVersion } });
}

start().catch((error: Error) => thread.emit('startFailed', error.message));
