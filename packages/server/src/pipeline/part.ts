import type { Logger } from 'pino';
import type { ServeConfig } from '../config.js';
import type { Lifecycle } from '../parts/lifecycle.js';
import type { Part } from '../parts/part.js';
import type { ServerState } from '../parts/server-state.js';
import type { SelfMetrics } from '../self-metrics.js';
import { diskReserveOf } from './disk-reserve.js';
import { IngestLoad, type LoopTime } from './ingest-load.js';
import { type CommitSink, IngestQueue, type SpillReason } from './ingest-queue.js';
import { Spool } from './spool.js';

/**
 * The spool and the ingest queue: what ingest acknowledges is in the spool before the answer, and
 * committed from it through the database thread. Two parts, so that forwarding (which follows the
 * spool, and must hold its segments from before the first commit) starts between them. Both start
 * before anything that ingests on its own (a judge's call, an experiment's, Spoor's own events), so
 * those close before them: what they hand in while the server stops is still spooled and committed.
 */

/** The spool, reopened after the segment the store committed last. */
export const spoolPart: Part<{ spoolDir: string; committedSegment: number }, { spool: Spool }> = {
  name: 'spool',
  start: async (life, { spoolDir, committedSegment }) => ({
    spool: await life.start(
      'the spool',
      () => Spool.open(spoolDir, {}, committedSegment),
      (opened) => opened.close(),
    ),
  }),
};

/** What the ingest queue needs of the parts before it. */
export interface QueueNeeds {
  config: Pick<ServeConfig, 'store' | 'diskReserveBytes' | 'spoolMaxBytes'>;
  log: Logger;
  state: ServerState;
  selfMetrics: SelfMetrics;
  metrics: { spilledRequests: (labels: { reason: SpillReason }) => void };
  spoolDir: string;
  storeOnSpoolDisk: boolean;
  spool: Spool;
  /** The database thread, which commits what the queue hands it. */
  thread: CommitSink;
  /** Requests the database thread replayed from the spool at its start. */
  replayed: number;
  /** The decode thread's event-loop time: ingest's load. */
  decoder: { loopTime: () => LoopTime };
}

/** The disk reserve, the ingest queue over the spool, and ingest's load, which the work that yields to ingest reads. */
export async function startQueue(life: Lifecycle, needs: QueueNeeds) {
  const { config, log, state, spool, spoolDir } = needs;
  const storeFile = needs.storeOnSpoolDisk && config.store.kind === 'duckdb' ? config.store.path : null;
  const reserve = diskReserveOf(spoolDir, config.diskReserveBytes, storeFile, (error) =>
    log.warn({ err: error }, "free space on the data directory's disk could not be read"),
  );
  if (reserve !== null) life.defer('the disk reserve', () => reserve.close());
  const queue = await life.start(
    'the ingest queue',
    () => {
      const made = new IngestQueue(spool, needs.thread, {
        maxSpoolBytes: config.spoolMaxBytes,
        onSpilled: (reason) => needs.metrics.spilledRequests({ reason }),
        ...(reserve === null ? {} : { reserve }),
      });
      made.startAfter(needs.replayed);
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
        () => needs.decoder.loopTime(),
        () => queue.waitingSeconds(),
      ),
    (made) => made.close(),
  );
  watchIngestQueue(needs.selfMetrics, queue, load);
  return { queue, load };
}

export const queuePart: Part<QueueNeeds, Awaited<ReturnType<typeof startQueue>>> = {
  name: 'ingest queue',
  start: startQueue,
};

/** The gauges of what is accepted and not yet committed, once the queue exists. */
function watchIngestQueue(registry: SelfMetrics, queue: IngestQueue, load: IngestLoad): void {
  registry.gauge('spoor_ingest_queue_records', 'Records accepted and not yet committed to the store.', () => queue.queued());
  registry.gauge('spoor_spool_bytes', 'Bytes of request bodies acknowledged into the spool and not yet committed to the store.', () => queue.spoolBytes());
  registry.gauge('spoor_spool_oldest_unsent_seconds', 'Age of the oldest acknowledged request not yet committed to the store (0 when none).', () =>
    queue.oldestUnsentSeconds(Date.now() * 1000),
  );
  registry.gauge(
    'spoor_decode_thread_utilization',
    'The share of the last second the decode thread was busy (0 to 1): how near ingest is to what this machine takes.',
    () => load.decodeUtilization(),
  );
}
