import { alertCalls } from '../alerting/db-calls.js';
import { accessCalls } from '../auth/db-calls.js';
import { exportCalls } from '../export/db-calls.js';
import { flowCalls } from '../flows/db-calls.js';
import { maskingCalls } from '../ingest/masking-calls.js';
import type { ProjectMasking } from '../ingest/masking.js';
import { liveCalls } from '../live/reads.js';
import { priceCalls } from '../pricing/db-calls.js';
import type { PriceService } from '../pricing/price-service.js';
import { evaluatorCalls } from '../quality/backend.js';
import { datasetCalls } from '../quality/dataset-service.js';
import { experimentCalls } from '../quality/experiment-backend.js';
import { analyticsCalls, errorGroupCalls, logCalls, metricCalls, scoreCalls, traceCalls } from '../query/db-calls.js';
import { treeStreamCalls } from '../query/tree-stream.js';
import { queueCalls } from '../queues/db-calls.js';
import { promptCalls } from '../prompts/db-calls.js';
import { dashboardCalls } from '../dashboards/db-calls.js';
import { samplingCalls } from '../sampling/backend.js';
import type { Store } from '../store/store.js';
import { callsOfGroups, transfersOfGroups } from '../threads/groups.js';
import type { Remote, Transfers } from '../threads/protocol.js';
import { type DbContextOptions, dbContext } from './context.js';
import { DB_POST_TRANSFERS, type DbProtocol } from './protocol.js';

// Every call the database thread serves: a group per feature, defined with the buffers it moves in the feature's folder,
// called by its name (`db.sampling.decide(…)`, typed: `DbClient`). A feature adds one line here (and its import).
const GROUPS = {
  traces: traceCalls,
  trees: treeStreamCalls,
  logs: logCalls,
  metrics: metricCalls,
  analytics: analyticsCalls,
  errors: errorGroupCalls,
  scores: scoreCalls,
  prices: priceCalls,
  alerts: alertCalls,
  access: accessCalls,
  masking: maskingCalls,
  evaluators: evaluatorCalls,
  datasets: datasetCalls,
  experiments: experimentCalls,
  live: liveCalls,
  export: exportCalls,
  flows: flowCalls,
  sampling: samplingCalls,
  queues: queueCalls,
  prompts: promptCalls,
  dashboards: dashboardCalls,
};

export function createDbCalls(store: Store, pricing: PriceService, masking: ProjectMasking | null = null, options: DbContextOptions = {}) {
  return callsOfGroups(GROUPS, dbContext(store, pricing, masking, options));
}

export type DbCalls = ReturnType<typeof createDbCalls>;
/** The calls as the main thread makes them: the same groups, names and arguments, each answer a promise. */
export type DbClient = Remote<DbCalls>;
/** What the thread's messages move: its posts', and each group's calls' as the group declared them. */
export const DB_TRANSFERS: Transfers<DbProtocol> = { ...transfersOfGroups<DbProtocol>(GROUPS), posts: DB_POST_TRANSFERS };
