import type { Remote } from '../threads/protocol.js';
import type { AlertBackend } from './data-service.js';
import type { alertCalls } from './db-calls.js';

/** What alerting calls on the database thread: its group (`db-calls.ts`). */
export type AlertsDb = { readonly alerts: Remote<ReturnType<typeof alertCalls.make>> };

/**
 * The engine's view of the database thread: its group's series reads, and the group as its
 * `AlertStore`, answered as values. Its reads are rounds', which give way to commits.
 */
export function alertBackendOver(db: AlertsDb, projectId: string): AlertBackend {
  return { readSeries: (spec, range) => db.alerts.series(projectId, spec, range, true), store: db.alerts };
}
