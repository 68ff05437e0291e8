import type { LlmFields, ModelPrice, TimeRange } from '@spoor/model';
import type { RepriceResult, SpanCost, SpanToPrice, UnpricedModelRecord } from '../store.js';
import { ChParams, type ChClient } from './client.js';
import { repriceChunk } from './reprice-parts.js';
import type { SchemaLayout } from './schema.js';
import { nextVersion } from './small-tables.js';
import { timeFilters } from './sql.js';

/** Prices set through the API, models without one, and re-pricing stored spans. */

export async function listModelPrices(ch: ChClient, projectId: string): Promise<ModelPrice[]> {
  const rows = await ch.rows<{ price: string }>(
    'list model prices',
    `SELECT price FROM ${ch.tables.model_prices} FINAL WHERE project_id = {project:String} AND deleted = 0 ORDER BY model`,
    { project: projectId },
  );
  return rows.map((r) => JSON.parse(r.price) as ModelPrice);
}

export async function putModelPrice(ch: ChClient, projectId: string, price: ModelPrice, updatedUs: number): Promise<void> {
  const latest = await latestPrice(ch, projectId, price.model);
  await ch.insertRows('save a model price', ch.tables.model_prices, [
    { project_id: projectId, model: price.model, price: JSON.stringify(price), updated_us: updatedUs, version: nextVersion(latest?.version), deleted: 0 },
  ]);
}

export async function deleteModelPrice(ch: ChClient, projectId: string, model: string): Promise<boolean> {
  const latest = await latestPrice(ch, projectId, model);
  if (latest === null || latest.deleted !== 0) return false;
  await ch.insertRows('delete a model price', ch.tables.model_prices, [
    { project_id: projectId, model, price: '', updated_us: 0, version: nextVersion(latest.version), deleted: 1 },
  ]);
  return true;
}

/** A price's newest version, deleted or not (a new version must be above a deletion's too). */
function latestPrice(ch: ChClient, projectId: string, model: string): Promise<{ version: number; deleted: number } | null> {
  return ch.row(
    'read a model price',
    `SELECT version, deleted FROM ${ch.tables.model_prices} WHERE project_id = {project:String} AND model = {model:String} ORDER BY version DESC LIMIT 1`,
    { project: projectId, model },
  );
}

export async function listUnpricedModels(ch: ChClient, projectId: string, range: TimeRange): Promise<UnpricedModelRecord[]> {
  const p = new ChParams();
  const where = [
    `project_id = ${p.add(projectId)}`,
    'is_llm',
    'cost_usd IS NULL',
    '(input_tokens IS NOT NULL OR output_tokens IS NOT NULL)',
    ...timeFilters(p, 'start_us', range),
  ];
  const rows = await ch.rows<{ model: string; provider: string | null; span_count: number; input_sum: number; output_sum: number; last_seen_us: number }>(
    'list unpriced models',
    // Aliases differ from column names: ClickHouse would read `sum(x) AS x` into the WHERE.
    `SELECT toString(coalesce(llm_response_model, llm_request_model, '')) AS model,
       any(llm_provider) AS provider,
       count() AS span_count,
       coalesce(sum(input_tokens), 0) AS input_sum,
       coalesce(sum(output_tokens), 0) AS output_sum,
       max(start_us) AS last_seen_us
     FROM ${ch.tables.spans} WHERE ${where.join(' AND ')}
     GROUP BY model ORDER BY span_count DESC, model LIMIT 1000`,
    p,
  );
  return rows.map((r) => ({
    model: r.model,
    provider: r.provider,
    spanCount: r.span_count,
    inputTokens: r.input_sum,
    outputTokens: r.output_sum,
    lastSeenUs: r.last_seen_us,
  }));
}

interface SpanToPriceRow {
  trace_id: string;
  span_id: string;
  llm_provider: string | null;
  llm_operation: string | null;
  llm_request_model: string | null;
  llm_response_model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  cache_read_tokens: number | null;
  cache_creation_tokens: number | null;
  reasoning_tokens: number | null;
  cost_usd: number | null;
  cost_source: LlmFields['costSource'];
  ttft_ms: number | null;
}

/** The LLM spans of the range whose cost was not reported by their instrumentation. */
export async function readSpansToPrice(ch: ChClient, projectId: string, range: TimeRange): Promise<SpanToPrice[]> {
  const p = new ChParams();
  const where = [`project_id = ${p.add(projectId)}`, 'is_llm', "(cost_source IS NULL OR cost_source != 'reported')", ...timeFilters(p, 'start_us', range)];
  const rows = await ch.rows<SpanToPriceRow>(
    'read the spans to price',
    `SELECT trace_id, span_id, llm_provider, llm_operation, llm_request_model, llm_response_model, input_tokens, output_tokens,
       total_tokens, cache_read_tokens, cache_creation_tokens, reasoning_tokens, cost_usd, cost_source, ttft_ms
     FROM ${ch.tables.spans} WHERE ${where.join(' AND ')}`,
    p,
  );
  return rows.map((r) => ({
    traceId: r.trace_id,
    spanId: r.span_id,
    llm: {
      provider: r.llm_provider,
      operation: r.llm_operation,
      requestModel: r.llm_request_model,
      responseModel: r.llm_response_model,
      inputTokens: r.input_tokens,
      outputTokens: r.output_tokens,
      totalTokens: r.total_tokens,
      cacheReadInputTokens: r.cache_read_tokens,
      cacheCreationInputTokens: r.cache_creation_tokens,
      reasoningTokens: r.reasoning_tokens,
      costUsd: r.cost_usd,
      costSource: r.cost_source,
      timeToFirstTokenMs: r.ttft_ms,
      // As DuckDB's: re-pricing does not look at them.
      finishReasons: null,
    },
  }));
}

/**
 * Spans per round of re-pricing: each round's span and trace ids travel as query parameters
 * (in the URL over HTTP, which ClickHouse caps at 1 MiB), and each round is a few mutations.
 */
const SPANS_PER_ROUND = 3000;

/**
 * Sets span costs and brings their traces' summaries in line (`reprice-parts.ts` says how,
 * without a transaction), a round of whole traces at a time.
 */
export async function setSpanCosts(ch: ChClient, layout: SchemaLayout, projectId: string, costs: readonly SpanCost[]): Promise<RepriceResult> {
  if (costs.length === 0) return { spans: 0, traces: 0 };
  // One cost per span (the last given), grouped by trace so a trace is re-priced in one round.
  const byTrace = new Map<string, Map<string, number | null>>();
  for (const { traceId, spanId, costUsd } of costs) {
    let spans = byTrace.get(traceId);
    if (spans === undefined) byTrace.set(traceId, (spans = new Map()));
    spans.set(spanId, costUsd);
  }
  let round: SpanCost[] = [];
  let changed = 0;
  for (const [traceId, spans] of byTrace) {
    for (const [spanId, costUsd] of spans) round.push({ traceId, spanId, costUsd });
    if (round.length >= SPANS_PER_ROUND) {
      changed += await repriceChunk(ch, layout, projectId, round);
      round = [];
    }
  }
  if (round.length > 0) changed += await repriceChunk(ch, layout, projectId, round);
  return { spans: changed, traces: byTrace.size };
}
