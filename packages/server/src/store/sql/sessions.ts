import type { TimeRange } from '@spoor/model';
import { num, numOrNull } from '../record-rows.js';
import type { SessionRecord, SessionRunRecord } from '../store.js';
import type { Dialect, Params, SqlEngine } from './dialect.js';
import { timeFilters } from './filters.js';
import { TRACE_TOTALS, traceTotalsFromRow } from './traces.js';

/**
 * Sessions and their runs. A run is a trace with a span of the session: the SDK marks only the
 * workflow span with `session.id`, OpenInference every span, so a run's totals come from the
 * trace summaries (`trace_parts`), never from the session's own spans. A run failed when its root
 * span did (a trace without its root: when any span did).
 */

/**
 * `session_traces` (session, trace) pairs of the range, then `runs` with each trace's totals.
 * The traces are looked up in `trace_parts` by its primary key (project, trace).
 */
function runsSql(d: Dialect, p: Params, projectId: string, range: TimeRange, sessionId: string | null): string {
  const project = p.add(projectId);
  const where = [`project_id = ${project}`, 'session_id IS NOT NULL', ...timeFilters(p, 'start_us', range)];
  if (sessionId !== null) where.push(`session_id = ${p.add(sessionId)}`);
  return `
    session_traces AS (
      SELECT ${d.notNull('session_id')} AS session, trace_id, ${d.collectDistinct('CAST(service_name AS VARCHAR)')} AS services,
        ${d.sortList(d.collectDistinct('user_id'))} AS users
      FROM ${d.tables.span_facts} WHERE ${where.join(' AND ')} GROUP BY session, trace_id
    ),
    trace_totals AS (
      SELECT trace_id, ${TRACE_TOTALS}, max(root_failed) AS root_did_fail
      FROM ${d.tables.trace_parts}
      WHERE project_id = ${project} AND trace_id IN (SELECT trace_id FROM session_traces)
      GROUP BY trace_id
    ),
    runs AS (
      SELECT st.session AS session_id, st.services AS services, st.users AS users, t.trace_id AS trace_id, t.t_start AS t_start,
        t.t_end AS t_end, t.t_spans AS t_spans, t.t_errors AS t_errors, t.t_input AS t_input, t.t_output AS t_output,
        t.t_cost AS t_cost, t.t_unpriced AS t_unpriced, t.t_root AS t_root, t.t_service AS t_service, coalesce(t.root_did_fail, t.t_errors > 0) AS failed
      FROM session_traces AS st INNER JOIN trace_totals AS t ON st.trace_id = t.trace_id
    )`;
}

export function listSessions(db: SqlEngine, projectId: string, range: TimeRange, offset: number, limit: number): Promise<SessionRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const allOf = (lists: string) => d.sortList(d.distinctList(`flatten(${d.collect(lists)})`));
  return db.rows(
    'list sessions',
    `WITH ${runsSql(d, p, projectId, range, null)}
     SELECT session_id, count(*) AS runs, countIf(failed) AS failed_runs, sum(t_input) AS input, sum(t_output) AS output, sum(t_cost) AS cost, sum(t_unpriced) AS unpriced,
       min(t_start) AS first_us, max(t_end) AS last_us, ${allOf('services')} AS all_services, ${allOf('users')} AS all_users
     FROM runs GROUP BY session_id ORDER BY last_us DESC, session_id ASC
     LIMIT ${p.count(limit)} OFFSET ${p.count(offset)}
     ${d.largeInSets}`,
    p,
    (row) => ({
      sessionId: row.get('session_id') as string,
      runCount: num(row.get('runs')),
      failedRuns: num(row.get('failed_runs')),
      inputTokens: numOrNull(row.get('input')),
      outputTokens: numOrNull(row.get('output')),
      costUsd: numOrNull(row.get('cost')),
      unpricedCalls: num(row.get('unpriced')),
      firstSeenUs: num(row.get('first_us')),
      lastActivityUs: num(row.get('last_us')),
      services: row.get('all_services') as string[],
      userIds: row.get('all_users') as string[],
    }),
  );
}

export function listSessionRuns(db: SqlEngine, projectId: string, sessionId: string, range: TimeRange): Promise<SessionRunRecord[]> {
  const d = db.dialect;
  const p = d.params();
  return db.rows(
    "list a session's runs",
    `WITH ${runsSql(d, p, projectId, range, sessionId)}
     SELECT * FROM runs ORDER BY t_start DESC, trace_id DESC`,
    p,
    (row) => ({
      ...traceTotalsFromRow(row),
      name: row.get('t_root') as string,
      // A boolean, or ClickHouse's 0 or 1.
      failed: Boolean(row.get('failed')),
      userId: (row.get('users') as string[])[0] ?? null,
    }),
  );
}
