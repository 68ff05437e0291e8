import type { DuckDBConnection } from '@duckdb/node-api';
import { STATUS_CODES, type ModelPrice, type TimeRange } from '@spoor/model';
import type { RepriceResult, SpanCost, SpanToPrice, UnpricedModelRecord } from '../store.js';
import { type Columns, llmFromRow, mapRows, num } from './read.js';
import { SqlParams, timeFilters } from './sql.js';

/**
 * The pricing side of the DuckDB store: prices set through the API, models seen without a price,
 * and re-pricing stored spans. Each function runs on a connection of its own (not a writer's).
 */

export async function selectUnpricedModels(connection: DuckDBConnection, projectId: string, range: TimeRange): Promise<UnpricedModelRecord[]> {
  const p = new SqlParams();
  const where = [
    `project_id = ${p.add(projectId)}`,
    'is_llm',
    'cost_usd IS NULL',
    '(input_tokens IS NOT NULL OR output_tokens IS NOT NULL)',
    ...timeFilters(p, 'start_us', range),
  ];
  const read = await connection.runAndReadAll(
    `SELECT coalesce(llm_response_model, llm_request_model, '') AS model,
       any_value(llm_provider) AS provider,
       count(*) AS span_count,
       coalesce(sum(input_tokens), 0) AS input_tokens,
       coalesce(sum(output_tokens), 0) AS output_tokens,
       max(start_us) AS last_seen_us
     FROM spans WHERE ${where.join(' AND ')}
     GROUP BY 1 ORDER BY span_count DESC, model LIMIT 1000`,
    p.values,
  );
  return mapRows(read.getColumnsObjectJS() as Columns, (row) => ({
    model: row.get('model') as string,
    provider: (row.get('provider') as string | null) ?? null,
    spanCount: num(row.get('span_count')),
    inputTokens: num(row.get('input_tokens')),
    outputTokens: num(row.get('output_tokens')),
    lastSeenUs: num(row.get('last_seen_us')),
  }));
}

export async function selectModelPrices(connection: DuckDBConnection, projectId: string): Promise<ModelPrice[]> {
  const read = await connection.runAndReadAll('SELECT price FROM model_prices WHERE project_id = $1 ORDER BY model', [projectId]);
  return mapRows(read.getColumnsObjectJS() as Columns, (row) => JSON.parse(row.get('price') as string) as ModelPrice);
}

export async function upsertModelPrice(connection: DuckDBConnection, projectId: string, price: ModelPrice, updatedUs: number): Promise<void> {
  await connection.run(
    `INSERT INTO model_prices VALUES ($1, $2, $3, $4::BIGINT)
     ON CONFLICT (project_id, model) DO UPDATE SET price = excluded.price, updated_us = excluded.updated_us`,
    [projectId, price.model, JSON.stringify(price), updatedUs],
  );
}

export async function removeModelPrice(connection: DuckDBConnection, projectId: string, model: string): Promise<boolean> {
  const result = await connection.run('DELETE FROM model_prices WHERE project_id = $1 AND model = $2', [projectId, model]);
  return Number(result.rowsChanged) > 0;
}

/** The LLM spans of the range whose cost was not reported by their instrumentation. */
export async function selectSpansToPrice(connection: DuckDBConnection, projectId: string, range: TimeRange): Promise<SpanToPrice[]> {
  const p = new SqlParams();
  const where = [`project_id = ${p.add(projectId)}`, 'is_llm', "cost_source IS DISTINCT FROM 'reported'", ...timeFilters(p, 'start_us', range)];
  const read = await connection.runAndReadAll(
    `SELECT trace_id, span_id, is_llm, llm_provider, llm_operation, llm_request_model, llm_response_model, input_tokens,
       output_tokens, total_tokens, cache_read_tokens, cache_creation_tokens, reasoning_tokens, cost_usd, cost_source, ttft_ms,
       NULL AS finish_reasons
     FROM spans WHERE ${where.join(' AND ')}`,
    p.values,
  );
  return mapRows(read.getColumnsObjectJS() as Columns, (row) => ({
    traceId: row.get('trace_id') as string,
    spanId: row.get('span_id') as string,
    llm: llmFromRow(row)!,
  }));
}

/** Sets span costs in one transaction: the costs and their traces' summaries change together or not at all. */
export async function updateSpanCosts(connection: DuckDBConnection, projectId: string, costs: readonly SpanCost[]): Promise<RepriceResult> {
  if (costs.length === 0) return { spans: 0, traces: 0 };
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await updateInTransaction(connection, projectId, costs);
    await connection.run('COMMIT');
    return result;
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
}

/**
 * Writes the costs through a temporary table, then rebuilds the summary parts of their traces
 * from the spans (one part per trace), so trace totals match the spans.
 */
async function updateInTransaction(connection: DuckDBConnection, projectId: string, costs: readonly SpanCost[]): Promise<RepriceResult> {
  await connection.run('CREATE TEMP TABLE repriced (trace_id VARCHAR, span_id VARCHAR, cost DOUBLE)');
  const appender = await connection.createAppender('repriced', 'main', 'temp');
  for (const row of costs) {
    appender.appendVarchar(row.traceId);
    appender.appendVarchar(row.spanId);
    if (row.costUsd === null) appender.appendNull();
    else appender.appendDouble(row.costUsd);
    appender.endRow();
  }
  appender.closeSync();
  const updated = await connection.run(
    `UPDATE spans SET cost_usd = r.cost, cost_source = CASE WHEN r.cost IS NULL THEN NULL ELSE 'price_table' END
     FROM temp.main.repriced r
     WHERE spans.project_id = $1 AND spans.trace_id = r.trace_id AND spans.span_id = r.span_id AND spans.is_llm
       AND spans.cost_source IS DISTINCT FROM 'reported'`,
    [projectId],
  );
  const traces = 'SELECT DISTINCT trace_id FROM temp.main.repriced';
  await connection.run(`DELETE FROM trace_parts WHERE project_id = $1 AND trace_id IN (${traces})`, [projectId]);
  await connection.run(
    `INSERT INTO trace_parts
     SELECT project_id, trace_id, min(start_us), max(end_us), count(*),
       count(*) FILTER (WHERE status_code = ${STATUS_CODES.indexOf('error')}),
       max(name) FILTER (WHERE parent_span_id IS NULL), max(service_name) FILTER (WHERE parent_span_id IS NULL),
       arg_min(name, start_us), arg_min(service_name, start_us),
       sum(input_tokens), sum(output_tokens), sum(cost_usd),
       bool_or(status_code = ${STATUS_CODES.indexOf('error')}) FILTER (WHERE parent_span_id IS NULL),
       max(session_id), max(user_id)
     FROM spans WHERE project_id = $1 AND trace_id IN (${traces})
     GROUP BY project_id, trace_id`,
    [projectId],
  );
  const traceCount = new Set(costs.map((row) => row.traceId)).size;
  await connection.run('DROP TABLE temp.main.repriced');
  return { spans: Number(updated.rowsChanged), traces: traceCount };
}
