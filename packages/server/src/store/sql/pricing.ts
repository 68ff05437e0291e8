import type { TimeRange } from '@spoor/model';
import { llmFromRow, num } from '../record-rows.js';
import type { SpanToPrice, UnpricedModelRecord } from '../store.js';
import type { SqlEngine } from './dialect.js';
import { timeFilters } from './filters.js';

/** The reads of re-pricing: models seen without a price, and the spans a price table would cost. */

/** A span that is an LLM call with tokens but no cost: no price was known for its model. */
export const UNPRICED_CALL = 'is_llm AND cost_usd IS NULL AND (input_tokens IS NOT NULL OR output_tokens IS NOT NULL)';

/** The models of the range's LLM spans that have tokens and no cost, the most used first. */
export function listUnpricedModels(db: SqlEngine, projectId: string, range: TimeRange): Promise<UnpricedModelRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const where = [`project_id = ${p.add(projectId)}`, UNPRICED_CALL, ...timeFilters(p, 'start_us', range)];
  return db.rows(
    'list unpriced models',
    `SELECT CAST(coalesce(llm_response_model, llm_request_model, '') AS VARCHAR) AS model,
       any_value(llm_provider) AS provider,
       count(*) AS span_count,
       coalesce(sum(input_tokens), 0) AS input_sum,
       coalesce(sum(output_tokens), 0) AS output_sum,
       max(start_us) AS last_seen_us
     FROM ${d.tables.span_facts} WHERE ${where.join(' AND ')}
     GROUP BY model ORDER BY span_count DESC, model LIMIT 1000`,
    p,
    (row) => ({
      model: row.get('model') as string,
      provider: (row.get('provider') as string | null) ?? null,
      spanCount: num(row.get('span_count')),
      inputTokens: num(row.get('input_sum')),
      outputTokens: num(row.get('output_sum')),
      lastSeenUs: num(row.get('last_seen_us')),
    }),
  );
}

/** The LLM spans of the range whose cost was not reported by their instrumentation. */
export function readSpansToPrice(db: SqlEngine, projectId: string, range: TimeRange): Promise<SpanToPrice[]> {
  const d = db.dialect;
  const p = d.params();
  const where = [`project_id = ${p.add(projectId)}`, 'is_llm', "(cost_source IS NULL OR cost_source <> 'reported')", ...timeFilters(p, 'start_us', range)];
  return db.rows(
    'read the spans to price',
    `SELECT trace_id, span_id, is_llm, llm_provider, llm_operation, llm_request_model, llm_response_model, input_tokens,
       output_tokens, total_tokens, cache_read_tokens, cache_creation_tokens, reasoning_tokens, cost_usd, cost_source, ttft_ms,
       NULL AS finish_reasons
     FROM ${d.tables.span_facts} WHERE ${where.join(' AND ')}`,
    p,
    // Without finish reasons: re-pricing does not look at them.
    (row) => ({ traceId: row.get('trace_id') as string, spanId: row.get('span_id') as string, llm: llmFromRow(row)! }),
  );
}
