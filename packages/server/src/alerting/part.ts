import { DEFAULT_PROJECT_ID } from '@spoor/model';
import type { ServeConfig } from '../config.js';
import type { ServerState } from '../parts/server-state.js';
import { type Part, routes } from '../parts/part.js';
import { KEY_REFRESH_MS } from '../auth/part.js';
import { alertMetricsText } from './alert-metrics.js';
import type { AlertsDb } from './backend.js';
import type { NotifyLogger } from './notify/delivery.js';
import { ProjectAlerting } from './project-alerting.js';
import { alertRoutes } from './routes.js';

/** What alerting needs of the parts before it: its calls on the database thread, and the projects keys name. */
interface AlertingNeeds {
  config: Pick<ServeConfig, 'alertsFile' | 'alertIntervalMs' | 'roles' | 'defaultAlerts' | 'externalUrl'>;
  log: NotifyLogger;
  /** The URL bound, which notifications link back to without `--external-url`. */
  state: Pick<ServerState, 'url'>;
  thread: { calls: AlertsDb };
  ring: { projects(): readonly string[] };
}

/**
 * Each project's alerting; notifications already decided are delivered (or given up on) and
 * recorded before the store closes. The projects keys name are given the default rules, and one
 * whose first key is made later starts (and is seeded) within a key refresh. It gives the alert
 * states `/metrics` shows (the default project's) and its routes.
 */
export const alertingPart: Part<AlertingNeeds, { alerting: ProjectAlerting; alertMetrics: () => string }> = {
  name: 'alerting',
  start: async (life, { config, log, state, thread, ring }) => {
    const alerting = await life.start(
      'alerting',
      () => new ProjectAlerting({ db: thread.calls, config, log, externalUrl: () => config.externalUrl ?? state.url }),
      (started) => started.close(),
    );
    alerting.follow(() => ring.projects(), KEY_REFRESH_MS);
    const alerts = await alerting.of(DEFAULT_PROJECT_ID);
    // Projects with keys evaluate their rules from the start, not from their first request.
    for (const projectId of ring.projects()) await alerting.of(projectId);
    return { alerting, alertMetrics: () => alertMetricsText(alerts.engine) };
  },
  routes: ({ alerting }) => [routes('alerts', alertRoutes, { alertsFor: (projectId) => alerting.of(projectId) })],
};
