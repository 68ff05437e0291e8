import type { AlertSeriesQuery, AlertSeriesRow } from '../store.js';
import { type ChClient, notYet } from './client.js';

/** What alert rules evaluate over spans, logs and errors. */

export function alertSeries(ch: ChClient, query: AlertSeriesQuery): Promise<AlertSeriesRow[]> {
  return notYet('alertSeries', ch, query);
}
