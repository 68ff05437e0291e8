import { type Part, routes } from '../parts/part.js';
import { type FlowsDb, flowRoutes } from './routes.js';

/** What the flow map needs of the parts before it: the database thread's calls. */
interface FlowsNeeds {
  thread: { calls: FlowsDb };
}

/** The flow map: nothing to start (its reads and fold are calls on the database thread, `db-calls.ts`), only its routes. */
export const flowsPart: Part<FlowsNeeds, object> = {
  name: 'flows',
  start: () => ({}),
  routes: ({ thread }) => [routes('flows', flowRoutes, { db: thread.calls })],
};
