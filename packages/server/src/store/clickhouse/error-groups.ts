import type { ErrorGroupStatus, TimeRange } from '@spoor/model';
import type { ErrorGroupQuery, ErrorGroupRecord, ErrorOccurrenceRow } from '../store.js';
import { ChParams, type ChClient } from './client.js';
import { errorEventsSql, errorStatesSql } from './error-events.js';
import { timeFilters } from './sql.js';

/**
 * Error groups: the rows of `errorEventsSql` (errors that are not just a child's passed on) by
 * fingerprint, with what users decided about them in `error_group_states`.
 */

const HOUR_US = 3_600_000_000;
const SAMPLE_TRACES = 5;

/** A resolved group is back in the inbox once it is seen after it was resolved. */
const EFFECTIVE_STATUS = `multiIf(st.status = 'resolved' AND a.last_us > st.resolved_us, 'unresolved', coalesce(st.status, 'unresolved'))`;

const SORTS: Record<ErrorGroupQuery['sort'], string> = {
  lastSeen: 'a.last_us DESC',
  firstSeen: 'a.first_us DESC',
  count: 'g.n DESC',
};

interface GroupRow {
  fingerprint: string;
  n: number;
  traces: number;
  services: string[];
  sample_traces: string[];
  first_us: number;
  last_us: number;
  sample_message: string;
  v_exception_type: string;
  v_message_key: string;
  v_frame: string | null;
  v_provider: string | null;
  v_http_status: number | null;
  v_error_type: string | null;
  v_finish_reason: string | null;
  v_tool_name: string | null;
  stored_status: ErrorGroupStatus;
  resolved_us: number | null;
}

/**
 * Counts, traces and services are of the range (and service); first and last seen, the sample
 * message and the parts of all time. The range's rows are grouped by (fingerprint, trace) first,
 * so one pass gives the counts, the distinct traces, and each trace's last hit for the samples:
 * the traces last hit most recently, each once, so a trace failing in a loop does not crowd out
 * the others. The all-time aggregate reads only the fingerprints hit in the range (by the
 * primary key), found in `errors` itself: a superset, cut down by the join with `g`.
 */
export async function listErrorGroups(ch: ChClient, query: ErrorGroupQuery, offset: number, limit: number): Promise<ErrorGroupRecord[]> {
  const p = new ChParams();
  const project = p.add(query.projectId);
  const where = timeFilters(p, 'time_us', query.range);
  if (query.service !== null) where.push(`service_name = ${p.add(query.service)}`);
  if (query.fingerprint !== null) where.push(`fingerprint = ${p.add(query.fingerprint)}`);
  const outer = query.status === null ? '' : `WHERE ${EFFECTIVE_STATUS} = ${p.add(query.status)}`;
  const rows = await ch.rows<GroupRow>(
    'list error groups',
    `SELECT g.fingerprint AS fingerprint, g.n AS n, g.traces AS traces, g.services AS services, g.sample_traces AS sample_traces,
       a.first_us AS first_us, a.last_us AS last_us, a.sample_message AS sample_message, a.v_exception_type AS v_exception_type,
       a.v_message_key AS v_message_key, a.v_frame AS v_frame, a.v_provider AS v_provider, a.v_http_status AS v_http_status,
       a.v_error_type AS v_error_type, a.v_finish_reason AS v_finish_reason, a.v_tool_name AS v_tool_name,
       coalesce(st.status, 'unresolved') AS stored_status, st.resolved_us AS resolved_us
     FROM (
       SELECT fingerprint, sum(hits) AS n, countIf(trace_id IS NOT NULL) AS traces, arraySort(groupUniqArrayArray(trace_services)) AS services,
         arraySlice(arrayMap(t -> t.2, arraySort(t -> (-t.1, t.2), groupArrayIf((trace_last_us, assumeNotNull(trace_id)), trace_id IS NOT NULL))),
           1, ${SAMPLE_TRACES}) AS sample_traces
       FROM (
         SELECT fingerprint, trace_id, count() AS hits, max(time_us) AS trace_last_us, groupUniqArray(service_name) AS trace_services
         FROM ${errorEventsSql(ch.tables, project, where)} GROUP BY fingerprint, trace_id
       ) GROUP BY fingerprint
     ) AS g
     INNER JOIN (
       SELECT fingerprint, min(time_us) AS first_us, max(time_us) AS last_us, argMax(message, time_us) AS sample_message,
         any(exception_type) AS v_exception_type, any(message_key) AS v_message_key, any(frame) AS v_frame, any(provider) AS v_provider,
         any(http_status) AS v_http_status, any(error_type) AS v_error_type, any(finish_reason) AS v_finish_reason, any(tool_name) AS v_tool_name
       FROM ${errorEventsSql(ch.tables, project, [`fingerprint IN (SELECT fingerprint FROM ${ch.tables.errors} WHERE ${[`project_id = ${project}`, ...where].join(' AND ')})`])}
       GROUP BY fingerprint
     ) AS a ON a.fingerprint = g.fingerprint
     LEFT JOIN ${errorStatesSql(ch.tables, project)} AS st ON st.fingerprint = g.fingerprint
     ${outer}
     ORDER BY ${SORTS[query.sort]}, g.fingerprint LIMIT ${p.add(limit, 'UInt64')} OFFSET ${p.add(offset, 'UInt64')}`,
    p,
  );
  return rows.map((row) => ({
    fingerprint: row.fingerprint,
    exceptionType: row.v_exception_type,
    messageKey: row.v_message_key,
    frame: row.v_frame,
    provider: row.v_provider,
    httpStatus: row.v_http_status,
    errorType: row.v_error_type,
    finishReason: row.v_finish_reason,
    toolName: row.v_tool_name,
    sampleMessage: row.sample_message,
    storedStatus: row.stored_status,
    resolvedUs: row.resolved_us,
    count: row.n,
    traceCount: row.traces,
    firstSeenUs: row.first_us,
    lastSeenUs: row.last_us,
    services: row.services,
    sampleTraceIds: row.sample_traces,
  }));
}

