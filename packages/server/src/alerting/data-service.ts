import type { AlertStore, Store } from '../store/store.js';
import type { ReadSeries } from './sampler.js';
import { type SeriesRange, SeriesReader, type SeriesSpec } from './series.js';

/**
 * What the alert engine (on the main thread) asks of the database thread: rule series, and the
 * alert store's methods, under names prefixed `alert` so they stand apart from the other
 * services'. The database thread sends results back as JSON; {@link alertBackendOver} reads them.
 */
const STORE_METHODS = {
  alertListRules: 'listRules',
  alertPutRule: 'putRule',
  alertDeleteRule: 'deleteRule',
  alertReadState: 'readState',
  alertSaveState: 'saveState',
  alertListHistory: 'listHistory',
  alertListSilences: 'listSilences',
  alertPutSilence: 'putSilence',
} as const satisfies Record<string, keyof AlertStore>;

type StoreMethod = keyof typeof STORE_METHODS;
export type AlertDataMethod = 'alertSeries' | StoreMethod;
export const ALERT_DATA_METHODS: readonly AlertDataMethod[] = ['alertSeries', ...(Object.keys(STORE_METHODS) as StoreMethod[])];

type AnyMethod = (...args: unknown[]) => Promise<unknown>;

export type JsonAlertData = { alertSeries: (projectId: string, spec: SeriesSpec, range: SeriesRange) => Promise<string> } & {
  [K in StoreMethod]: (...args: Parameters<AlertStore[(typeof STORE_METHODS)[K]]>) => Promise<string>;
};

/** The database thread's side: each method a call into the store. */
export function alertDataService(store: Pick<Store, 'alertSeries' | 'readMetricPoints' | 'alerts'>): Record<AlertDataMethod, AnyMethod> {
  const reader = new SeriesReader(store);
  const alerts = store.alerts as unknown as Record<keyof AlertStore, AnyMethod>;
  const service = { alertSeries: (projectId, spec, range) => reader.read(projectId as string, spec as SeriesSpec, range as SeriesRange) } as Record<AlertDataMethod, AnyMethod>;
  for (const [name, method] of Object.entries(STORE_METHODS)) service[name as StoreMethod] = (...args) => alerts[method].apply(store.alerts, args);
  return service;
}

/** `undefined` (a method without a result) arrives as no text at all. */
const parse = (text: string | undefined): unknown => (text === undefined ? undefined : JSON.parse(text));

/** The engine's view of the database thread: series reads and an `AlertStore`, over JSON. */
export function alertBackendOver(json: JsonAlertData, projectId: string): { readSeries: ReadSeries; store: AlertStore } {
  const calls = json as unknown as Record<StoreMethod, (...args: unknown[]) => Promise<string | undefined>>;
  const store = Object.fromEntries(Object.entries(STORE_METHODS).map(([name, method]) => [method, async (...args: unknown[]) => parse(await calls[name as StoreMethod](...args))]));
  return {
    readSeries: async (spec, range) => parse(await json.alertSeries(projectId, spec, range)) as Awaited<ReturnType<ReadSeries>>,
    store: store as unknown as AlertStore,
  };
}

/** The same backend in process, over a store: for tests and benchmarks without the database thread. */
export function alertBackendIn(store: Pick<Store, 'alertSeries' | 'readMetricPoints' | 'alerts'>, projectId: string): { readSeries: ReadSeries; store: AlertStore } {
  const reader = new SeriesReader(store);
  return { readSeries: (spec, range) => reader.read(projectId, spec, range), store: store.alerts };
}
