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
 * The traces are looked up in `trace_parts` by its primary key (project, trace). With `users`, each
 * run has the users its spans name, sorted.
 */
function runsSql(d: Dialect, p: Params, projectId: string, range: TimeRange, sessionId: string | null, users: boolean, user: string | null = null): string {
  const project = p.add(projectId);
  const where = [`project_id = ${project}`, 'session_id IS NOT NULL', ...timeFilters(p, 'start_us', range)];
  if (sessionId !== null) where.push(`session_id = ${p.add(sessionId)}`);
  // A user's sessions whole: every run of a session one of whose spans in the range names the user.
  if (user !== null) {
    const named = [`project_id = ${project}`, `user_id = ${p.add(user)}`, 'session_id IS NOT NULL', ...timeFilters(p, 'start_us', range)];
    where.push(`session_id IN (SELECT session_id FROM ${d.tables.span_facts} WHERE ${named.join(' AND ')})`);
  }
  return `
    session_traces AS (
      SELECT ${d.notNull('session_id')} AS session, trace_id${users ? `, ${d.sortList(d.collectDistinct('user_id'))} AS users` : ''}
      FROM ${d.tables.span_facts} WHERE ${where.join(' AND ')} GROUP BY session, trace_id
    ),
    trace_totals AS (
      SELECT trace_id, ${TRACE_TOTALS}, max(root_failed) AS root_did_fail
      FROM ${d.tables.trace_parts}
      WHERE project_id = ${project} AND trace_id IN (SELECT trace_id FROM session_traces)
      GROUP BY trace_id
    ),
    runs AS (
      SELECT st.session AS session_id,${users ? ' st.users AS users,' : ''} t.trace_id AS trace_id, t.t_start AS t_start,
        t.t_end AS t_end, t.t_spans AS t_spans, t.t_errors AS t_errors, t.t_input AS t_input, t.t_output AS t_output,
        t.t_cost AS t_cost, t.t_unpriced AS t_unpriced, t.t_root AS t_root, t.t_service AS t_service, coalesce(t.root_did_fail, t.t_errors > 0) AS failed
      FROM session_traces AS st INNER JOIN trace_totals AS t ON st.trace_id = t.trace_id
    )`;
}

/**
 * A page of the sessions with runs in the range, the latest active first. Their services, users and
 * traces are read in a second statement, for the page's sessions alone: gathered as lists for every
 * session of a week (60,000 on the analytics benchmark) before the page was cut, they cost a third
 * of the statement's CPU. With `user`, the sessions whose spans in the range name that user.
 */
export async function listSessions(
  db: SqlEngine,
  projectId: string,
  range: TimeRange,
  offset: number,
  limit: number,
  user: string | null = null,
): Promise<SessionRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const page = await db.rows(
    'list sessions',
    `WITH ${runsSql(d, p, projectId, range, null, false, user)}
     SELECT session_id, count(*) AS runs, countIf(failed) AS failed_runs, sum(t_input) AS input, sum(t_output) AS output, sum(t_cost) AS cost, sum(t_unpriced) AS unpriced,
       min(t_start) AS first_us, max(t_end) AS last_us
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
      services: [] as string[],
      userIds: [] as string[],
      traceIds: [] as string[],
    }),
  );
  if (page.length === 0) return page;
  const tags = await sessionTags(
    db,
    projectId,
    range,
    page.map((s) => s.sessionId),
  );
  for (const session of page) Object.assign(session, tags.get(session.sessionId));
  return page;
}

/** The services, users and traces of these sessions' spans in the range (those of their runs), each sorted. */
async function sessionTags(
  db: SqlEngine,
  projectId: string,
  range: TimeRange,
  sessionIds: readonly string[],
): Promise<Map<string, Pick<SessionRecord, 'services' | 'userIds' | 'traceIds'>>> {
  const d = db.dialect;
  const p = d.params();
  const where = [`project_id = ${p.add(projectId)}`, `session_id IN ${p.texts(sessionIds)}`, ...timeFilters(p, 'start_us', range)];
  const rows = await db.rows(
    'read the services and users of sessions',
    `SELECT ${d.notNull('session_id')} AS session, ${d.sortList(d.collectDistinct('CAST(service_name AS VARCHAR)'))} AS services,
       ${d.sortList(d.collectDistinct('user_id'))} AS users, ${d.sortList(d.collectDistinct('trace_id'))} AS traces
     FROM ${d.tables.span_facts} WHERE ${where.join(' AND ')} GROUP BY session`,
    p,
    (row) =>
      [
        row.get('session') as string,
        { services: row.get('services') as string[], userIds: row.get('users') as string[], traceIds: row.get('traces') as string[] },
      ] as const,
  );
  return new Map(rows);
}

export function listSessionRuns(db: SqlEngine, projectId: string, sessionId: string, range: TimeRange): Promise<SessionRunRecord[]> {
  const d = db.dialect;
  const p = d.params();
  return db.rows(
    "list a session's runs",
    `WITH ${runsSql(d, p, projectId, range, sessionId, true)}
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
