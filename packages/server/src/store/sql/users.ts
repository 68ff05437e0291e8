import type { TimeRange } from '@spoor/model';
import { num, numOrNull } from '../record-rows.js';
import type { UserRecord } from '../store.js';
import type { SqlEngine } from './dialect.js';
import { timeFilters } from './filters.js';
import { TRACE_TOTALS } from './traces.js';

/**
 * A page of the users of the sessions in the range, the latest seen first. A user is a `user.id` on
 * a session's span, as the sessions list reads them, and their runs the traces of those spans: a
 * run that names two users counts for both. Totals come from the trace summaries, as a session's.
 * The user is `uid` until the end: ClickHouse reads an alias named as a column in the WHERE for the column.
 */
export function listUsers(db: SqlEngine, projectId: string, range: TimeRange, offset: number, limit: number): Promise<UserRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const project = p.add(projectId);
  const where = [`project_id = ${project}`, 'session_id IS NOT NULL', 'user_id IS NOT NULL', ...timeFilters(p, 'start_us', range)];
  return db.rows(
    'list users',
    `WITH user_spans AS (
       SELECT ${d.notNull('user_id')} AS uid, ${d.notNull('session_id')} AS session, trace_id
       FROM ${d.tables.span_facts} WHERE ${where.join(' AND ')} GROUP BY uid, session, trace_id
     ),
     user_sessions AS (SELECT uid, count(DISTINCT session) AS sessions FROM user_spans GROUP BY uid),
     user_traces AS (SELECT uid, trace_id FROM user_spans GROUP BY uid, trace_id),
     trace_totals AS (
       SELECT trace_id, ${TRACE_TOTALS}, max(root_failed) AS root_did_fail
       FROM ${d.tables.trace_parts}
       WHERE project_id = ${project} AND trace_id IN (SELECT trace_id FROM user_spans)
       GROUP BY trace_id
     ),
     runs AS (
       SELECT ut.uid AS uid, t.t_start AS t_start, t.t_end AS t_end, t.t_errors AS t_errors, t.t_input AS t_input, t.t_output AS t_output,
         t.t_cost AS t_cost, t.t_unpriced AS t_unpriced, coalesce(t.root_did_fail, t.t_errors > 0) AS failed
       FROM user_traces AS ut INNER JOIN trace_totals AS t ON ut.trace_id = t.trace_id
     ),
     per_user AS (
       SELECT uid, count(*) AS runs, countIf(failed) AS failed_runs, sum(t_errors) AS errors, sum(t_input) AS input, sum(t_output) AS output,
         sum(t_cost) AS cost, sum(t_unpriced) AS unpriced, min(t_start) AS first_us, max(t_end) AS last_us
       FROM runs GROUP BY uid
     )
     SELECT u.uid AS user_id, s.sessions AS sessions, u.runs AS runs, u.failed_runs AS failed_runs, u.errors AS errors, u.input AS input,
       u.output AS output, u.cost AS cost, u.unpriced AS unpriced, u.first_us AS first_us, u.last_us AS last_us
     FROM per_user AS u INNER JOIN user_sessions AS s ON u.uid = s.uid
     ORDER BY last_us DESC, user_id ASC
     LIMIT ${p.count(limit)} OFFSET ${p.count(offset)}
     ${d.largeInSets}`,
    p,
    (row) => ({
      userId: row.get('user_id') as string,
      sessionCount: num(row.get('sessions')),
      runCount: num(row.get('runs')),
      failedRuns: num(row.get('failed_runs')),
      errorCount: num(row.get('errors')),
      inputTokens: numOrNull(row.get('input')),
      outputTokens: numOrNull(row.get('output')),
      costUsd: numOrNull(row.get('cost')),
      unpricedCalls: num(row.get('unpriced')),
      firstSeenUs: num(row.get('first_us')),
      lastSeenUs: num(row.get('last_us')),
    }),
  );
}

/** Per user of these, the traces of their session spans in the range (their runs, as `listUsers` counts them), sorted. */
export async function userTraces(db: SqlEngine, projectId: string, userIds: readonly string[], range: TimeRange): Promise<Map<string, string[]>> {
  if (userIds.length === 0) return new Map();
  const d = db.dialect;
  const p = d.params();
  const where = [`project_id = ${p.add(projectId)}`, 'session_id IS NOT NULL', `user_id IN ${p.texts(userIds)}`, ...timeFilters(p, 'start_us', range)];
  const rows = await db.rows(
    'read the traces of users',
    `SELECT ${d.notNull('user_id')} AS uid, ${d.sortList(d.collectDistinct('trace_id'))} AS traces
     FROM ${d.tables.span_facts} WHERE ${where.join(' AND ')} GROUP BY uid`,
    p,
    (row) => [row.get('uid') as string, row.get('traces') as string[]] as const,
  );
  return new Map(rows);
}
