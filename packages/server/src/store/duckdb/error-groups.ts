import type { DuckDBConnection } from '@duckdb/node-api';
import type { ErrorGroupStatus, TimeRange } from '@spoor/model';
import type { ErrorGroupQuery, ErrorGroupRecord, ErrorOccurrenceRow } from '../store.js';
import { mapRows, num, columnsOf } from './read.js';
import { SqlParams, timeFilters } from './sql.js';

/**
 * Error groups: the rows of the `error_events` view (errors that are not just a child's passed
 * on) by fingerprint, with what users decided about them in `error_group_states`.
 */

const HOUR_US = 3_600_000_000;
const SAMPLE_TRACES = 5;

/** A resolved group is back in the inbox once it is seen after it was resolved. */
const EFFECTIVE_STATUS = `CASE WHEN st.status = 'resolved' AND a.last_us > st.resolved_us THEN 'unresolved' ELSE coalesce(st.status, 'unresolved') END`;

const SORTS: Record<ErrorGroupQuery['sort'], string> = {
  lastSeen: 'a.last_us DESC',
  firstSeen: 'a.first_us DESC',
  count: 'g.n DESC',
};

export async function selectErrorGroups(connection: DuckDBConnection, query: ErrorGroupQuery, offset: number, limit: number): Promise<ErrorGroupRecord[]> {
  const p = new SqlParams();
  const project = p.add(query.projectId);
  const where = [`project_id = ${project}`, ...timeFilters(p, 'time_us', query.range)];
  if (query.service !== null) where.push(`service_name = ${p.add(query.service)}`);
  if (query.fingerprint !== null) where.push(`fingerprint = ${p.add(query.fingerprint)}`);
  const outer = query.status === null ? '' : `WHERE ${EFFECTIVE_STATUS} = ${p.add(query.status)}`;
  const columns = await columnsOf(
    connection,
    `WITH hits AS (SELECT * FROM error_events WHERE ${where.join(' AND ')}),
     g AS (
       SELECT fingerprint, count(*) AS n, count(DISTINCT trace_id) AS traces, list_sort(list(DISTINCT service_name)) AS services
       FROM hits GROUP BY fingerprint
     ),
     -- The traces last hit most recently, each once: a trace failing in a loop does not crowd out the others.
     samples AS (
       SELECT fingerprint, list(trace_id ORDER BY last_us DESC, trace_id) AS sample_traces FROM (
         SELECT fingerprint, trace_id, max(time_us) AS last_us FROM hits WHERE trace_id IS NOT NULL GROUP BY fingerprint, trace_id
         QUALIFY row_number() OVER (PARTITION BY fingerprint ORDER BY last_us DESC, trace_id) <= ${SAMPLE_TRACES}
       ) GROUP BY fingerprint
     ),
     a AS (
       SELECT fingerprint, min(time_us) AS first_us, max(time_us) AS last_us, arg_max(message, time_us) AS sample_message,
         any_value(exception_type) AS exception_type, any_value(message_key) AS message_key, any_value(frame) AS frame,
         any_value(provider) AS provider, any_value(http_status) AS http_status, any_value(error_type) AS error_type,
         any_value(finish_reason) AS finish_reason, any_value(tool_name) AS tool_name
       FROM error_events WHERE project_id = ${project} AND fingerprint IN (SELECT fingerprint FROM g) GROUP BY fingerprint
     )
     SELECT g.*, a.*, s.sample_traces, coalesce(st.status, 'unresolved') AS stored_status, st.resolved_us
     FROM g JOIN a USING (fingerprint) LEFT JOIN samples s USING (fingerprint)
       LEFT JOIN error_group_states st ON st.project_id = ${project} AND st.fingerprint = g.fingerprint
     ${outer}
     ORDER BY ${SORTS[query.sort]}, g.fingerprint LIMIT ${p.add(limit)} OFFSET ${p.add(offset)}`,
    p.values,
  );
  return mapRows(columns, (row) => {
    const httpStatus = row.get('http_status');
    const resolvedUs = row.get('resolved_us');
    return {
      fingerprint: row.get('fingerprint') as string,
      exceptionType: row.get('exception_type') as string,
      messageKey: row.get('message_key') as string,
      frame: (row.get('frame') as string | null) ?? null,
      provider: (row.get('provider') as string | null) ?? null,
      httpStatus: httpStatus === null || httpStatus === undefined ? null : num(httpStatus),
      errorType: (row.get('error_type') as string | null) ?? null,
      finishReason: (row.get('finish_reason') as string | null) ?? null,
      toolName: (row.get('tool_name') as string | null) ?? null,
      sampleMessage: row.get('sample_message') as string,
      storedStatus: row.get('stored_status') as ErrorGroupStatus,
      resolvedUs: resolvedUs === null || resolvedUs === undefined ? null : num(resolvedUs),
      count: num(row.get('n')),
      traceCount: num(row.get('traces')),
      firstSeenUs: num(row.get('first_us')),
      lastSeenUs: num(row.get('last_us')),
      services: row.get('services') as string[],
      sampleTraceIds: (row.get('sample_traces') as string[] | null) ?? [],
    };
  });
}

