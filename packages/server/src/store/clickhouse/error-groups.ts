import type { ErrorGroupStatus, TimeRange } from '@spoor/model';
import type { ErrorGroupQuery, ErrorGroupRecord, ErrorOccurrenceRow } from '../store.js';
import { type ChClient, notYet } from './client.js';

/** Error groups, their occurrences, and what users decided about them. */

export function listErrorGroups(ch: ChClient, query: ErrorGroupQuery, offset: number, limit: number): Promise<ErrorGroupRecord[]> {
  return notYet('listErrorGroups', ch, query, offset, limit);
}

export function errorGroupHourly(ch: ChClient, projectId: string, fingerprints: readonly string[], range: TimeRange): Promise<Array<{ fingerprint: string; hourUs: number; count: number }>> {
  return notYet('errorGroupHourly', ch, projectId, fingerprints, range);
}

export function listErrorOccurrences(ch: ChClient, projectId: string, fingerprint: string, range: TimeRange, limit: number): Promise<ErrorOccurrenceRow[]> {
  return notYet('listErrorOccurrences', ch, projectId, fingerprint, range, limit);
}

export function setErrorGroupStatus(ch: ChClient, projectId: string, fingerprint: string, status: ErrorGroupStatus, nowUs: number): Promise<void> {
  return notYet('setErrorGroupStatus', ch, projectId, fingerprint, status, nowUs);
}
