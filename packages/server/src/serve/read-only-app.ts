import type { FastifyInstance } from 'fastify';
import { type ReadOnlyAppOptions, createApp } from '../api/app.js';
import { routes } from '../parts/part.js';
import { scoreRoutes } from '../quality/score-routes.js';

/**
 * The API over a store a command reads in its own process, not a server (`spoor mcp --data`):
 * the one app of `createApp`, with only the routes that read, and the scores' routes. Built here
 * because the composition root alone knows the API.
 */
export function readOnlyApp(options: Omit<ReadOnlyAppOptions, 'readOnly' | 'routes'>): Promise<FastifyInstance> {
  const nowUs = options.nowUs ?? (() => Date.now() * 1000);
  // Scores are read here; one sent would find the store read-only, and counts nowhere.
  const scores = routes('scores', scoreRoutes, { db: options.db, nowUs, countScores: () => {} });
  return createApp({ ...options, readOnly: true, routes: [scores] });
}
