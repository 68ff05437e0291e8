import { join } from 'node:path';
import type { ModelPrice, PriceTable } from '@spoor/model';
import type { Logger } from 'pino';
import type { ServeConfig } from '../config.js';
import type { MaskFile } from '../ingest/masking.js';
import type { Lifecycle } from '../parts/lifecycle.js';
import type { Part } from '../parts/part.js';
import type { ServerState } from '../parts/server-state.js';
import { quarantineIdOf } from '../pipeline/quarantine.js';
import type { ServerMetrics } from '../serve/server-metrics.js';
import { serverIdOf } from './server-id.js';
import { DbThread } from './db-client.js';

/** What the database thread needs of the parts before it. */
export interface StoreNeeds {
  config: Pick<ServeConfig, 'store' | 'dataDir' | 'retention' | 'staleAfterMs' | 'treePageSpans'>;
  log: Logger;
  state: ServerState;
  metrics: Pick<
    ServerMetrics,
    'commitFailures' | 'commitSeconds' | 'quarantined' | 'damagedBytes' | 'stallSeconds' | 'slowCommits' | 'checkpointSeconds' | 'retentionRun'
  >;
  spoolDir: string;
  quarantineDir: string;
  /** A DuckDB file on the spool's disk: when it lacks room, so does the spool. */
  storeOnSpoolDisk: boolean;
  prices: PriceTable | null;
  maskFile: MaskFile | null;
  /** Where the prices set through the API go as the thread reads them, each a project's: the judges' books. */
  judgeBooks: { setApiPrices: (projectId: string, models: ModelPrice[]) => void };
  /** The decode thread: it prices with what the API set, and knows the spans stored last (a resend after a restart). */
  decoder: {
    setPrices: (projectId: string, models: ModelPrice[]) => void;
    remember: (spans: ReadonlyArray<{ projectId: string; traceId: string; spanId: string }>) => void;
  };
}

/**
 * The database thread: it opens the store, replays what the spool holds beyond the store's last
 * commit, and applies retention (at start, for at most 5 s before the server listens, and hourly).
 * Its prices go to the decoder and the judges' books; its store health and commits to the state,
 * which the ingest queue and live streams follow once started.
 */
export async function startStore(life: Lifecycle, needs: StoreNeeds) {
  const { config, log, state, metrics, quarantineDir, decoder } = needs;
  // Made on the first start, after every part's check: a start refused for a bad file writes nothing.
  const serverId = await serverIdOf(config.dataDir);
  const started = await life.start(
    'the database thread',
    () =>
      DbThread.start(
        {
          store: config.store,
          spoolDir: needs.spoolDir,
          quarantineDir,
          serverId,
          retention: config.retention,
          prices: needs.prices,
          maskFile: needs.maskFile,
          staleAfterMs: config.staleAfterMs,
          treePageSpans: config.treePageSpans,
        },
        {
          prices: (projectId, models) => {
            decoder.setPrices(projectId, models);
            needs.judgeBooks.setApiPrices(projectId, models);
          },
          storeHealth: (healthy, noSpace) => {
            const noRoom = noSpace && needs.storeOnSpoolDisk;
            state.setStoreHealth({ healthy, noRoom, lacksSpace: noSpace });
            if (noRoom)
              log.warn({}, "the store cannot commit for lack of space on the data directory's disk; requests are refused (503) until it commits again");
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
            state.quarantinedSinceStart++;
            // Loud on purpose: acknowledged data is waiting for someone to look at it.
            log.error(
              { id, ...reason, quarantineDir },
              'the store kept refusing an acknowledged request: moved it to the quarantine (see GET /api/quarantine; spoor spool replay-quarantine)',
            );
          },
          committed: (seq, position, _records, commitMs) => {
            metrics.commitSeconds(commitMs / 1000);
            state.committed(seq, position);
          },
          checkpointed: (ms) => metrics.checkpointSeconds(ms / 1000),
          retained: (outcome, ms) => {
            metrics.retentionRun(outcome, ms / 1000);
            if ('error' in outcome) log.error({ error: outcome.error }, 'retention failed; it will run again');
            else if (outcome.results.some((r) => r.deleted > 0))
              log.info({ deleted: outcome.results.filter((r) => r.deleted > 0), seconds: ms / 1000 }, 'retention removed expired records');
          },
          stall: (marker) => {
            if (marker.kind === 'second') metrics.stallSeconds({ cause: marker.cause });
            else metrics.slowCommits({ cause: marker.cause });
            log.debug(
              marker,
              marker.kind === 'second' ? `a second with no commit while records waited: ${marker.cause}` : `a commit took over a second: ${marker.cause}`,
            );
          },
          log: (level, message, data) => {
            if (level === 'error' && message.startsWith('a commit failed')) metrics.commitFailures({});
            log[level](data, message);
          },
          failed: (error) => {
            log.fatal({ err: error }, 'the database thread failed; acknowledged data is in the spool and is replayed on restart');
            state.fail(error, 'database');
          },
        },
      ),
    ({ thread }) => thread.close(),
  );
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
  decoder.remember(started.recentSpans.reverse());
  const { thread, replayed, committedSegment } = started;
  return { thread, serverId, replayed, committedSegment };
}

/** The database thread, after the decode thread: it sends that thread the prices it reads. */
export const storePart: Part<StoreNeeds, Awaited<ReturnType<typeof startStore>>> = {
  name: 'store',
  start: startStore,
};
