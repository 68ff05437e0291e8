import { join } from 'node:path';
import { DbThread } from '../dbthread/db-client.js';
import { DecodeThread } from '../ingest/decode-client.js';
import { LiveHub } from '../live/hub.js';
import { quarantineIdOf } from '../pipeline/quarantine.js';
import type { ServeBase } from './base.js';
import type { Lifecycle } from '../parts/lifecycle.js';
import type { Part } from '../parts/part.js';

/** The decode thread: bodies decoded, normalized and priced off the main thread; span metrics count there. */
export function startDecoder(life: Lifecycle, { config, log, state, prices, maskFile }: ServeBase): Promise<DecodeThread> {
  return life.start(
    'the decode thread',
    () =>
      DecodeThread.start(
        prices,
        (error) => {
          log.fatal({ err: error }, 'the decode thread failed; acknowledged data is in the spool and is replayed on restart');
          state.fail(error, 'decode');
        },
        maskFile,
        config.metricsMaxSeries,
      ),
    (decoder) => decoder.close(),
  );
}

/**
 * The database thread: it opens the store, replays what the spool holds beyond the store's last
 * commit, and applies retention. Its prices go to the decoder and the judges' books; its store
 * health and commits to the state, which the ingest queue and live streams follow once started.
 */
export async function startStore(life: Lifecycle, base: ServeBase, decoder: DecodeThread) {
  const { config, log, state, metrics, quarantineDir } = base;
  const started = await life.start(
    'the database thread',
    () =>
      DbThread.start(
        {
          store: config.store,
          spoolDir: base.spoolDir,
          quarantineDir,
          serverId: base.serverId,
          retention: config.retention,
          prices: base.prices,
          maskFile: base.maskFile,
          staleAfterMs: config.staleAfterMs,
          treePageSpans: config.treePageSpans,
        },
        {
          prices: (projectId, models) => {
            decoder.setPrices(projectId, models);
            base.judgeBooks.setApiPrices(projectId, models);
          },
          storeHealth: (healthy, noSpace) => {
            const noRoom = noSpace && base.storeOnSpoolDisk;
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
  // Live streams read what each commit brought (the app closes them before it closes).
  const live = new LiveHub({
    db: started.thread.calls,
    // Servers sharing a ClickHouse commit without telling this one: it asks every second while anyone watches.
    shared: config.store.kind === 'clickhouse',
    // When a watched run's running spans become abandoned, by the reads' rule.
    staleAfterMs: config.staleAfterMs,
    ...config.live,
    onError: (error) => log.warn({ err: error }, 'a live stream read failed; it is read again at the next commit'),
  });
  state.followCommits(() => live.wake());
  const { thread, replayed, committedSegment, retention } = started;
  return { thread, live, replayed, committedSegment, retention };
}

/** The decode thread, first: the database thread sends it the prices it reads. */
export const decodePart: Part<ServeBase, { decoder: DecodeThread }> = {
  name: 'decode',
  start: async (life, base) => ({ decoder: await startDecoder(life, base) }),
};

export const storePart: Part<ServeBase & { decoder: DecodeThread }, Awaited<ReturnType<typeof startStore>>> = {
  name: 'store',
  start: (life, have) => startStore(life, have, have.decoder),
};
