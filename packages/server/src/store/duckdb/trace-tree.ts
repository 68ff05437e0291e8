import type { DuckDBConnection } from '@duckdb/node-api';
import { jsonArrayShape, columnsOf } from './read.js';
import { traceSearchCondition } from '../sql/traces.js';
import { DuckDbParams, duckDbDialect } from './dialect.js';

/**
 * The waterfall's columns of a trace (`TraceTreeColumns`): one `json_array` per span with only
 * what the waterfall draws. Events come as their stored text and are cut to time and name here;
 * most spans have none, and the few exceptions' stack traces are dropped before they leave the
 * server. The text is parsed here, not cast to DuckDB's JSON: that parser refuses a lone
 * surrogate escape (`"\ud800"`), which `JSON.stringify` writes for a lone surrogate in a string.
 */
export const TREE_SHAPE = jsonArrayShape([
  'span_id',
  'parent_span_id',
  'name',
  'service_name',
  'start_us',
  'duration_us',
  'status_code',
  'category',
  "CASE WHEN events = '[]' THEN NULL ELSE events END",
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'coalesce(llm_response_model, llm_request_model)',
  'session_id',
]);

/**
 * Ids of the spans of a trace (start times within `bounds`) whose attributes, status message or
 * events contain `text`, case-insensitively, at most `limit`, in start order. The stored JSON text
 * is searched, so attribute keys match too; there `text` is looked for as JSON writes it inside a
 * string, so quotes, backslashes and control characters in it match.
 */
export async function selectTraceSearch(
  connection: DuckDBConnection,
  projectId: string,
  traceId: string,
  bounds: { fromUs: number; toUs: number },
  text: string,
  limit: number,
): Promise<string[]> {
  const p = new DuckDbParams();
  const columns = await columnsOf(
    connection,
    `SELECT span_id FROM spans
     WHERE project_id = ${p.add(projectId)} AND trace_id = ${p.add(traceId)}
       AND start_us BETWEEN ${p.int(bounds.fromUs)} AND ${p.int(bounds.toUs)} AND ${traceSearchCondition(duckDbDialect, p, text)}
     ORDER BY start_us, span_id LIMIT ${p.add(limit)}`,
    p.values,
  );
  return (columns['span_id'] ?? []) as string[];
}
