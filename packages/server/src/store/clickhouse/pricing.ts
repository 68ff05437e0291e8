import type { ModelPrice } from '@spoor/model';
import type { RepriceResult, SpanCost } from '../store.js';
import type { ChClient } from './client.js';
import { repriceChunk } from './reprice-parts.js';
import type { SchemaLayout } from './schema.js';
import { nextVersion } from './small-tables.js';

/** Prices set through the API, and re-pricing stored spans (`sql/pricing.ts` reads what to re-price). */

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

/**
 * Spans per round of re-pricing: each round's span and trace ids travel as query parameters
 * (in the URL over HTTP, which ClickHouse caps at 1 MiB), and each round is a few mutations.
 * ClickHouse puts the parameters into the query before parsing it, which must then fit
 * `max_query_size` (256 KiB): the plan names each span's key twice, some 52 B each, so 3,000
 * spans failed ("Max query size exceeded" re-pricing 2,000 traces' calls, tail-sampling test).
 */
const SPANS_PER_ROUND = 1000;

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
