import type { ErrorGroupStatus, ErrorParts, TimeRange } from '@spoor/model';

export interface ErrorGroupQuery {
  projectId: string;
  range: TimeRange;
  /** The user's status; a resolved group seen again counts as unresolved. */
  status: ErrorGroupStatus | null;
  service: string | null;
  fingerprint: string | null;
  /** `lastSeen` (default), `firstSeen` or `count`, descending. */
  sort: 'lastSeen' | 'firstSeen' | 'count';
}

export interface ErrorGroupRecord extends ErrorParts {
  fingerprint: string;
  sampleMessage: string;
  /** As stored; see `regressed`. */
  storedStatus: ErrorGroupStatus;
  resolvedUs: number | null;
  count: number;
  traceCount: number;
  firstSeenUs: number;
  lastSeenUs: number;
  services: string[];
  sampleTraceIds: string[];
}

export interface ErrorOccurrenceRow {
  timeUs: number;
  traceId: string | null;
  spanId: string | null;
  serviceName: string;
  spanName: string;
  message: string;
}

/** Error groups: their occurrences, and what users decided about them. */
export interface ErrorStore {
  /** Error groups with occurrences in the range; counts are of the range, first and last seen of all time. */
  listErrorGroups(query: ErrorGroupQuery, offset: number, limit: number): Promise<ErrorGroupRecord[]>;
  /** Occurrences per hour (bucket = floor(time / 1 h) * 1 h) of these groups in the range. */
  errorGroupHourly(
    projectId: string,
    fingerprints: readonly string[],
    range: TimeRange,
  ): Promise<Array<{ fingerprint: string; hourUs: number; count: number }>>;
  /** The newest occurrences of a group. */
  listErrorOccurrences(projectId: string, fingerprint: string, range: TimeRange, limit: number): Promise<ErrorOccurrenceRow[]>;
  /** Records what a user decided about an error group. */
  setErrorGroupStatus(projectId: string, fingerprint: string, status: ErrorGroupStatus, nowUs: number): Promise<void>;
}
