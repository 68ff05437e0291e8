import { num } from '../record-rows.js';
import type { Dialect, Params, SqlEngine } from './dialect.js';

/**
 * When error groups were first and last seen of all time, and what their latest event said,
 * without checking their whole history for errors passed on from a child.
 *
 * A group's history grows with the store (a week of a busy group: 333,000 errors beside the day's
 * 47,000), and checking every row of it cost 5.7x what the day did on DuckDB, 2.4x on ClickHouse.
 * But the earliest and latest rows of `errors` are almost always events themselves; where they
 * are, they are the first and last seen, and only those rows need checking. A group whose earliest
 * or latest row is passed on (a log of a span's exception that came first, a parent's error stored
 * alone) has its whole history checked, which is the answer all the same.
 *
 * The ends are found and checked by statements of their own (`errorGroupEnds`), and the list names
 * them by value: as subqueries, ClickHouse (which inlines a subquery at each use) computed them
 * once per check of every read of `errors` in the list, slower than reading the whole history.
 */
export interface ErrorGroupEnds {
  /** The groups whose earliest and latest errors are events, and those errors' times. */
  certain: string[];
  times: number[];
  /** The groups read over their whole history. */
  uncertain: string[];
}

/** The ends of each group of the project with an error where the conditions on `errors` that `whereOf` writes hold. */
export async function errorGroupEnds(db: SqlEngine, projectId: string, whereOf: (p: Params) => string[]): Promise<ErrorGroupEnds> {
  const d = db.dialect;
  const scope = d.params();
  const project = scope.add(projectId);
  const where = whereOf(scope);
  const raw = await db.rows(
    "find error groups' earliest and latest errors",
    `SELECT fingerprint, min(time_us) AS first_raw, max(time_us) AS last_raw FROM ${d.tables.errors}
     WHERE project_id = ${project} AND fingerprint IN (SELECT fingerprint FROM ${d.tables.errors} WHERE ${[`project_id = ${project}`, ...where].join(' AND ')})
     GROUP BY fingerprint`,
    scope,
    (row) => ({ fingerprint: row.get('fingerprint') as string, first: num(row.get('first_raw')), last: num(row.get('last_raw')) }),
  );
  if (raw.length === 0) return { certain: [], times: [], uncertain: [] };
  const p = d.params();
  const events = await db.rows(
    "check error groups' earliest and latest errors",
    `SELECT DISTINCT fingerprint, time_us FROM ${endEventsSql(
      d,
      p,
      p.add(projectId),
      raw.map((r) => r.fingerprint),
      raw.flatMap((r) => [r.first, r.last]),
    )} AS e`,
    p,
    (row) => `${row.get('fingerprint') as string} ${num(row.get('time_us'))}`,
  );
  const found = new Set(events);
  const ends: ErrorGroupEnds = { certain: [], times: [], uncertain: [] };
  for (const r of raw) {
    if (found.has(`${r.fingerprint} ${r.first}`) && found.has(`${r.fingerprint} ${r.last}`)) {
      ends.certain.push(r.fingerprint);
      ends.times.push(r.first, r.last);
    } else ends.uncertain.push(r.fingerprint);
  }
  return ends;
}

/**
 * The events of these groups at these times. A group's row at another group's end time comes too;
 * it lies between its own group's ends, so it changes neither their first, last nor latest message.
 */
function endEventsSql(d: Dialect, p: Params, project: string, fingerprints: readonly string[], times: readonly number[]): string {
  return d.errorEvents(project, [`fingerprint IN ${p.texts(fingerprints)}`, `time_us IN ${p.ints([...new Set(times)])}`], true);
}

/**
 * One row per group of `ends` (at least one group) with an event: `first_us`, `last_us`,
 * `sample_message` (the latest event's) and the group's identity, `v_exception_type` ... `v_tool_name`.
 */
export function errorGroupsSeenSql(d: Dialect, p: Params, project: string, ends: ErrorGroupEnds): string {
  const events = [
    ...(ends.certain.length === 0 ? [] : [`SELECT * FROM ${endEventsSql(d, p, project, ends.certain, ends.times)} AS e`]),
    ...(ends.uncertain.length === 0 ? [] : [`SELECT * FROM ${d.errorEvents(project, [`fingerprint IN ${p.texts(ends.uncertain)}`])} AS e`]),
  ].join(' UNION ALL ');
  return `(SELECT fingerprint, min(time_us) AS first_us, max(time_us) AS last_us, argMax(message, time_us) AS sample_message,
      any_value(exception_type) AS v_exception_type, any_value(message_key) AS v_message_key, any_value(frame) AS v_frame,
      any_value(provider) AS v_provider, any_value(http_status) AS v_http_status, any_value(error_type) AS v_error_type,
      any_value(finish_reason) AS v_finish_reason, any_value(tool_name) AS v_tool_name
    FROM (${events}) AS seen GROUP BY fingerprint)`;
}
