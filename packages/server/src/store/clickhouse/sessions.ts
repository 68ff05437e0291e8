import type { TimeRange } from '@spoor/model';
import type { SessionRecord, SessionRunRecord } from '../store.js';
import { ChParams, type ChClient } from './client.js';
import { timeFilters } from './sql.js';

/**
 * Sessions and their runs, answering what the DuckDB store answers. A run is a trace with a span
 * of the session: the SDK marks only the workflow span with `session.id`, OpenInference every
 * span, so a run's totals come from the trace summaries (`trace_parts`), never from the
 * session's own spans. A run failed when its root span did (a trace without its root: when any
 * span did).
 */

/**
 * `session_traces` (session, trace) pairs of the range, then `runs` with each trace's totals.
 * The traces are looked up in `trace_parts` by its primary key (project, trace).
 */
function runsSql(ch: ChClient, p: ChParams, projectId: string, range: TimeRange, sessionId: string | null): string {
  const project = p.add(projectId);
  const where = [`project_id = ${project}`, 'session_id IS NOT NULL', ...timeFilters(p, 'start_us', range)];
  if (sessionId !== null) where.push(`session_id = ${p.add(sessionId)}`);
  return `
    session_traces AS (
      SELECT assumeNotNull(session_id) AS session, trace_id, groupUniqArray(toString(service_name)) AS services,
        arraySort(groupUniqArray(user_id)) AS users
      FROM ${ch.tables.spans} WHERE ${where.join(' AND ')} GROUP BY session, trace_id
    ),
    trace_totals AS (
      SELECT trace_id, min(start_us) AS first_us, max(end_us) AS last_us, sum(span_count) AS spans,
        sum(error_count) AS errors, sum(input_tokens) AS input, sum(output_tokens) AS output, sum(cost_usd) AS cost,
        coalesce(max(root_name), argMin(first_name, start_us)) AS root,
        coalesce(max(root_service), argMin(first_service, start_us)) AS service,
        max(root_failed) AS root_did_fail
      FROM ${ch.tables.trace_parts}
      WHERE project_id = ${project} AND trace_id IN (SELECT trace_id FROM session_traces)
      GROUP BY trace_id
    ),
    runs AS (
      SELECT st.session AS session_id, st.services AS services, st.users AS users, t.trace_id AS trace_id, t.first_us AS first_us,
        t.last_us AS last_us, t.spans AS spans, t.errors AS errors, t.input AS input, t.output AS output, t.cost AS cost,
        t.root AS root, t.service AS service, coalesce(t.root_did_fail, t.errors > 0) AS failed
      FROM session_traces AS st INNER JOIN trace_totals AS t ON st.trace_id = t.trace_id
    )`;
}

interface SessionRow {
  session_id: string;
  runs: number;
  failed_runs: number;
  input: number | null;
  output: number | null;
  cost: number | null;
  first_us: number;
  last_us: number;
  all_services: string[];
  all_users: string[];
}

/**
 * Every trace of a week's sessions can be looked up in \`trace_parts\`: ClickHouse matched a set of
 * 198,000 trace ids against the primary key for 0.7-0.9 s, where reading the parts whole takes
 * ~60 ms (bench:analytics, 5M spans: the query 1.66 s -> 0.85-0.95 s). A small set, such as one
 * session's runs, still uses the key.
 */
const MANY_TRACES = 'SETTINGS use_index_for_in_with_subqueries_max_values = 10000';

export async function listSessions(ch: ChClient, projectId: string, range: TimeRange, offset: number, limit: number): Promise<SessionRecord[]> {
  const p = new ChParams();
  const rows = await ch.rows<SessionRow>(
    'list sessions',
    `WITH ${runsSql(ch, p, projectId, range, null)}
     SELECT session_id, count() AS runs, countIf(failed) AS failed_runs, sum(input) AS input, sum(output) AS output, sum(cost) AS cost,
       min(first_us) AS first_us, max(last_us) AS last_us,
       arraySort(arrayDistinct(arrayFlatten(groupArray(services)))) AS all_services,
       arraySort(arrayDistinct(arrayFlatten(groupArray(users)))) AS all_users
     FROM runs GROUP BY session_id ORDER BY last_us DESC, session_id ASC
     LIMIT ${p.add(limit, 'UInt64')} OFFSET ${p.add(offset, 'UInt64')}
     ${MANY_TRACES}`,
    p,
  );
  return rows.map((row) => ({
    sessionId: row.session_id,
    runCount: row.runs,
    failedRuns: row.failed_runs,
    inputTokens: row.input,
    outputTokens: row.output,
    costUsd: row.cost,
    firstSeenUs: row.first_us,
    lastActivityUs: row.last_us,
    services: row.all_services,
    userIds: row.all_users,
  }));
}

interface RunRow {
  trace_id: string;
  root: string;
  service: string;
  first_us: number;
  last_us: number;
  failed: boolean | number;
  spans: number;
  errors: number;
  input: number | null;
  output: number | null;
  cost: number | null;
  users: string[];
}

export async function listSessionRuns(ch: ChClient, projectId: string, sessionId: string, range: TimeRange): Promise<SessionRunRecord[]> {
  const p = new ChParams();
  const rows = await ch.rows<RunRow>(
    "list a session's runs",
    `WITH ${runsSql(ch, p, projectId, range, sessionId)}
     SELECT * FROM runs ORDER BY first_us DESC, trace_id DESC`,
    p,
  );
  return rows.map((row) => ({
    traceId: row.trace_id,
    name: row.root,
    serviceName: row.service,
    startTimeUs: row.first_us,
    endTimeUs: row.last_us,
    failed: Boolean(row.failed),
    spanCount: row.spans,
    errorCount: row.errors,
    inputTokens: row.input,
    outputTokens: row.output,
    costUsd: row.cost,
    userId: row.users[0] ?? null,
  }));
}
