import type { DuckDBConnection } from '@duckdb/node-api';
import type { MetricPointQuery, MetricPointRecord, TimeRange } from '@spoor/model';
import { JsonParseCache, METRIC_JSON_COLUMNS, type Columns, mapRows, metricPointFromRow, parseJsonColumns, columnsOf } from './read.js';
import { timeFilters } from '../sql/filters.js';
import { DuckDbParams } from './dialect.js';

/** The metric reads of the DuckDB store: names, a page of points, and every point of a chart. */

export async function selectMetricPoints(connection: DuckDBConnection, query: MetricPointQuery, offset: number, limit: number): Promise<MetricPointRecord[]> {
  const p = new DuckDbParams();
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
  const p = new DuckDbParams();
  const where = [`project_id = ${p.add(projectId)}`, `name IN ${p.texts(names)}`, ...timeFilters(p, 'time_us', range)];
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
