import type { DuckDBConnection } from '@duckdb/node-api';
import { SPAN_CATEGORIES, STATUS_CODES, type ModelPrice } from '@spoor/model';
import { UNPRICED_CALL } from '../sql/pricing.js';
import type { RepriceResult, SpanCost } from '../store.js';
import { columnsOf, mapRows } from './read.js';
import { inTransaction } from './transaction.js';
import { traceKeySql } from './trace-key.js';

/**
 * The pricing side of the DuckDB store: prices set through the API, and re-pricing stored spans
 * (`sql/pricing.ts` reads what to re-price). Each function runs on a connection of its own (not a writer's).
 */

export async function selectModelPrices(connection: DuckDBConnection, projectId: string): Promise<ModelPrice[]> {
  const columns = await columnsOf(connection, 'SELECT price FROM model_prices WHERE project_id = $1 ORDER BY model', [projectId]);
  return mapRows(columns, (row) => JSON.parse(row.get('price') as string) as ModelPrice);
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

/** Sets span costs in one transaction: the costs and their traces' summaries change together or not at all. */
export async function updateSpanCosts(connection: DuckDBConnection, projectId: string, costs: readonly SpanCost[]): Promise<RepriceResult> {
  if (costs.length === 0) return { spans: 0, traces: 0 };
  return inTransaction(connection, () => updateInTransaction(connection, projectId, costs));
}

/**
 * Writes the costs through a temporary table, then rebuilds the summary parts of their traces
 * from the spans (one part per trace), so trace totals match the spans. Its texts' bytes are
 * its old parts' (`NULL` where one lacked them), as on ClickHouse: a sampled-out trace's slim spans
 * in `span_stats` no longer hold the texts its size counts.
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
  // Sampled-out LLM calls too: `span_stats` keeps their span ids for this.
  let updated = 0;
  for (const table of ['spans', 'span_stats']) {
    const result = await connection.run(
      `UPDATE ${table} SET cost_usd = r.cost, cost_source = CASE WHEN r.cost IS NULL THEN NULL ELSE 'price_table' END
       FROM temp.main.repriced r
       WHERE ${table}.project_id = $1 AND ${table}.trace_id = r.trace_id AND ${table}.span_id = r.span_id AND ${table}.is_llm
         AND ${table}.cost_source IS DISTINCT FROM 'reported'`,
      [projectId],
    );
    updated += Number(result.rowsChanged);
  }
  const traces = 'SELECT DISTINCT trace_id FROM temp.main.repriced';
  await connection.run(
    `CREATE TEMP TABLE repriced_bytes AS SELECT trace_id, CASE WHEN count(text_bytes) = count(*) THEN sum(text_bytes) END AS bytes
     FROM trace_parts WHERE project_id = $1 AND trace_id IN (${traces}) GROUP BY trace_id`,
    [projectId],
  );
  await connection.run(`DELETE FROM trace_parts WHERE project_id = $1 AND trace_id IN (${traces})`, [projectId]);
  await connection.run(
    `INSERT INTO trace_parts
     SELECT project_id, trace_id, min(start_us), max(end_us), count(*),
       count(*) FILTER (WHERE status_code = ${STATUS_CODES.indexOf('error')}),
       max(name) FILTER (WHERE parent_span_id IS NULL), max(service_name) FILTER (WHERE parent_span_id IS NULL),
       arg_min(name, start_us), arg_min(service_name, start_us),
       sum(input_tokens), sum(output_tokens), sum(cost_usd),
       bool_or(status_code = ${STATUS_CODES.indexOf('error')}) FILTER (WHERE parent_span_id IS NULL),
       max(session_id), max(user_id),
       ${SPAN_CATEGORIES.map((_, i) => `coalesce(max(duration_us) FILTER (WHERE category = ${i}), 0)`).join(', ')},
       count(*) FILTER (WHERE ${UNPRICED_CALL}),
       ${traceKeySql('trace_id')},
       (SELECT b.bytes FROM temp.main.repriced_bytes b WHERE b.trace_id = span_facts.trace_id),
       max(commit_seq)
     FROM span_facts WHERE project_id = $1 AND trace_id IN (${traces})
     GROUP BY project_id, trace_id`,
    [projectId],
  );
  const traceCount = new Set(costs.map((row) => row.traceId)).size;
  await connection.run('DROP TABLE temp.main.repriced; DROP TABLE temp.main.repriced_bytes');
  return { spans: updated, traces: traceCount };
}
