import type { DbThread } from '../dbthread/db-client.js';
import { type Part, routes } from '../parts/part.js';
import { dashboardRoutes } from './routes.js';

/** Dashboards: the `/api/dashboards` routes over the database thread's calls; nothing runs in the background. */
export const dashboardsPart: Part<{ thread: DbThread }, object> = {
  name: 'dashboards',
  start: () => ({}),
  routes: ({ thread }) => [routes('dashboards', dashboardRoutes, { db: thread.calls, nowUs: () => Date.now() * 1000 })],
};
