import type { TimeRange } from '@spoor/model';
import type { SessionRecord, SessionRunRecord } from '../store.js';
import { type ChClient, notYet } from './client.js';

/** Sessions and their runs. */

export function listSessions(ch: ChClient, projectId: string, range: TimeRange, offset: number, limit: number): Promise<SessionRecord[]> {
  return notYet('listSessions', ch, projectId, range, offset, limit);
}

export function listSessionRuns(ch: ChClient, projectId: string, sessionId: string, range: TimeRange): Promise<SessionRunRecord[]> {
  return notYet('listSessionRuns', ch, projectId, sessionId, range);
}
