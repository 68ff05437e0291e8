import { apiUrl } from '../api';
import type { Panel } from './document';
import type { ReadWindow } from './url-state';
import { substitute } from './variables';

/**
 * The reads a panel makes, as URLs of Prometheus's query API. A time series reads the range at
 * the page's step (`$__interval` is the step); a single number, a table and bars read one value
 * over the whole range (`$__interval` is the range), and a single number the range before it too,
 * for its change. Pure; tested in panel-reads.test.ts.
 */
export function panelReadUrls(panel: Panel, values: Readonly<Record<string, string>>, window: ReadWindow): string[] {
  const { startS, endS, stepS } = window;
  const rangeS = endS - startS;
  if (panel.kind === 'timeseries') {
    return panel.queries.map((q) => apiUrl('/api/v1/query_range', { query: substitute(q.expr, values, stepS), start: startS, end: endS, step: stepS }));
  }
  const instant = (expr: string, time: number) => apiUrl('/api/v1/query', { query: substitute(expr, values, rangeS), time });
  if (panel.kind === 'stat') return panel.queries.flatMap((q) => [instant(q.expr, endS), instant(q.expr, startS)]);
  return panel.queries.map((q) => instant(q.expr, endS));
}
