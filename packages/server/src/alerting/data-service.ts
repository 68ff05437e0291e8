import type { DbClient } from '../dbthread/calls.js';
import type { AlertSeriesReader, AlertStore, MetricReader, Store } from '../store/store.js';
import type { ReadSeries } from './sampler.js';
import { SeriesReader } from './series.js';

/**
 * The alert engine's backend: rule series and the alert store. On the server they are calls of
 * the database thread (`alert*` in its registry), answered as JSON; in tests they can run in
 * process over a store.
 */
export interface AlertBackend {
  readSeries: ReadSeries;
  store: AlertStore;
}

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

/** The same backend in process, over a store: for tests and benchmarks without the database thread. */
export function alertBackendIn(store: AlertSeriesReader & Pick<MetricReader, 'readMetricPoints'> & Pick<Store, 'alerts'>, projectId: string): AlertBackend {
  const reader = new SeriesReader(store);
  return { readSeries: (spec, range) => reader.read(projectId, spec, range), store: store.alerts };
}
