import type { LogQuery, TimeRange } from '@spoor/model';
import { num } from '../record-rows.js';
import type { MetricDescriptorRecord, TimeKey } from '../store.js';
import type { Dialect, Params, SqlEngine } from './dialect.js';
import { likePattern, timeFilters } from './filters.js';

/** What the log and metric reads of every engine share. */

/** The `WHERE` conditions of a page of logs, newest first, after `after`. */
export function logConditions(d: Dialect, p: Params, query: LogQuery, after: TimeKey | null): string[] {
  const where = [`project_id = ${p.add(query.projectId)}`, ...timeFilters(p, 'time_us', query.range)];
  if (query.minSeverity !== null) where.push(`severity_number >= ${p.add(query.minSeverity)}`);
  if (query.service !== null) where.push(`service_name = ${p.add(query.service)}`);
  if (query.traceId !== null) where.push(`trace_id = ${p.add(query.traceId)}`);
  if (query.text !== null) where.push(d.ilike('body_text', p.add(likePattern(query.text))));
  if (after !== null) {
    const t = p.int(after.timeUs);
    where.push(`(time_us < ${t} OR (time_us = ${t} AND log_id < ${p.add(after.id)}))`);
  }
  return where;
}

/** The metrics with points in the range, each described as its newest point is, by name. */
export function listMetrics(db: SqlEngine, projectId: string, range: TimeRange): Promise<MetricDescriptorRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const where = [`project_id = ${p.add(projectId)}`, ...timeFilters(p, 'time_us', range)];
  return db.rows(
    'list metrics',
    `SELECT name, argMax(type, time_us) AS m_type, argMax(unit, time_us) AS m_unit,
            argMax(description, time_us) AS m_description, count(*) AS point_count, max(time_us) AS last_us
     FROM ${d.tables.metric_points} WHERE ${where.join(' AND ')} GROUP BY name ORDER BY name`,
    p,
    (row) => ({
      name: row.get('name') as string,
      type: row.get('m_type') as MetricDescriptorRecord['type'],
      unit: row.get('m_unit') as string,
      description: row.get('m_description') as string,
      pointCount: num(row.get('point_count')),
      lastSeenUs: num(row.get('last_us')),
    }),
  );
}
