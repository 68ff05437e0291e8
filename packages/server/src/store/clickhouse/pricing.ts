import type { ModelPrice, TimeRange } from '@spoor/model';
import type { RepriceResult, SpanCost, SpanToPrice, UnpricedModelRecord } from '../store.js';
import { type ChClient, notYet } from './client.js';
import type { SchemaLayout } from './schema.js';

/** Prices set through the API, models without one, and re-pricing stored spans. */

export function listModelPrices(ch: ChClient, projectId: string): Promise<ModelPrice[]> {
  return notYet('listModelPrices', ch, projectId);
}

export function putModelPrice(ch: ChClient, projectId: string, price: ModelPrice, updatedUs: number): Promise<void> {
  return notYet('putModelPrice', ch, projectId, price, updatedUs);
}

export function deleteModelPrice(ch: ChClient, projectId: string, model: string): Promise<boolean> {
  return notYet('deleteModelPrice', ch, projectId, model);
}

export function listUnpricedModels(ch: ChClient, projectId: string, range: TimeRange): Promise<UnpricedModelRecord[]> {
  return notYet('listUnpricedModels', ch, projectId, range);
}

export function readSpansToPrice(ch: ChClient, projectId: string, range: TimeRange): Promise<SpanToPrice[]> {
  return notYet('readSpansToPrice', ch, projectId, range);
}

export function setSpanCosts(ch: ChClient, layout: SchemaLayout, projectId: string, costs: readonly SpanCost[]): Promise<RepriceResult> {
  return notYet('setSpanCosts', ch, layout, projectId, costs);
}
