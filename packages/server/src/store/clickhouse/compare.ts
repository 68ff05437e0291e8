import type { CompareQuery } from '@spoor/model';
import type { CompareSideRecord } from '../store.js';
import { type ChClient, notYet } from './client.js';

/** Release comparisons: per span name, both sides, with what the significance tests need. */

export function compareSpans(ch: ChClient, query: CompareQuery): Promise<CompareSideRecord[]> {
  return notYet('compareSpans', ch, query);
}
