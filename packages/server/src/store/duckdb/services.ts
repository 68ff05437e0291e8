import type { DuckDBConnection } from '@duckdb/node-api';
import type { TimeRange } from '@spoor/model';
import type { ServiceRecord } from '../store.js';
import { mapRows, num, columnsOf } from './read.js';
import { SqlParams, timeFilters } from './sql.js';

/** The services that sent spans, logs or metric points in the range, with their counts, by name. */
export async function selectServices(connection: DuckDBConnection, projectId: string, range: TimeRange): Promise<ServiceRecord[]> {
  const p = new SqlParams();
  const project = p.add(projectId);
  const where = (time: string) => [`project_id = ${project}`, ...timeFilters(p, time, range)].join(' AND ');
  const rows = await columnsOf(
    connection,
    `SELECT service_name, sum(spans) AS span_count, sum(errors) AS error_count, sum(logs) AS log_count, sum(points) AS point_count, max(last_us) AS last_us
     FROM (
       SELECT service_name, count(*) AS spans, count_if(status_code = 2) AS errors, 0 AS logs, 0 AS points, max(start_us) AS last_us
       FROM spans WHERE ${where('start_us')} GROUP BY service_name
       UNION ALL
       SELECT service_name, 0, 0, count(*), 0, max(time_us) FROM logs WHERE ${where('time_us')} GROUP BY service_name
       UNION ALL
       SELECT service_name, 0, 0, 0, count(*), max(time_us) FROM metric_points WHERE ${where('time_us')} GROUP BY service_name
     ) GROUP BY service_name ORDER BY service_name`,
    p.values,
  );
  return mapRows(rows, (row) => ({
    name: row.get('service_name') as string,
    spanCount: num(row.get('span_count')),
    errorCount: num(row.get('error_count')),
    logCount: num(row.get('log_count')),
    metricPointCount: num(row.get('point_count')),
    lastSeenUs: num(row.get('last_us')),
  }));
}
