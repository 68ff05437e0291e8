import type { DbThread } from '../dbthread/db-client.js';
import { type Part, routes } from '../parts/part.js';
import { promptRoutes } from './routes.js';

/** Prompts: the `/api/prompts` routes over the database thread's calls; nothing runs in the background. */
export const promptsPart: Part<{ thread: DbThread }, object> = {
  name: 'prompts',
  start: () => ({}),
  routes: ({ thread }) => [routes('prompts', promptRoutes, { db: thread.calls, nowUs: () => Date.now() * 1000 })],
};
