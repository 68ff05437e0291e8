import { type Part, routes } from '../parts/part.js';
import type { Shares } from '../shares.js';
import { type ExportDb, exportRoutes } from './routes.js';

/** What export needs of the parts before it: the database thread's calls, and the server's share of exports. */
interface ExportNeeds {
  thread: { calls: ExportDb };
  shares: { exports?: Shares };
}

/**
 * Export: nothing to start (its streams are calls on the database thread, `db-calls.ts`), only its
 * route, bounded by the server's share of exports.
 */
export const exportPart: Part<ExportNeeds, object> = {
  name: 'export',
  start: () => ({}),
  routes: ({ thread, shares }) => [routes('export', exportRoutes, { db: thread.calls, shares })],
};
