import type { AlertStore, Store } from '../store/store.js';
import type { ReadSeries } from './sampler.js';
import { SeriesReader } from './series.js';

/**
 * The alert engine's backend: rule series and the alert store. On the server they are calls of
 * the database thread (`alert*` in its registry, adapted by `backend.ts`); in
 * tests they can run in process over a store.
 */
export interface AlertBackend {
  readSeries: ReadSeries;
  store: AlertStore;
}

/** The same backend in process, over a store: for tests and benchmarks without the database thread. */
export function alertBackendIn(store: Pick<Store, 'alertSeries' | 'metrics' | 'alerts'>, projectId: string): AlertBackend {
  const reader = new SeriesReader(store);
  return { readSeries: (spec, range) => reader.read(projectId, spec, range), store: store.alerts };
}
