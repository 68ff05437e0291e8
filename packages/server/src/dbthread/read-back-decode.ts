import { spooledBatch } from '../ingest/decoder.js';
import type { MaskingTimeline } from '../ingest/masking-timeline.js';
import type { EntryDecoder } from '../pipeline/commit-loop.js';
import type { PriceService } from '../pricing/price-service.js';

/**
 * How the database thread decodes what it reads back from the spool (a commit that failed or
 * stalled, the store down, a restart): as the decode thread would have decoded it when it was
 * received, by the receiver's path (`spooledBatch`), today's prices, and the masking policies in
 * force since it was received (`MaskingTimeline`).
 */
export function readBackDecoder(pricing: PriceService, masking: MaskingTimeline): EntryDecoder {
  return (entry) => spooledBatch(entry, pricing.bookFor(entry.projectId), masking.maskersOf(entry.projectId, entry.receivedUs));
}
