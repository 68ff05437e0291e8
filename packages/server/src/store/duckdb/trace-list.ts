import type { DuckDBValue } from '@duckdb/node-api';
import type { TraceQuery, TraceSummaryRecord } from '@spoor/model';
import type { TimeKey } from '../store.js';
import { num, numOrNull } from './read.js';
import { attributeEquals, likePattern, SqlParams } from './sql.js';

/**
 * The trace list's query: traces (from their `trace_parts`) that have a span matching every span
 * filter, then filtered as whole traces, newest first, after the cursor `after`.
 */
export function traceListSql(query: TraceQuery, after: TimeKey | null, limit: number): { sql: string; values: DuckDBValue[] } {
  const p = new SqlParams();
  const project = p.add(query.projectId);
  const spanFilters: string[] = [];
  if (query.service !== null) spanFilters.push(`service_name = ${p.add(query.service)}`);
  if (query.spanName !== null) spanFilters.push(`name = ${p.add(query.spanName)}`);
  if (query.text !== null) spanFilters.push(`name ILIKE ${p.add(likePattern(query.text))} ESCAPE '\\'`);
  if (query.sessionId !== null) spanFilters.push(`session_id = ${p.add(query.sessionId)}`);
  if (query.model !== null) {
    const model = p.add(query.model);
    spanFilters.push(`(llm_request_model = ${model} OR llm_response_model = ${model})`);
  }
  for (const { key, value } of query.attributes) spanFilters.push(attributeEquals(p, project, key, value));
  const traceFilters: string[] = [];
  const { fromUs, toUs } = query.range;
  if (fromUs !== null) traceFilters.push(`start_us >= ${p.add(fromUs)}::BIGINT`);
  if (toUs !== null) traceFilters.push(`start_us < ${p.add(toUs)}::BIGINT`);
  if (query.status === 'error') traceFilters.push('error_count > 0');
  if (query.status === 'ok') traceFilters.push('error_count = 0');
  if (query.minDurationMs !== null) traceFilters.push(`end_us - start_us >= ${p.add(query.minDurationMs * 1000)}`);
  if (query.maxDurationMs !== null) traceFilters.push(`end_us - start_us <= ${p.add(query.maxDurationMs * 1000)}`);
  if (after !== null) {
    const t = p.add(after.timeUs);
    traceFilters.push(`(start_us < ${t}::BIGINT OR (start_us = ${t}::BIGINT AND trace_id < ${p.add(after.id)}))`);
  }
  let matched = '';
  if (spanFilters.length > 0) {
    // Every span of a trace starts at or after the trace's start, so `from` also bounds spans.
    const spanTime = fromUs !== null ? ` AND start_us >= ${p.add(fromUs)}::BIGINT` : '';
    matched = ` AND trace_id IN (SELECT trace_id FROM spans WHERE project_id = ${project}${spanTime} AND ${spanFilters.join(' AND ')})`;
  }
  const sql = `
    SELECT * FROM (
      SELECT trace_id,
        min(start_us) AS start_us,
        max(end_us) AS end_us,
        sum(span_count) AS span_count,
        sum(error_count) AS error_count,
        coalesce(max(root_name), arg_min(first_name, start_us)) AS root_name,
        coalesce(max(root_service), arg_min(first_service, start_us)) AS service_name,
        sum(input_tokens) AS input_tokens,
        sum(output_tokens) AS output_tokens,
        sum(cost_usd) AS cost_usd,
        max(session_id) AS session_id,
        max(user_id) AS user_id
      FROM trace_parts
      WHERE project_id = ${project}${matched}
      GROUP BY trace_id
    )
    ${traceFilters.length > 0 ? `WHERE ${traceFilters.join(' AND ')}` : ''}
    ORDER BY start_us DESC, trace_id DESC
    LIMIT ${p.add(limit)}`;
  return { sql, values: p.values };
}

/** One row of `traceListSql`'s answer. */
export function traceSummaryFromRow(row: { get(name: string): unknown }): TraceSummaryRecord {
  return {
    traceId: row.get('trace_id') as string,
    rootName: row.get('root_name') as string,
    serviceName: row.get('service_name') as string,
    startTimeUs: num(row.get('start_us')),
    endTimeUs: num(row.get('end_us')),
    spanCount: num(row.get('span_count')),
    errorCount: num(row.get('error_count')),
    inputTokens: numOrNull(row.get('input_tokens')),
    outputTokens: numOrNull(row.get('output_tokens')),
    costUsd: numOrNull(row.get('cost_usd')),
    sessionId: (row.get('session_id') as string | null) ?? null,
    userId: (row.get('user_id') as string | null) ?? null,
  };
}
