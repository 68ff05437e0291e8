import type { LogQuery, LogRecordData, MetricPointQuery, MetricPointRecord, TimeRange } from '@spoor/model';
import { JsonParseCache, logFromRow, mapArrayRows, metricPointFromRow } from '../record-rows.js';
import type { TimeKey } from '../store.js';
import { ChParams, type ChClient } from './client.js';
import { LOG_RECORD_ROWS, readRows, readSources, sourceIdsOf } from './trace-rows.js';
import { timeFilters } from '../sql/filters.js';
import { logConditions } from '../sql/logs-metrics.js';
import type { ClickHouseSql } from './dialect.js';

/** Logs and app metrics. */

export async function listLogs({ ch, dialect }: ClickHouseSql, query: LogQuery, after: TimeKey | null, limit: number): Promise<LogRecordData[]> {
  const p = new ChParams();
  const where = logConditions(dialect, p, query, after);
  const rows = await readRows(
    ch,
    'list logs',
    LOG_RECORD_ROWS,
    `FROM ${ch.tables.logs} WHERE ${where.join(' AND ')}`,
    `time_us DESC, log_id DESC LIMIT ${p.count(limit)}`,
    p,
  );
  const sources = await readSources(ch, query.projectId, sourceIdsOf(rows, LOG_RECORD_ROWS));
  const shared = new JsonParseCache();
  return mapArrayRows(rows, LOG_RECORD_ROWS, sources, (row) => logFromRow(row, shared));
}

/**
 * The columns of a point, its source's resource and scope beside it; its exact integer as text
 * (JSON numbers are read as doubles). A list comes with its
 * `has_<name>`: false for a NULL list, stored empty (ClickHouse arrays cannot be NULL). `sources` may hold a source twice until its
 * rows are merged, so it is read one row per source.
 */
function pointsSql(ch: ChClient, project: string, where: string[], orderBy: string): string {
  const list = (name: string) => `${name}, has_${name}`;
  return `SELECT project_id, name, description, unit, type, temporality, is_monotonic, service_name, source_id, attributes,
      start_us, time_us, flags, value, count, sum, min, max, ${list('bucket_counts')}, ${list('explicit_bounds')},
      scale, zero_count, zero_threshold, positive_offset, ${list('positive_counts')}, negative_offset, ${list('negative_counts')},
      quantiles, exemplars, toString(int_value) AS int_value, exact_counts, src.resource AS resource, src.scope AS scope
    FROM ${ch.tables.metric_points} AS m
    INNER JOIN (SELECT source_id, any(resource) AS resource, any(scope) AS scope FROM ${ch.tables.sources}
                WHERE project_id = ${project} GROUP BY source_id) AS src USING (source_id)
    WHERE ${where.join(' AND ')}
    ORDER BY ${orderBy}`;
}

const LISTS = ['bucket_counts', 'explicit_bounds', 'positive_counts', 'negative_counts'];

async function readPoints(ch: ChClient, what: string, sql: string, p: ChParams): Promise<MetricPointRecord[]> {
  const rows = await ch.rows<Record<string, unknown>>(what, sql, p);
  const shared = new JsonParseCache();
  const view = {
    r: {} as Record<string, unknown>,
    get(name: string): unknown {
      return this.r[name];
    },
  };
  return rows.map((row) => {
    row.attributes = JSON.parse(row.attributes as string);
    row.exemplars = JSON.parse(row.exemplars as string);
    row.quantiles = row.quantiles === null ? null : JSON.parse(row.quantiles as string);
    row.exact_counts = row.exact_counts === null ? null : JSON.parse(row.exact_counts as string);
    for (const name of LISTS) if (row[`has_${name}`] !== true) row[name] = null;
    view.r = row;
    return metricPointFromRow(view, shared);
  });
}

export function listMetricPoints(ch: ChClient, query: MetricPointQuery, offset: number, limit: number): Promise<MetricPointRecord[]> {
  const p = new ChParams();
  const project = p.add(query.projectId);
  const where = [`m.project_id = ${project}`, `m.name = ${p.add(query.name)}`, ...timeFilters(p, 'm.time_us', query.range)];
  if (query.service !== null) where.push(`m.service_name = ${p.add(query.service)}`);
  const orderBy = `time_us DESC, service_name, source_id, attributes, start_us LIMIT ${p.add(limit)} OFFSET ${p.add(offset)}`;
  return readPoints(ch, 'list metric points', pointsSql(ch, project, where, orderBy), p);
}

export function readMetricPoints(
  ch: ChClient,
  projectId: string,
  names: readonly string[],
  range: TimeRange,
  service: string | null,
): Promise<MetricPointRecord[]> {
  if (names.length === 0) return Promise.resolve([]);
  const p = new ChParams();
  const project = p.add(projectId);
  const where = [`m.project_id = ${project}`, `has(${p.add([...names], 'Array(String)')}, m.name)`, ...timeFilters(p, 'm.time_us', range)];
  if (service !== null) where.push(`m.service_name = ${p.add(service)}`);
  return readPoints(ch, 'read metric points', pointsSql(ch, project, where, 'time_us'), p);
}
