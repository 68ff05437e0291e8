import type { AlertBackend } from '../alerting/data-service.js';
import type { DbClient } from './calls.js';

/** The engine's view of the database thread: its group's series reads, and the group as its `AlertStore`, answered as values. */
export function alertBackendOver(db: Pick<DbClient, 'alerts'>, projectId: string): AlertBackend {
  return { readSeries: (spec, range) => db.alerts.series(projectId, spec, range), store: db.alerts };
}
