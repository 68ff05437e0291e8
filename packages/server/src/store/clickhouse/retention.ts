import type { RetainedRecords } from '../store.js';
import { type ChClient, notYet } from './client.js';
import type { SchemaLayout } from './schema.js';

/** Deletes every project's records of one kind older than the cutoff; how many. */
export function deleteOlderThan(ch: ChClient, layout: SchemaLayout, records: RetainedRecords, cutoffUs: number): Promise<number> {
  return notYet('deleteOlderThan', ch, layout, records, cutoffUs);
}
