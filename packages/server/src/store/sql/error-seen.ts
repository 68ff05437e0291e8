import type { Dialect } from './dialect.js';

/**
 * When error groups were first and last seen of all time, and what their latest event said: one
 * row per group of `fingerprints` (a subquery of fingerprints) that has an event, with
 * `first_us`, `last_us`, `sample_message` (the latest event's) and the group's identity as
 * `v_exception_type` ... `v_tool_name`: the aggregate of the groups' events (`Dialect.errorEvents`)
 * over all their history, without reading it.
 *
 * A group's history grows with the store (a week of a busy group: 333,000 errors beside the day's
 * 47,000), and checking every row of it for being a child's error passed on cost 5.7x what the day
 * did. But the earliest and latest rows of `errors` are almost always events themselves; where
 * they are, they are the first and last seen, and only those rows are checked. Only a group whose
 * earliest or latest row is passed on (a log of a span's exception that came first, a parent's
 * error stored alone) has its whole history checked, which is the answer all the same.
 */
export function errorGroupsSeenSql(d: Dialect, project: string, fingerprints: string): string {
  const rawSql = `SELECT fingerprint, min(time_us) AS first_raw, max(time_us) AS last_raw FROM ${d.tables.errors}
    WHERE project_id = ${project} AND fingerprint IN (${fingerprints}) GROUP BY fingerprint`;
  // Where a CTE is computed once each part is one; else each use is the part's own subquery.
  const once = d.ctesComputedOnce;
  const raw = once ? 'raw' : `(${rawSql})`;
  const endsSql = d.errorEvents(project, [
    `(fingerprint, time_us) IN (SELECT fingerprint, first_raw FROM ${raw} AS r UNION ALL SELECT fingerprint, last_raw FROM ${raw} AS r)`,
  ]);
  const ends = once ? 'ends' : endsSql;
  // The groups whose earliest and latest rows are both events.
  const sureSql = `SELECT r.fingerprint AS fingerprint FROM ${raw} AS r
    INNER JOIN (SELECT fingerprint, min(time_us) AS first_event, max(time_us) AS last_event FROM ${ends} AS e GROUP BY fingerprint) AS c
      ON c.fingerprint = r.fingerprint
    WHERE c.first_event = r.first_raw AND c.last_event = r.last_raw`;
  const sure = once ? 'SELECT fingerprint FROM sure' : sureSql;
  const events = `SELECT * FROM ${ends} AS e WHERE fingerprint IN (${sure})
    UNION ALL
    SELECT * FROM ${d.errorEvents(project, [`fingerprint IN (${fingerprints})`, `fingerprint NOT IN (${sure})`])} AS e`;
  const ctes = once ? `WITH raw AS (${rawSql}), ends AS (SELECT * FROM ${endsSql} AS e), sure AS (${sureSql}) ` : '';
  return `(${ctes}SELECT fingerprint, min(time_us) AS first_us, max(time_us) AS last_us, argMax(message, time_us) AS sample_message,
      any_value(exception_type) AS v_exception_type, any_value(message_key) AS v_message_key, any_value(frame) AS v_frame,
      any_value(provider) AS v_provider, any_value(http_status) AS v_http_status, any_value(error_type) AS v_error_type,
      any_value(finish_reason) AS v_finish_reason, any_value(tool_name) AS v_tool_name
    FROM (${events}) AS seen GROUP BY fingerprint)`;
}
