import type { Logger } from 'pino';
import type { ServeConfig } from '../config.js';
import { type Part, routes } from '../parts/part.js';
import type { ServerState } from '../parts/server-state.js';
import { LiveHub, type LiveHubOptions } from './hub.js';
import { liveRoutes } from './routes.js';

/** What live needs of the parts before it: the database thread's live reads, and the commits it follows. */
export interface LiveNeeds {
  config: Pick<ServeConfig, 'store' | 'staleAfterMs' | 'live'>;
  log: Logger;
  state: ServerState;
  thread: { calls: LiveHubOptions['db'] };
}

/**
 * Live streams: each commit wakes the hub, which reads what it brought for the streams open.
 * Its streams close with the app (before it waits for its requests: a stream never ends), so
 * it has nothing to close of its own.
 */
export const livePart: Part<LiveNeeds, { live: LiveHub }> = {
  name: 'live',
  start: (_life, { config, log, state, thread }) => {
    const live = new LiveHub({
      db: thread.calls,
      // Servers sharing a ClickHouse commit without telling this one: it asks every second while anyone watches.
      shared: config.store.kind === 'clickhouse',
      // When a watched run's running spans become abandoned, by the reads' rule.
      staleAfterMs: config.staleAfterMs,
      ...config.live,
      onError: (error) => log.warn({ err: error }, 'a live stream read failed; it is read again at the next commit'),
    });
    state.followCommits(() => live.wake());
    return { live };
  },
  routes: ({ live }) => [routes('live', liveRoutes, { hub: live })],
};
