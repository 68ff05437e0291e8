import { type Part, routes } from '../parts/part.js';
import { mcpRoutes } from './routes.js';

/**
 * MCP: agents' tools at `POST /mcp`, each a read of the REST API with the caller's own
 * credentials. Nothing to start: the SDK loads on the first request.
 */
export const mcpPart: Part<object, object> = {
  name: 'mcp',
  start: () => ({}),
  routes: () => [routes('mcp', mcpRoutes, {})],
};