export async function selectErrorHourly(
  connection: DuckDBConnection,
  projectId: string,
  fingerprints: readonly string[],
  range: TimeRange,
): Promise<Array<{ fingerprint: string; hourUs: number; count: number }>> {
  if (fingerprints.length === 0) return [];
  const p = new SqlParams();
  const where = [`project_id = ${p.add(projectId)}`, ...timeFilters(p, 'time_us', range)];
  where.push(`fingerprint IN (${fingerprints.map((f) => p.add(f)).join(', ')})`);
  const columns = await columnsOf(
    connection,
    `SELECT fingerprint, (time_us // ${HOUR_US}) * ${HOUR_US} AS hour, count(*) AS n
     FROM error_events WHERE ${where.join(' AND ')} GROUP BY 1, 2 ORDER BY 1, 2`,
    p.values,
  );
  return mapRows(columns, (row) => ({ fingerprint: row.get('fingerprint') as string, hourUs: num(row.get('hour')), count: num(row.get('n')) }));
}

export async function selectErrorOccurrences(
  connection: DuckDBConnection,
  projectId: string,
  fingerprint: string,
  range: TimeRange,
  limit: number,
): Promise<ErrorOccurrenceRow[]> {
  const p = new SqlParams();
  const where = [`project_id = ${p.add(projectId)}`, `fingerprint = ${p.add(fingerprint)}`, ...timeFilters(p, 'time_us', range)];
  const columns = await columnsOf(
    connection,
    `SELECT time_us, trace_id, span_id, service_name, span_name, message FROM error_events
     WHERE ${where.join(' AND ')} ORDER BY time_us DESC, span_id LIMIT ${p.add(limit)}`,
    p.values,
  );
  return mapRows(columns, (row) => ({
    timeUs: num(row.get('time_us')),
    traceId: (row.get('trace_id') as string | null) ?? null,
    spanId: (row.get('span_id') as string | null) ?? null,
    serviceName: row.get('service_name') as string,
    spanName: row.get('span_name') as string,
    message: row.get('message') as string,
  }));
}

export async function upsertErrorGroupStatus(
  connection: DuckDBConnection,
  projectId: string,
  fingerprint: string,
  status: ErrorGroupStatus,
  nowUs: number,
): Promise<void> {
  await connection.run(
    `INSERT INTO error_group_states VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (project_id, fingerprint) DO UPDATE SET status = excluded.status, updated_us = excluded.updated_us, resolved_us = excluded.resolved_us`,
    [projectId, fingerprint, status, nowUs, status === 'resolved' ? nowUs : null],
  );
}
