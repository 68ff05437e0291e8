import type { AlertBackend } from '../alerting/data-service.js';
import type { AlertStore } from '../store/store.js';
import type { DbClient } from './calls.js';

/** The engine's view of the database thread: series reads and an `AlertStore`, answered as values. */
export function alertBackendOver(db: DbClient, projectId: string): AlertBackend {
  const store: AlertStore = {
    listRules: (...args) => db.alertListRules(...args),
    putRule: (...args) => db.alertPutRule(...args),
    deleteRule: (...args) => db.alertDeleteRule(...args),
    seedRules: (...args) => db.alertSeedRules(...args),
    rulesSeeded: (...args) => db.alertRulesSeeded(...args),
    readState: (...args) => db.alertReadState(...args),
    saveState: (...args) => db.alertSaveState(...args),
    listHistory: (...args) => db.alertListHistory(...args),
    listSilences: (...args) => db.alertListSilences(...args),
    putSilence: (...args) => db.alertPutSilence(...args),
  };
  return { readSeries: (spec, range) => db.alertSeries(projectId, spec, range), store };
}
