import type { TimeRange } from '@spoor/model';
import type { AlertHistoryRecord, AlertSeriesRow, AlertStore, SilenceRecord, Store } from '../store/store.js';
import type { ReadSeries } from './sampler.js';
import { type SeriesRange, SeriesReader, type SeriesSpec } from './series.js';

/**
 * What the alert engine (on the main thread) asks of the database thread: rule series, and the
 * alert tables. Each method is a thin call into the store; the database thread sends results
 * back as JSON and {@link alertBackendOver} reads them.
 */
export const ALERT_DATA_METHODS = [
  'alertSeries',
  'alertListRules',
  'alertPutRule',
  'alertDeleteRule',
  'alertReadState',
  'alertSaveState',
  'alertListHistory',
  'alertListSilences',
  'alertPutSilence',
  'alertDeleteSilence',
] as const;
export type AlertDataMethod = (typeof ALERT_DATA_METHODS)[number];

export type JsonAlertData = {
  [K in AlertDataMethod]: (...args: Parameters<AlertDataService[K]>) => Promise<string>;
};

export class AlertDataService {
  private readonly series: SeriesReader;
  private readonly alerts: AlertStore;

  constructor(store: Pick<Store, 'alertSeries' | 'readMetricPoints' | 'alerts'>) {
    this.series = new SeriesReader(store);
    this.alerts = store.alerts;
  }

  alertSeries(projectId: string, spec: SeriesSpec, range: SeriesRange): Promise<AlertSeriesRow[]> {
    return this.series.read(projectId, spec, range);
  }

  alertListRules(projectId: string) {
    return this.alerts.listRules(projectId);
  }

  alertPutRule(projectId: string, name: string, spec: string, nowUs: number) {
    return this.alerts.putRule(projectId, name, spec, nowUs);
  }

  alertDeleteRule(projectId: string, name: string) {
    return this.alerts.deleteRule(projectId, name);
  }

  alertReadState(projectId: string) {
    return this.alerts.readState(projectId);
  }

  alertSaveState(projectId: string, state: string, history: AlertHistoryRecord[], nowUs: number) {
    return this.alerts.saveState(projectId, state, history, nowUs);
  }

  alertListHistory(projectId: string, range: TimeRange, rule: string | null, offset: number, limit: number) {
    return this.alerts.listHistory(projectId, range, rule, offset, limit);
  }

  alertListSilences(projectId: string, endedAfterUs: number) {
    return this.alerts.listSilences(projectId, endedAfterUs);
  }

  alertPutSilence(projectId: string, silence: SilenceRecord) {
    return this.alerts.putSilence(projectId, silence);
  }

  alertDeleteSilence(projectId: string, id: string) {
    return this.alerts.deleteSilence(projectId, id);
  }
}

/** `undefined` (a method without a result) arrives as no text at all. */
const parse = <T>(text: string | undefined): T => (text === undefined ? undefined : JSON.parse(text)) as T;

/** The engine's view of the database thread: series reads and an `AlertStore`, over JSON. */
export function alertBackendOver(json: JsonAlertData, projectId: string): { readSeries: ReadSeries; store: AlertStore } {
  return {
    readSeries: async (spec, range) => parse(await json.alertSeries(projectId, spec, range)),
    store: {
      listRules: async (project) => parse(await json.alertListRules(project)),
      putRule: async (project, name, spec, nowUs) => parse(await json.alertPutRule(project, name, spec, nowUs)),
      deleteRule: async (project, name) => parse(await json.alertDeleteRule(project, name)),
      readState: async (project) => parse(await json.alertReadState(project)),
      saveState: async (project, state, history, nowUs) => parse(await json.alertSaveState(project, state, [...history], nowUs)),
      listHistory: async (project, range, rule, offset, limit) => parse(await json.alertListHistory(project, range, rule, offset, limit)),
      listSilences: async (project, endedAfterUs) => parse(await json.alertListSilences(project, endedAfterUs)),
      putSilence: async (project, silence) => parse(await json.alertPutSilence(project, silence)),
      deleteSilence: async (project, id) => parse(await json.alertDeleteSilence(project, id)),
    },
  };
}

/** The same backend in process, over a store: for tests and benchmarks without the database thread. */
export function alertBackendIn(store: Pick<Store, 'alertSeries' | 'readMetricPoints' | 'alerts'>, projectId: string): { readSeries: ReadSeries; store: AlertStore } {
  const reader = new SeriesReader(store);
  return { readSeries: (spec, range) => reader.read(projectId, spec, range), store: store.alerts };
}
