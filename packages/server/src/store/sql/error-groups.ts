import { type ErrorGroupStatus, SPOOR_SERVICE_NAME, type TimeRange } from '@spoor/model';
import { num, numOrNull } from '../record-rows.js';
import type { ErrorGroupQuery, ErrorGroupRecord, ErrorOccurrenceRow } from '../store.js';
import type { Dialect, Params, SqlEngine } from './dialect.js';
import { errorGroupEnds, errorGroupsSeenSql } from './error-seen.js';
import { timeFilters } from './filters.js';

/**
 * Error groups: the error events (`Dialect.errorEvents`: errors that are not just a child's
 * passed on) by fingerprint, with what users decided about them (`Dialect.errorStates`).
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

/**
 * `g`: each group hit in the range, with its count, its traces, its services and the traces last
 * hit most recently, each once (a trace failing in a loop does not crowd out the others). Where a
 * CTE is computed once, the range's events are read once into `hits` and aggregated by group and
 * by (group, trace); where a CTE is inlined at each use, they are aggregated in one pass by
 * (group, trace), then by group, which builds a list of services per (group, trace): on DuckDB
 * that cost ~15% more CPU (error groups over a week of the analytics bench data, 95,000 errors).
 */
function rangeGroupsSql(d: Dialect, events: string): string {
  const latest = d.latest('trace_id', 'trace_last_us', SAMPLE_TRACES);
  if (d.ctesComputedOnce) {
    return `hits AS (SELECT * FROM ${events} AS e),
     counts AS (
       SELECT fingerprint, count(*) AS n, count(DISTINCT trace_id) AS traces, ${d.sortList(d.collectDistinct('service_name'))} AS services
       FROM hits GROUP BY fingerprint
     ),
     samples AS (
       SELECT fingerprint, ${latest} AS sample_traces
       FROM (SELECT fingerprint, trace_id, max(time_us) AS trace_last_us FROM hits GROUP BY fingerprint, trace_id) AS per_trace GROUP BY fingerprint
     ),
     g AS (
       SELECT counts.fingerprint AS fingerprint, n, traces, services, sample_traces
       FROM counts INNER JOIN samples ON samples.fingerprint = counts.fingerprint
     )`;
  }
  return `g AS (
       SELECT fingerprint, sum(hits) AS n, countIf(trace_id IS NOT NULL) AS traces,
         ${d.sortList(d.distinctList(`flatten(${d.collect('trace_services')})`))} AS services, ${latest} AS sample_traces
       FROM (
         SELECT fingerprint, trace_id, count(*) AS hits, max(time_us) AS trace_last_us, ${d.collectDistinct('service_name')} AS trace_services
         FROM ${events} AS e GROUP BY fingerprint, trace_id
       ) AS per_trace GROUP BY fingerprint
     )`;
}

/** The conditions on `errors` of a query but its project, over `p`'s parameters. */
function whereOf(p: Params, query: ErrorGroupQuery): string[] {
  const where = timeFilters(p, 'time_us', query.range);
  // Spoor's own failures (a judge's or an experiment's call) are not the app's errors: listed only
  // when their service is asked for, as the trace list does.
  where.push(query.service !== null ? `service_name = ${p.add(query.service)}` : `service_name <> ${p.add(SPOOR_SERVICE_NAME)}`);
  if (query.fingerprint !== null) where.push(`fingerprint = ${p.add(query.fingerprint)}`);
  return where;
}

/**
 * Counts, traces, services and samples are of the range (and service); first and last seen, the
 * sample message and the parts of all time (`error-seen.ts`).
 */
