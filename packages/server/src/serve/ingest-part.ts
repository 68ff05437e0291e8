import { join } from 'node:path';
import type { DbThread } from '../dbthread/db-client.js';
import { AppError } from '../errors.js';
import { ForwardThread } from '../forward/forward-client.js';
import type { DecodeThread } from '../ingest/decode-client.js';
import type { AcceptedRequest } from '../ingest/export.js';
import { type OwnEvent, ownEventBody } from '../ingest/own-events.js';
import { diskReserveOf } from '../pipeline/disk-reserve.js';
import { IngestQueue } from '../pipeline/ingest-queue.js';
import { Spool } from '../pipeline/spool.js';
import type { JudgeIngest, ServeBase } from './base.js';
import { IngestLoad } from './ingest-load.js';
import type { Lifecycle } from '../parts/lifecycle.js';
import type { Part } from '../parts/part.js';
import { resubmitter } from './resubmit.js';
import { watchIngestQueue } from './server-metrics.js';

/**
 * The spool and what follows it: the forward thread (made here, sending once the receivers have
 * bound their ports), the disk reserve, and the ingest queue that spools acknowledged requests and
 * commits them through the database thread. Started before anything that ingests on its own (a
 * judge's call, an experiment's, Spoor's own events), so those close before it: what they hand
 * in while the server stops is still spooled and committed.
 */
interface IngestNeeds {
  thread: DbThread;
  decoder: DecodeThread;
  /** Requests the database thread replayed from the spool at its start. */
  replayed: number;
  committedSegment: number;
  maskingPolicies: Awaited<ReturnType<DbThread['calls']['masking']['list']>>;
}

export async function startIngest(life: Lifecycle, base: ServeBase, { thread, decoder, replayed, committedSegment, maskingPolicies }: IngestNeeds) {
  const { config, log, state, spoolDir } = base;
  const spool = await life.start(
    'the spool',
    () => Spool.open(spoolDir, {}, committedSegment),
    (opened) => opened.close(),
  );
  // Forwarding: the forward thread follows the spool; the spool keeps what it has not sent (up
  // to --forward-spool-max) past the store's commits. Set before any commit.
  const forward =
    config.forward.length === 0
      ? null
      : await life.start(
          'the forward thread',
          () =>
            ForwardThread.start(
              {
                spoolDir,
                positionsDir: join(config.dataDir, 'forward'),
                destinations: config.forward,
                capBytes: config.forwardSpoolMaxBytes,
                maskFile: base.maskFile,
                policies: maskingPolicies,
                tail: spool.durableEnd(),
              },
              { selfMetrics: base.selfMetrics, log: (level, message, data) => log[level](data, message) },
            ),
          // What a destination has not received stays in the spool, from its position on disk.
          (started) => started.close(),
        );
  if (forward !== null) {
    spool.hold(() => forward.hold());
    spool.onDurable((end) => forward.tail(end));
  }
  const storeFile = base.storeOnSpoolDisk && config.store.kind === 'duckdb' ? config.store.path : null;
  const reserve = diskReserveOf(spoolDir, config.diskReserveBytes, storeFile, (error) =>
    log.warn({ err: error }, "free space on the data directory's disk could not be read"),
  );
  if (reserve !== null) life.defer('the disk reserve', () => reserve.close());
  const queue = await life.start(
    'the ingest queue',
    () => {
      const made = new IngestQueue(spool, thread, {
        maxSpoolBytes: config.spoolMaxBytes,
        onSpilled: (reason) => base.metrics.spilledRequests({ reason }),
        ...(reserve === null ? {} : { reserve }),
      });
      made.startAfter(replayed);
      state.followStoreHealth(({ healthy, noRoom, lacksSpace }) => made.setStoreHealthy(healthy, noRoom, lacksSpace));
      state.followCommits((seq, position) => made.committed(seq, position));
      return made;
    },
    async (ingest) => {
      // With the database thread gone nothing more commits; the spool keeps what was acknowledged.
      if (!state.threadFailed) await ingest.close();
      if (!ingest.allCommitted())
        log.warn(
          { spoolBytes: ingest.spoolBytes() },
          'stopping with acknowledged requests not committed for lack of space: they stay in the spool and are committed at the next start',
        );
    },
  );
  const load = await life.start(
    'the ingest load',
    () =>
      new IngestLoad(
        () => decoder.loopTime(),
        () => queue.waitingSeconds(),
      ),
    (made) => made.close(),
  );
  watchIngestQueue(base.selfMetrics, queue, load);
  const resubmit = resubmitter(decoder, queue);
  // A replay's or a judge's own call is a trace, ingested as the receivers take one.
  const ingestTrace: JudgeIngest = async (projectId, body) => {
    await resubmit({ signal: 'traces', encoding: 'protobuf', body, projectId, receivedUs: Date.now() * 1000 });
  };
  // Spoor's own events (an evaluator paused by its budget) are log records of the project, ingested the same way.
  const ownEvent = (projectId: string, event: OwnEvent): void => {
    resubmit({ signal: 'logs', encoding: 'json', body: ownEventBody(event), projectId, receivedUs: event.timeUs }).catch((error: unknown) =>
      log.error({ err: error, event: event.name }, "one of Spoor's own events could not be stored"),
    );
  };
  const accept = async ({ signal, encoding, projectId, receivedUs, body, batch, fromBody }: AcceptedRequest): Promise<void> => {
    // Requests already in flight when a shutdown starts still complete; a dead database thread
    // would never commit what is accepted, so then nothing is.
    if (state.threadFailed) throw new AppError('ERR_STORE_UNAVAILABLE', 'the store is unavailable; retry later', { retryAfterSeconds: 1 });
    await queue.submit({ signal, encoding, projectId, receivedUs, body }, batch, fromBody);
  };
  return { queue, load, forward, resubmit, ingestTrace, ownEvent, accept };
}

export const ingestPart: Part<ServeBase & IngestNeeds, Awaited<ReturnType<typeof startIngest>>> = {
  name: 'ingest',
  start: (life, have) => startIngest(life, have, have),
};
