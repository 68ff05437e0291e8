import type { DuckDBConnection } from '@duckdb/node-api';
import type { TimeRange } from '@spoor/model';
import type { SessionRecord, SessionRunRecord } from '../store.js';
import { mapRows, num, numOrNull, columnsOf } from './read.js';
import { SqlParams, timeFilters } from './sql.js';

/**
 * Sessions and their runs. A run is a trace with a span of the session: the SDK marks only the
 * workflow span with `session.id`, OpenInference every span, so a run's totals come from the
 * trace summaries, never from the session's own spans. A run failed when its root span did
 * (a trace without its root: when any span did).
 */

/** `session_traces` (session, trace) pairs of the range, then `runs` with each trace's totals. */
function runsSql(p: SqlParams, projectId: string, range: TimeRange, sessionId: string | null): string {
  const project = p.add(projectId);
  const where = [`project_id = ${project}`, 'session_id IS NOT NULL', ...timeFilters(p, 'start_us', range)];
  if (sessionId !== null) where.push(`session_id = ${p.add(sessionId)}`);
  return `
    session_traces AS (
      SELECT session_id, trace_id, list(DISTINCT service_name) AS services,
        list(DISTINCT user_id ORDER BY user_id) FILTER (WHERE user_id IS NOT NULL) AS users
      FROM spans WHERE ${where.join(' AND ')} GROUP BY ALL
    ),
    trace_totals AS (
      SELECT trace_id, min(start_us) AS start_us, max(end_us) AS end_us, sum(span_count) AS span_count,
        sum(error_count) AS error_count, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
        sum(cost_usd) AS cost_usd,
        coalesce(max(root_name), arg_min(first_name, start_us)) AS root_name,
        coalesce(max(root_service), arg_min(first_service, start_us)) AS service_name,
        bool_or(root_failed) AS root_failed
      FROM trace_parts WHERE project_id = ${project} AND trace_id IN (SELECT trace_id FROM session_traces)
      GROUP BY trace_id
    ),
    runs AS (
      SELECT st.session_id, st.services, st.users, t.*, coalesce(t.root_failed, t.error_count > 0) AS failed
      FROM session_traces st JOIN trace_totals t USING (trace_id)
    )`;
}

export async function selectSessions(connection: DuckDBConnection, projectId: string, range: TimeRange, offset: number, limit: number): Promise<SessionRecord[]> {
  const p = new SqlParams();
  const columns = await columnsOf(
    connection,
    `WITH ${runsSql(p, projectId, range, null)}
     SELECT session_id, count(*) AS runs, count_if(failed) AS failed, sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd, min(start_us) AS first_us, max(end_us) AS last_us,
       list_sort(list_distinct(flatten(list(services)))) AS services,
       list_sort(list_distinct(flatten(list(coalesce(users, []))))) AS users
     FROM runs GROUP BY session_id ORDER BY last_us DESC, session_id LIMIT ${p.add(limit)} OFFSET ${p.add(offset)}`,
    p.values,
  );
  return mapRows(columns, (row) => ({
    sessionId: row.get('session_id') as string,
    runCount: num(row.get('runs')),
    failedRuns: num(row.get('failed')),
    inputTokens: numOrNull(row.get('input_tokens')),
    outputTokens: numOrNull(row.get('output_tokens')),
    costUsd: numOrNull(row.get('cost_usd')),
    firstSeenUs: num(row.get('first_us')),
    lastActivityUs: num(row.get('last_us')),
    services: row.get('services') as string[],
    userIds: row.get('users') as string[],
  }));
}

export async function selectSessionRuns(connection: DuckDBConnection, projectId: string, sessionId: string, range: TimeRange): Promise<SessionRunRecord[]> {
  const p = new SqlParams();
  const columns = await columnsOf(
    connection,
    `WITH ${runsSql(p, projectId, range, sessionId)}
     SELECT * FROM runs ORDER BY start_us DESC, trace_id DESC`,
    p.values,
  );
  return mapRows(columns, (row) => ({
    traceId: row.get('trace_id') as string,
    name: row.get('root_name') as string,
    serviceName: row.get('service_name') as string,
    startTimeUs: num(row.get('start_us')),
    endTimeUs: num(row.get('end_us')),
    failed: row.get('failed') as boolean,
    spanCount: num(row.get('span_count')),
    errorCount: num(row.get('error_count')),
    inputTokens: numOrNull(row.get('input_tokens')),
    outputTokens: numOrNull(row.get('output_tokens')),
    costUsd: numOrNull(row.get('cost_usd')),
    userId: (row.get('users') as string[] | null)?.[0] ?? null,
  }));
}
