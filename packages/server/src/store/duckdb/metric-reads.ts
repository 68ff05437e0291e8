import type { DuckDBConnection } from '@duckdb/node-api';
import type { MetricPointQuery, MetricPointRecord, TimeRange } from '@spoor/model';
import type { MetricDescriptorRecord } from '../store.js';
import { JsonParseCache, METRIC_JSON_COLUMNS, type Columns, mapRows, metricPointFromRow, num, parseJsonColumns, columnsOf } from './read.js';
import { SqlParams, timeFilters } from './sql.js';

/** The metric reads of the DuckDB store: names, a page of points, and every point of a chart. */

export async function selectMetrics(connection: DuckDBConnection, projectId: string, range: TimeRange): Promise<MetricDescriptorRecord[]> {
  const p = new SqlParams();
  const where = [`project_id = ${p.add(projectId)}`, ...timeFilters(p, 'time_us', range)];
  const rows = await columnsOf(
    connection,
    `SELECT name, arg_max(type, time_us) AS type, arg_max(unit, time_us) AS unit,
            arg_max(description, time_us) AS description, count(*) AS point_count, max(time_us) AS last_us
     FROM metric_points WHERE ${where.join(' AND ')} GROUP BY name ORDER BY name`,
    p.values,
  );
  return mapRows(rows, (row) => ({
    name: row.get('name') as string,
    type: row.get('type') as MetricDescriptorRecord['type'],
    unit: row.get('unit') as string,
    description: row.get('description') as string,
    pointCount: num(row.get('point_count')),
    lastSeenUs: num(row.get('last_us')),
  }));
}

export async function selectMetricPoints(connection: DuckDBConnection, query: MetricPointQuery, offset: number, limit: number): Promise<MetricPointRecord[]> {
  const p = new SqlParams();
  const where = [`project_id = ${p.add(query.projectId)}`, `name = ${p.add(query.name)}`, ...timeFilters(p, 'time_us', query.range)];
  if (query.service !== null) where.push(`service_name = ${p.add(query.service)}`);
  const rows = await columnsOf(
    connection,
    `SELECT * FROM metric_points JOIN sources USING (project_id, source_id) WHERE ${where.join(' AND ')}
     ORDER BY time_us DESC, service_name, source_id, attributes, start_us LIMIT ${p.add(limit)} OFFSET ${p.add(offset)}`,
    p.values,
  );
  return pointsFrom(rows);
}

export async function selectMetricPointsOf(
  connection: DuckDBConnection,
  projectId: string,
  names: readonly string[],
  range: TimeRange,
  service: string | null,
): Promise<MetricPointRecord[]> {
  if (names.length === 0) return [];
  const p = new SqlParams();
  const where = [`project_id = ${p.add(projectId)}`, `name IN (${names.map((n) => p.add(n)).join(', ')})`, ...timeFilters(p, 'time_us', range)];
  if (service !== null) where.push(`service_name = ${p.add(service)}`);
  const rows = await columnsOf(
    connection,
    `SELECT * FROM metric_points JOIN sources USING (project_id, source_id) WHERE ${where.join(' AND ')} ORDER BY time_us`,
    p.values,
  );
  return pointsFrom(rows);
}

function pointsFrom(rows: Columns): MetricPointRecord[] {
  const shared = new JsonParseCache();
  return mapRows(parseJsonColumns(rows, METRIC_JSON_COLUMNS), (row) => metricPointFromRow(row, shared));
}
