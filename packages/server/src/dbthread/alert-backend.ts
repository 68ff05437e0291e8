import type { AlertBackend } from '../alerting/data-service.js';
import type { AlertStore } from '../store/store.js';
import type { DbClient } from './calls.js';

/** The engine's view of the database thread: series reads and an `AlertStore`, over JSON. */
export function alertBackendOver(db: DbClient, projectId: string): AlertBackend {
  const parse = JSON.parse as (text: string) => never;
  const store: AlertStore = {
    listRules: async (...args) => parse(await db.alertListRules(...args)),
    putRule: async (...args) => parse(await db.alertPutRule(...args)),
    deleteRule: async (...args) => parse(await db.alertDeleteRule(...args)),
    readState: async (...args) => parse(await db.alertReadState(...args)),
    saveState: async (...args) => {
      await db.alertSaveState(...args);
    },
    listHistory: async (...args) => parse(await db.alertListHistory(...args)),
    listSilences: async (...args) => parse(await db.alertListSilences(...args)),
    putSilence: async (...args) => {
      await db.alertPutSilence(...args);
    },
  };
  return { readSeries: async (spec, range) => parse(await db.alertSeries(projectId, spec, range)), store };
}
