import type { ItemReview, ReviewScore } from '@spoor/model';
import type { QueueEventRecord, QueueItemRecord } from '../store/ports/queues.js';

/**
 * Where each item of a queue stands, worked out from its events in time order:
 * - `take` gives the item to its reviewer until `untilUs`; a lease that ran out holds nothing;
 * - `release`, `skip` and `submit` by the holder end the hold; `skip` and `submit` also mark the
 *   item as done by that reviewer (neither is given to them again), `submit` with their review
 *   (a later one of the same reviewer replaces it).
 * An item is done once `reviewersPerItem` reviewers submitted it.
 */

/** A submit's review as stored (`QueueEventRecord.review`). */
export interface StoredReview {
  scores: ReviewScore[];
  comment: string | null;
}

export interface ItemState {
  item: QueueItemRecord;
  holder: { reviewer: string; untilUs: number } | null;
  reviews: Map<string, ItemReview>;
  skipped: Set<string>;
}

export function itemStates(items: readonly QueueItemRecord[], events: readonly QueueEventRecord[], nowUs: number): Map<string, ItemState> {
  const states = new Map<string, ItemState>(items.map((item) => [item.itemId, { item, holder: null, reviews: new Map(), skipped: new Set() }]));
  for (const e of events) {
    const state = states.get(e.itemId);
    // An event of an item not read (added before the queue was made again): not this queue's.
    if (state === undefined) continue;
    if (e.kind === 'take') {
      state.holder = { reviewer: e.reviewer, untilUs: e.untilUs };
      continue;
    }
    if (state.holder?.reviewer === e.reviewer) state.holder = null;
    if (e.kind === 'skip') state.skipped.add(e.reviewer);
    if (e.kind === 'submit') {
      const review = JSON.parse(e.review) as StoredReview;
      state.reviews.set(e.reviewer, { reviewer: e.reviewer, scores: review.scores, comment: review.comment, time: new Date(e.timeUs / 1000).toISOString() });
    }
  }
  for (const state of states.values()) if (state.holder !== null && state.holder.untilUs <= nowUs) state.holder = null;
  return states;
}

/** Whether `reviewer` may be given the item: not done, not held by another, not submitted or skipped by them. */
export function givable(state: ItemState, reviewer: string, reviewersPerItem: number): boolean {
  if (state.reviews.size >= reviewersPerItem) return false;
  if (state.holder !== null && state.holder.reviewer !== reviewer) return false;
  return !state.reviews.has(reviewer) && !state.skipped.has(reviewer);
}