export async function errorGroupHourly(
  ch: ChClient,
  projectId: string,
  fingerprints: readonly string[],
  range: TimeRange,
): Promise<Array<{ fingerprint: string; hourUs: number; count: number }>> {
  if (fingerprints.length === 0) return [];
  const p = new ChParams();
  const project = p.add(projectId);
  const where = [`fingerprint IN ${p.add(fingerprints, 'Array(String)')}`, ...timeFilters(p, 'time_us', range)];
  const rows = await ch.rows<{ fingerprint: string; hour: number; n: number }>(
    'count error group occurrences per hour',
    `SELECT fingerprint, intDiv(time_us, ${HOUR_US}) * ${HOUR_US} AS hour, count() AS n
     FROM ${errorEventsSql(ch.tables, project, where)} GROUP BY fingerprint, hour ORDER BY fingerprint, hour`,
    p,
  );
  return rows.map((row) => ({ fingerprint: row.fingerprint, hourUs: row.hour, count: row.n }));
}

export async function listErrorOccurrences(ch: ChClient, projectId: string, fingerprint: string, range: TimeRange, limit: number): Promise<ErrorOccurrenceRow[]> {
  const p = new ChParams();
  const project = p.add(projectId);
  const where = [`fingerprint = ${p.add(fingerprint)}`, ...timeFilters(p, 'time_us', range)];
  const rows = await ch.rows<{ time_us: number; trace_id: string | null; span_id: string | null; service_name: string; span_name: string; message: string }>(
    'list error occurrences',
    `SELECT time_us, trace_id, span_id, service_name, span_name, message FROM ${errorEventsSql(ch.tables, project, where)}
     ORDER BY time_us DESC, span_id LIMIT ${p.add(limit, 'UInt64')}`,
    p,
  );
  return rows.map((row) => ({
    timeUs: row.time_us,
    traceId: row.trace_id,
    spanId: row.span_id,
    serviceName: row.service_name,
    spanName: row.span_name,
    message: row.message,
  }));
}

/** The last version written; versions rise within a process even when the clock does not. */
let lastVersion = 0;

/**
 * A new row with a higher version replaces the group's state (`ReplacingMergeTree(version)`).
 * The version comes from this process's clock, not from `nowUs`, so the last decision written
 * wins even when a caller's `nowUs` is older than a stored one.
 */
export async function setErrorGroupStatus(ch: ChClient, projectId: string, fingerprint: string, status: ErrorGroupStatus, nowUs: number): Promise<void> {
  lastVersion = Math.max(Date.now() * 1000, lastVersion + 1);
  await ch.insertRows('set an error group status', ch.tables.error_group_states, [
    { project_id: projectId, fingerprint, status, updated_us: nowUs, resolved_us: status === 'resolved' ? nowUs : null, version: lastVersion },
  ]);
}
