import type { TimeRange, TraceQuery, TraceSummaryRecord } from '@spoor/model';
import { type Row, num, numOrNull } from '../record-rows.js';
import type { ServiceRecord, TimeKey } from '../store.js';
import type { Dialect, Params, SqlEngine } from './dialect.js';
import { attributeEquals, likePattern, timeFilters } from './filters.js';
import { scoreFilterSet } from './score-tallies.js';

/** The trace list, services, and what every engine's trace reads share. */

/** How far around a trace's span times its logs are looked for. */
export const LOG_MARGIN_US = 3_600_000_000;

/**
 * A trace's totals over its `trace_parts` rows, grouped by trace: its times, counts, tokens and
 * cost, and its root span's name and service (the first span's while the root has not arrived).
 */
export const TRACE_TOTALS = `min(start_us) AS t_start, max(end_us) AS t_end, sum(span_count) AS t_spans, sum(error_count) AS t_errors,
  coalesce(max(root_name), argMin(first_name, start_us)) AS t_root, coalesce(max(root_service), argMin(first_service, start_us)) AS t_service,
  sum(input_tokens) AS t_input, sum(output_tokens) AS t_output, sum(cost_usd) AS t_cost`;

/** What a trace summary and a session's run read alike of a row with `trace_id` and `TRACE_TOTALS`. */
export function traceTotalsFromRow(row: Row) {
  return {
    traceId: row.get('trace_id') as string,
    serviceName: row.get('t_service') as string,
    startTimeUs: num(row.get('t_start')),
    endTimeUs: num(row.get('t_end')),
    spanCount: num(row.get('t_spans')),
    errorCount: num(row.get('t_errors')),
    inputTokens: numOrNull(row.get('t_input')),
    outputTokens: numOrNull(row.get('t_output')),
    costUsd: numOrNull(row.get('t_cost')),
  };
}

/**
 * The trace list: traces (from their `trace_parts`) that have a span matching every span
 * filter and whose scores meet every score filter, then filtered as whole traces, newest first,
 * after the cursor `after`. With `traceIds`, of those traces alone (the live list's summaries).
 */
export function listTraces(
  db: SqlEngine, query: Omit<TraceQuery, 'limit' | 'cursor'>, after: TimeKey | null, limit: number, traceIds: readonly string[] | null = null,
): Promise<TraceSummaryRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const project = p.add(query.projectId);
  const { matched, traceFilters } = listFilterSql(d, p, project, query);
  if (after !== null) {
    const t = p.int(after.timeUs);
    traceFilters.push(`(t_start < ${t} OR (t_start = ${t} AND trace_id < ${p.add(after.id)}))`);
  }
  return db.rows(
    'list traces',
    `SELECT trace_id, ${TRACE_TOTALS}, max(session_id) AS t_session, max(user_id) AS t_user
     FROM ${d.tables.trace_parts}
     WHERE project_id = ${project}${traceIds === null ? '' : ` AND trace_id IN ${p.texts(traceIds)}`}${matched}
     GROUP BY trace_id
     ${traceFilters.length > 0 ? `HAVING ${traceFilters.join(' AND ')}` : ''}
     ORDER BY t_start DESC, trace_id DESC
     LIMIT ${p.count(limit)}
     ${matched === '' ? '' : d.largeInSets}`,
    p,
    (row) => ({
      ...traceTotalsFromRow(row),
      rootName: row.get('t_root') as string,
      sessionId: (row.get('t_session') as string | null) ?? null,
      userId: (row.get('t_user') as string | null) ?? null,
    }),
  );
}

/** `traceFilterSql` with the list's range: the traces the list shows of `query.range`, started in it. */
export function listFilterSql(d: Dialect, p: Params, project: string, query: Omit<TraceQuery, 'limit' | 'cursor'>): { matched: string; traceFilters: string[] } {
  const { fromUs, toUs } = query.range;
  const filters = traceFilterSql(d, p, project, query, fromUs);
  if (fromUs !== null) filters.traceFilters.push(`t_start >= ${p.int(fromUs)}`);
  if (toUs !== null) filters.traceFilters.push(`t_start < ${p.int(toUs)}`);
  return filters;
}

/**
 * The trace list's filters (no range or cursor) over `trace_parts` grouped by trace: `matched`
 * ends its `WHERE` (the traces with a span matching every span filter and scores meeting every
 * score filter), `traceFilters` go in its
 * `HAVING` (over `TRACE_TOTALS`). `spansFromUs` bounds the spans looked at by their start, when
 * every trace wanted starts after it.
 */
