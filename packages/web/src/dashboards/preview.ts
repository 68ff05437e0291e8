import { apiUrl } from '../api';
import type { PanelQuery } from './document';
import { chartFromMatrices, type MatrixSeries } from './panel-data';
import { promGet } from './prom-api';
import type { ReadWindow } from './url-state';
import { substitute } from './variables';

/**
 * The editor's preview: a panel's queries read as lines over the page's range, each through the
 * alert language's parser, so a bad expression comes back with the error an alert rule gets
 * (where, and what was expected), named by its query's number.
 */
export async function previewQueries(queries: readonly PanelQuery[], values: Readonly<Record<string, string>>, window: ReadWindow, signal?: AbortSignal) {
  const results = await Promise.all(
    queries.map(async (q, i) => {
      const url = apiUrl('/api/v1/query_range', {
        query: substitute(q.expr, values, window.stepS),
        start: window.startS,
        end: window.endS,
        step: window.stepS,
      });
      try {
        return (await promGet<{ result: MatrixSeries[] }>(url, signal)).result;
      } catch (error) {
        if (error instanceof Error) error.message = `query ${i + 1}: ${error.message}`;
        throw error;
      }
    }),
  );
  return chartFromMatrices(queries.map((q, i) => ({ ...q, result: results[i] ?? [] })));
}
