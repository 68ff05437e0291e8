import type { LlmFields, ModelPrice, TimeRange } from '@spoor/model';

/** A model whose LLM spans carry tokens but no cost: not in the price table. */
export interface UnpricedModelRecord {
  provider: string | null;
  model: string;
  spanCount: number;
  inputTokens: number;
  outputTokens: number;
  lastSeenUs: number;
}

/** An LLM span as re-pricing reads it. */
export interface SpanToPrice {
  traceId: string;
  spanId: string;
  llm: LlmFields;
}

/** A span's new cost, in US dollars; `null` when no price applies. */
export interface SpanCost {
  traceId: string;
  spanId: string;
  costUsd: number | null;
}

/** What a re-pricing changed. */
export interface RepriceResult {
  /** LLM spans whose cost changed. */
  spans: number;
  /** Traces whose summaries were brought up to date with them. */
  traces: number;
}

/** Prices set through the API, models without one, and re-pricing stored spans. */
export interface PriceStore {
  /** Prices set through the API, as stored. */
  listModelPrices(projectId: string): Promise<ModelPrice[]>;
  /** Adds or replaces a price set through the API. */
  putModelPrice(projectId: string, price: ModelPrice, updatedUs: number): Promise<void>;
  /** Removes a price set through the API; false when there was none. */
  deleteModelPrice(projectId: string, model: string): Promise<boolean>;
  /** Models of LLM spans in the range that have tokens and no cost, most spans first. */
  listUnpricedModels(projectId: string, range: TimeRange): Promise<UnpricedModelRecord[]>;
  /**
   * The LLM spans that started in the range and whose cost is Spoor's to set: every one but those
   * whose cost their instrumentation reported. (`store/reprice.ts` prices them.)
   */
  readSpansToPrice(projectId: string, range: TimeRange): Promise<SpanToPrice[]>;
  /**
   * Sets these spans' costs (`null` for none, with no cost source) and brings the summaries of
   * their traces in line with them, together.
   */
  setSpanCosts(projectId: string, costs: readonly SpanCost[]): Promise<RepriceResult>;
}
