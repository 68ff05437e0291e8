import type { LogQuery, LogRecordData } from '@spoor/model';
import type { TimeKey } from './traces.js';

/** Logs. */
export interface LogReader {
  /** Log records matching the query, newest first, after `after`, at most `limit`. */
  listLogs(query: LogQuery, after: TimeKey | null, limit: number): Promise<LogRecordData[]>;
}
