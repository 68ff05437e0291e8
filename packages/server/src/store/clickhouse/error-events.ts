import type { Tables } from './client.js';

/**
 * The errors that count, each failure once: what DuckDB's `error_events` view holds (see its
 * comment in `duckdb/schema.ts`), as a subquery over one project's `errors` that meet
 * `conditions`. Left out: a span error that only passes on a failed child's (same type and
 * message key), or that has nothing of its own (no exception type, or `Error` in rows an
 * older Spoor wrote; no frame, no finish reason) over a failed child; and a log error whose
 * trace has a span error of the same type and message key.
 *
 * A subquery rather than a view, so the caller's conditions (project, time, fingerprint) sit
 * beside the checks and the primary key `(project_id, fingerprint, time_us)` narrows the read.
 * The checks are `IN` over tuples, as in DuckDB, but a set of string tuples costs ~40 ms per
 * 100,000 rows to build, so each set holds only what the rows asked for can meet: the errors
 * whose parent is one of their spans, and the span errors of their logs' traces, both found by
 * a hash of the (trace, span) or trace, a set of numbers. A hash that collides lets an unrelated
 * row into a set, never keeps one out, and the tuple comparison after it is exact.
 *
 * Those sets are looked for among all the project's errors, a scan that grows with the store. With
 * `few`, the rows asked for are a handful, and the trace id's bloom filter index first skips the
 * granules that hold none of their traces; over many traces it skips nothing and costs its checks.
 *
 * The `IS NULL` guards make each check hold where DuckDB's does with NULLs: `NOT EXISTS` over
 * `c.trace_id = e.trace_id` is true when `e.trace_id` is NULL.
 */
export function errorEventsSql(tables: Tables, project: string, conditions: readonly string[], few = false): string {
  const errors = tables.errors;
  const scope = [`project_id = ${project}`, ...conditions].join(' AND ');
  const spansAsked = `SELECT cityHash64(trace_id, span_id) FROM ${errors} WHERE ${scope} AND trace_id IS NOT NULL AND span_id IS NOT NULL`;
  const ofTraces = few ? ` AND trace_id IN (SELECT trace_id FROM ${errors} WHERE ${scope} AND trace_id IS NOT NULL)` : '';
  const children = `FROM ${errors} WHERE project_id = ${project} AND trace_id IS NOT NULL AND parent_span_id IS NOT NULL${ofTraces}
    AND cityHash64(trace_id, parent_span_id) IN (${spansAsked})`;
  const logTraces = `SELECT cityHash64(trace_id) FROM ${errors} WHERE ${scope} AND source = 'log' AND trace_id IS NOT NULL`;
  const checks = [
    // Not a span that passes on its failed child's error.
    `(span_id IS NULL OR trace_id IS NULL
      OR (trace_id, span_id, exception_type, message_key) NOT IN (SELECT trace_id, parent_span_id, exception_type, message_key ${children}))`,
    // Not a span that failed with only a status over a failed child.
    `NOT (source = 'span' AND exception_type IN ('', 'Error') AND frame IS NULL AND finish_reason IS NULL
      AND trace_id IS NOT NULL AND span_id IS NOT NULL
      AND (trace_id, span_id) IN (SELECT trace_id, parent_span_id ${children}))`,
    // Not a log reporting what a span of its trace recorded.
    `(source != 'log' OR trace_id IS NULL
      OR (trace_id, exception_type, message_key) NOT IN (
        SELECT trace_id, exception_type, message_key FROM ${errors}
        WHERE project_id = ${project} AND source = 'span' AND trace_id IS NOT NULL${ofTraces} AND cityHash64(trace_id) IN (${logTraces})))`,
  ];
  return `(SELECT * FROM ${errors} WHERE ${scope}\n AND ${checks.join('\n AND ')})`;
}

/**
 * What users decided about the project's error groups, one row per group: the newest version's
 * status and resolve time (the tuple keeps a NULL resolve time from being skipped by `argMax`).
 */
export function errorStatesSql(tables: Tables, project: string): string {
  return `(SELECT fingerprint, s.1 AS status, s.2 AS resolved_us FROM (
    SELECT fingerprint, argMax((status, resolved_us), version) AS s FROM ${tables.error_group_states}
    WHERE project_id = ${project} GROUP BY fingerprint))`;
}
