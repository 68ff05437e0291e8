import type { LlmFields, TimeRange } from '@spoor/model';
import type { PriceStore, RepriceResult, SpanCost } from './store.js';

/**
 * Prices the stored LLM spans of a range again, for any engine: reads the spans whose cost is
 * Spoor's to set, asks `price` for each one's cost, and writes only the costs that changed (the
 * store brings their traces' summaries along). Running it twice at the same prices changes nothing.
 */
export async function repriceSpans(
  store: Pick<PriceStore, 'readSpansToPrice' | 'setSpanCosts'>,
  projectId: string,
  range: TimeRange,
  price: (llm: LlmFields) => number | null,
): Promise<RepriceResult> {
  const changed: SpanCost[] = [];
  for (const { traceId, spanId, llm } of await store.readSpansToPrice(projectId, range)) {
    const costUsd = price(llm);
    if (costUsd !== llm.costUsd) changed.push({ traceId, spanId, costUsd });
  }
  if (changed.length === 0) return { spans: 0, traces: 0 };
  return store.setSpanCosts(projectId, changed);
}
