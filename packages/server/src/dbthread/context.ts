import type { ScoreRecord } from '@spoor/model';
import type { MaskingTimeline } from '../ingest/masking-timeline.js';
import type { ProjectMasking } from '../ingest/masking.js';
import type { PriceService } from '../pricing/price-service.js';
import { type LiveOptions, QueryService } from '../query/query-service.js';
import type { TreeStreamOptions } from '../query/tree-stream.js';
import type { Store } from '../store/store.js';

/**
 * What the database thread hands each feature's group of calls (`calls.ts`): the store, and what
 * more than one group shares. A group takes the slice of it that it uses.
 */
export interface DbContext {
  store: Store;
  pricing: PriceService;
  /** Each project's masking policy: scores, items and results sent through the API are masked by it. */
  masking: ProjectMasking | null;
  /** The policies entries read back from the spool are masked by, by when each was received. */
  readBackMasking: MaskingTimeline | null;
  /** One for the thread: the trace reads, the live hub's and the tree streams share its clock and streams. */
  queries: QueryService;
  /** Masks a score sent through the API or an experiment's SDK by its project's policy, as one sent as an OpenTelemetry event is at ingest. */
  maskScore: (score: ScoreRecord) => void;
}

export type DbContextOptions = LiveOptions & TreeStreamOptions & { readBackMasking?: MaskingTimeline };

export function dbContext(store: Store, pricing: PriceService, masking: ProjectMasking | null, options: DbContextOptions): DbContext {
  return {
    store,
    pricing,
    masking,
    readBackMasking: options.readBackMasking ?? null,
    queries: new QueryService(store, options),
    maskScore: (score) => masking?.maskerFor(score.projectId)?.({ spans: [], logs: [], metricPoints: [], scores: [score] }),
  };
}
