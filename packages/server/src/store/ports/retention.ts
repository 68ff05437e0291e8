/** The signals each with a retention of its own (`--retention`). */
export type Signal = 'traces' | 'logs' | 'metrics';

/** The kinds of records retention deletes from. */
export type RetainedRecords =
  | 'spans'
  | 'spanStats'
  | 'traceParts'
  | 'errors'
  | 'alertHistory'
  | 'silences'
  | 'logs'
  | 'metricPoints'
  | 'scores'
  | 'llmResponses'
  | 'evaluatorRuns'
  | 'runningSpans'
  | 'samplingDecisions';

/** Retention: deletes old records, one kind at a time. */
export interface Retention {
  /**
   * Deletes every project's records of one kind older than `cutoffUs`, each by the time that
   * ends its use (a span by its start, a trace part by its end, a silence by its end, the rest by
   * their time); returns how many. Which kinds go with which signal's retention is decided
   * outside the store (`pipeline/retention.ts`).
   */
  deleteOlderThan(records: RetainedRecords, cutoffUs: number): Promise<number>;
}