export async function listErrorGroups(db: SqlEngine, query: ErrorGroupQuery, offset: number, limit: number): Promise<ErrorGroupRecord[]> {
  const d = db.dialect;
  const ends = await errorGroupEnds(db, query.projectId, (p) => whereOf(p, query));
  if (ends.certain.length === 0 && ends.uncertain.length === 0) return [];
  const p = d.params();
  const project = p.add(query.projectId);
  const where = whereOf(p, query);
  const outer = query.status === null ? '' : `WHERE ${EFFECTIVE_STATUS} = ${p.add(query.status)}`;
  return db.rows(
    'list error groups',
    `WITH ${rangeGroupsSql(d, d.errorEvents(project, where))}
     SELECT g.fingerprint AS fingerprint, g.n AS n, g.traces AS traces, g.services AS services, g.sample_traces AS sample_traces,
       a.first_us AS first_us, a.last_us AS last_us, a.sample_message AS sample_message, a.v_exception_type AS v_exception_type,
       a.v_message_key AS v_message_key, a.v_frame AS v_frame, a.v_provider AS v_provider, a.v_http_status AS v_http_status,
       a.v_error_type AS v_error_type, a.v_finish_reason AS v_finish_reason, a.v_tool_name AS v_tool_name,
       coalesce(st.status, 'unresolved') AS stored_status, st.resolved_us AS resolved_us
     FROM g
     INNER JOIN ${errorGroupsSeenSql(d, p, project, ends)} AS a ON a.fingerprint = g.fingerprint
     LEFT JOIN ${d.errorStates(project)} AS st ON st.fingerprint = g.fingerprint
     ${outer}
     ORDER BY ${SORTS[query.sort]}, g.fingerprint LIMIT ${p.count(limit)} OFFSET ${p.count(offset)}`,
    p,
    (row) => ({
      fingerprint: row.get('fingerprint') as string,
      exceptionType: row.get('v_exception_type') as string,
      messageKey: row.get('v_message_key') as string,
      frame: (row.get('v_frame') as string | null) ?? null,
      provider: (row.get('v_provider') as string | null) ?? null,
      httpStatus: numOrNull(row.get('v_http_status')),
      errorType: (row.get('v_error_type') as string | null) ?? null,
      finishReason: (row.get('v_finish_reason') as string | null) ?? null,
      toolName: (row.get('v_tool_name') as string | null) ?? null,
      sampleMessage: row.get('sample_message') as string,
      storedStatus: row.get('stored_status') as ErrorGroupStatus,
      resolvedUs: numOrNull(row.get('resolved_us')),
      count: num(row.get('n')),
      traceCount: num(row.get('traces')),
      firstSeenUs: num(row.get('first_us')),
      lastSeenUs: num(row.get('last_us')),
      services: row.get('services') as string[],
      sampleTraceIds: (row.get('sample_traces') as string[] | null) ?? [],
    }),
  );
}

/** Occurrences per hour (bucket = floor(time / 1 h) * 1 h) of these groups in the range. */
export function errorGroupHourly(
  db: SqlEngine,
  projectId: string,
  fingerprints: readonly string[],
  range: TimeRange,
): Promise<Array<{ fingerprint: string; hourUs: number; count: number }>> {
  if (fingerprints.length === 0) return Promise.resolve([]);
  const d = db.dialect;
  const p = d.params();
  const project = p.add(projectId);
  const where = [`fingerprint IN ${p.texts(fingerprints)}`, ...timeFilters(p, 'time_us', range)];
  return db.rows(
    'count error group occurrences per hour',
    `SELECT fingerprint, ${d.intDiv('time_us', String(HOUR_US))} * ${HOUR_US} AS hour_us, count(*) AS n
     FROM ${d.errorEvents(project, where)} AS e GROUP BY fingerprint, hour_us ORDER BY fingerprint, hour_us`,
    p,
    (row) => ({ fingerprint: row.get('fingerprint') as string, hourUs: num(row.get('hour_us')), count: num(row.get('n')) }),
  );
}

/** The newest occurrences of a group. */
export function listErrorOccurrences(db: SqlEngine, projectId: string, fingerprint: string, range: TimeRange, limit: number): Promise<ErrorOccurrenceRow[]> {
  const d = db.dialect;
  const p = d.params();
  const project = p.add(projectId);
  const where = [`fingerprint = ${p.add(fingerprint)}`, ...timeFilters(p, 'time_us', range)];
  return db.rows(
    'list error occurrences',
    `SELECT time_us, trace_id, span_id, service_name, span_name, message FROM ${d.errorEvents(project, where)} AS e
     ORDER BY time_us DESC, span_id LIMIT ${p.count(limit)}`,
    p,
    (row) => ({
      timeUs: num(row.get('time_us')),
      traceId: (row.get('trace_id') as string | null) ?? null,
      spanId: (row.get('span_id') as string | null) ?? null,
      serviceName: row.get('service_name') as string,
      spanName: row.get('span_name') as string,
      message: row.get('message') as string,
    }),
  );
}
