import type { FastifyInstance } from 'fastify';
import { type ReadOnlyAppOptions, createApp } from '../api/app.js';

/**
 * The API over a store a command reads in its own process, not a server (`spoor mcp --data`):
 * the one app of `createApp`, with only the routes that read. Built here because the composition
 * root alone knows the API.
 */
export function readOnlyApp(options: Omit<ReadOnlyAppOptions, 'readOnly'>): Promise<FastifyInstance> {
  return createApp({ ...options, readOnly: true });
}