export function traceFilterSql(
  d: Dialect, p: Params, project: string, filter: Omit<TraceQuery, 'projectId' | 'range' | 'limit' | 'cursor'>, spansFromUs: number | null,
): { matched: string; traceFilters: string[] } {
  const spanFilters: string[] = [];
  if (filter.service !== null) spanFilters.push(`service_name = ${p.add(filter.service)}`);
  if (filter.spanName !== null) spanFilters.push(`name = ${p.add(filter.spanName)}`);
  if (filter.text !== null) spanFilters.push(d.ilike('name', p.add(likePattern(filter.text))));
  if (filter.sessionId !== null) spanFilters.push(`session_id = ${p.add(filter.sessionId)}`);
  if (filter.model !== null) {
    const model = p.add(filter.model);
    spanFilters.push(`(llm_request_model = ${model} OR llm_response_model = ${model})`);
  }
  for (const { key, value } of filter.attributes) spanFilters.push(attributeEquals(d, p, project, key, value));
  const traceFilters: string[] = [];
  if (filter.status === 'error') traceFilters.push('t_errors > 0');
  if (filter.status === 'ok') traceFilters.push('t_errors = 0');
  if (filter.minDurationMs !== null) traceFilters.push(`t_end - t_start >= ${p.add(filter.minDurationMs * 1000)}`);
  if (filter.maxDurationMs !== null) traceFilters.push(`t_end - t_start <= ${p.add(filter.maxDurationMs * 1000)}`);
  let matched = '';
  if (spanFilters.length > 0) {
    // Every span of a trace starts at or after the trace's start, so `from` also bounds spans.
    const spanTime = spansFromUs !== null ? ` AND start_us >= ${p.int(spansFromUs)}` : '';
    matched = ` AND trace_id IN (SELECT trace_id FROM ${d.tables.span_facts} WHERE project_id = ${project}${spanTime} AND ${spanFilters.join(' AND ')})`;
  }
  // Each score filter is a set of trace ids made first from the scores of its name alone.
  for (const score of filter.scores) matched += ` AND trace_id IN (${scoreFilterSet(d, p, project, score)})`;
  return { matched, traceFilters };
}

/** The services that sent spans, logs or metric points in the range, with their counts, by name. */
export function listServices(db: SqlEngine, projectId: string, range: TimeRange): Promise<ServiceRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const project = p.add(projectId);
  const where = (time: string) => [`project_id = ${project}`, ...timeFilters(p, time, range)].join(' AND ');
  return db.rows(
    'list services',
    `SELECT service_name, sum(s) AS spans, sum(e) AS errors, sum(l) AS logs, sum(m) AS points, max(t) AS last_us
     FROM (
       SELECT service_name, count(*) AS s, countIf(status_code = 2) AS e, 0 AS l, 0 AS m, max(start_us) AS t
       FROM ${d.tables.span_facts} WHERE ${where('start_us')} GROUP BY service_name
       UNION ALL
       SELECT service_name, 0, 0, count(*), 0, max(time_us) FROM ${d.tables.logs} WHERE ${where('time_us')} GROUP BY service_name
       UNION ALL
       SELECT service_name, 0, 0, 0, count(*), max(time_us) FROM ${d.tables.metric_points} WHERE ${where('time_us')} GROUP BY service_name
     ) AS counts GROUP BY service_name ORDER BY service_name`,
    p,
    (row) => ({
      name: row.get('service_name') as string,
      spanCount: num(row.get('spans')),
      errorCount: num(row.get('errors')),
      logCount: num(row.get('logs')),
      metricPointCount: num(row.get('points')),
      lastSeenUs: num(row.get('last_us')),
    }),
  );
}

/**
 * The condition on a trace's spans of an in-trace search: attributes, status message or events
 * contain `text`, case-insensitively. The stored JSON text is searched, so attribute keys match
 * too; there `text` is looked for as JSON writes it inside a string, so quotes, backslashes and
 * control characters in it match.
 */
export function traceSearchCondition(d: Dialect, p: Params, text: string): string {
  const like = p.add(likePattern(text));
  const inJson = p.add(likePattern(JSON.stringify(text).slice(1, -1)));
  return `(${d.ilike('attributes', inJson)} OR ${d.ilike('status_message', like)} OR ${d.ilike('events', inJson)})`;
}
