import type { ScoreConfig } from './score-config.js';

/**
 * Review queues: traces, spans or sessions routed to people, who score them against the queue's
 * rubric. Each item is held by one reviewer at a time (until they submit, skip or release it, or
 * its lease runs out); an item is done once `reviewersPerItem` reviewers submitted it.
 */

export const QUEUE_ITEM_KINDS = ['trace', 'span', 'session'] as const;
export type QueueItemKind = (typeof QUEUE_ITEM_KINDS)[number];

/** How an item came into the queue: by hand, from a filtered trace list, or by the queue's own filter as traces complete. */
export const QUEUE_ITEM_ORIGINS = ['hand', 'list', 'filter'] as const;
export type QueueItemOrigin = (typeof QUEUE_ITEM_ORIGINS)[number];

export interface ReviewQueue {
  name: string;
  description: string;
  rubric: ScoreConfig[];
  /** How many reviewers score each item, each blind to the others' scores until they submit. */
  reviewersPerItem: number;
  /** How long an item taken stays with its reviewer, seconds. */
  leaseSeconds: number;
  /** The trace list's query string that adds each completed trace it matches (sampled at `sampleRate`), or `null`. */
  filter: string | null;
  sampleRate: number;
  /** The dataset corrected outputs go to, or `null`. */
  dataset: string | null;
  createdAt: string;
}

export interface QueueItem {
  itemId: string;
  kind: QueueItemKind;
  traceId: string | null;
  spanId: string | null;
  sessionId: string | null;
  origin: QueueItemOrigin;
  addedAt: string;
}

/** A score given to an item against one rubric entry. */
export interface ReviewScore {
  name: string;
  value: number | null;
  label: string | null;
}

/** One reviewer's review of an item. */
export interface ItemReview {
  reviewer: string;
  scores: ReviewScore[];
  comment: string | null;
  time: string;
}

/** What `POST /api/queues/:name/next` gives: an item held for the asker until `heldUntil`, with the reviews they may see. */
export interface TakenItem {
  item: QueueItem;
  heldUntil: string;
  /** Others' reviews: empty until the asker has submitted this item (blind review). */
  reviews: ItemReview[];
}

export interface ReviewerProgress {
  reviewer: string;
  submitted: number;
  skipped: number;
}

export interface QueueProgress {
  items: number;
  /** Items with `reviewersPerItem` submissions. */
  done: number;
  /** Items held by a reviewer now. */
  held: number;
  reviews: number;
  reviewers: ReviewerProgress[];
}

/** Agreement on one rubric entry (Krippendorff's alpha; `null` where there is too little variation or too few pairs). */
export interface EntryAgreement {
  name: string;
  /** nominal (labels, booleans) or interval (numbers). */
  level: 'nominal' | 'interval';
  /** Items with two or more reviewers' values of this entry. */
  items: number;
  alpha: number | null;
}

/** Agreement of two reviewers on one rubric entry, over the items both scored. */
export interface PairAgreement {
  reviewers: [string, string];
  name: string;
  items: number;
  alpha: number | null;
  /** Cohen's kappa, for nominal entries. */
  kappa: number | null;
}

export interface QueueAgreement {
  entries: EntryAgreement[];
  pairs: PairAgreement[];
}
