import { type Part, routes } from '../parts/part.js';
import { type PromDb, promRoutes } from './routes.js';

/** The Prometheus query API: nothing to start, its reads the alert engine's calls on the database thread. */
export const promqlPart: Part<{ thread: { calls: PromDb } }, object> = {
  name: 'promql',
  start: () => ({}),
  routes: ({ thread }) => [routes('promql', promRoutes, { db: thread.calls })],
};
