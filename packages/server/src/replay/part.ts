import type { DbClient } from '../dbthread/calls.js';
import { type Part, routes } from '../parts/part.js';
import type { WaitingShares } from '../shares.js';
import type { Provider } from './providers.js';
import { type Ingest, Replayer } from './replayer.js';
import { playgroundRoutes } from './playground-routes.js';
import { replayRoutes } from './routes.js';

/** What replay needs of the parts before it. */
interface ReplayNeeds {
  /** The `--provider`s, then the built-in demo provider. */
  providers: readonly Provider[];
  shares: { providerCalls?: WaitingShares };
  /** Where a replay's own call goes as a trace: into ingest, as the receivers take one. */
  ingestTrace: Ingest;
  thread: { calls: Pick<DbClient, 'traces'> };
  /** Resolves when every request acknowledged so far is visible to queries. */
  queue: { whenVisible(): Promise<void> };
}

/**
 * Replay: re-runs a recorded LLM call against a provider, as a trace of its own. Nothing to close
 * (a call in flight ends with its request); experiments run their LLM calls through it too.
 */
export const replayPart: Part<ReplayNeeds, { replayer: Replayer }> = {
  name: 'replay',
  start: (_life, { providers, shares, ingestTrace }) => ({ replayer: new Replayer(providers, ingestTrace, shares.providerCalls) }),
  routes: ({ thread, replayer, queue }) => {
    const options = { db: thread.calls, replayer, visible: () => queue.whenVisible() };
    return [routes('replay', replayRoutes, options), routes('playground', playgroundRoutes, options)];
  },
};
