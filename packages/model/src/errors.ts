/** The version of the error fingerprint algorithm; a change to how errors group bumps it. */
export const FINGERPRINT_VERSION = 1;

/** What a user decided about an error group. */
export type ErrorGroupStatus = 'unresolved' | 'resolved' | 'ignored';

export const ERROR_GROUP_STATUSES: readonly ErrorGroupStatus[] = ['unresolved', 'resolved', 'ignored'];

/**
 * What an error's fingerprint is made of. Every occurrence of a group has the same parts, so a
 * group shows them as its title.
 */
export interface ErrorParts {
  /**
   * The exception type (`TypeError`, `openai.RateLimitError`), else the span's `error.type`, else
   * `FinishReason` for an LLM call that only stopped early (`finishReason`), else empty: a span
   * that failed with only a status, grouped by its message.
   */
  exceptionType: string;
  /** The message with numbers, ids, hex, UUIDs, times and quoted values replaced by placeholders. */
  messageKey: string;
  /** The top stack frame of the app's own code, `function (file)`, without line numbers. */
  frame: string | null;
  /** LLM failures: the provider, the HTTP status, the `error.type` and a `length`/`content_filter` finish. */
  provider: string | null;
  httpStatus: number | null;
  errorType: string | null;
  finishReason: string | null;
  /** Tool failures: the tool's name. */
  toolName: string | null;
}

/**
 * One error seen at ingest: a span that failed (unless it only passed on its child's exception),
 * an LLM call cut short by `length` or `content_filter`, or a log record carrying an exception.
 */
export interface ErrorOccurrenceRecord extends ErrorParts {
  projectId: string;
  fingerprint: string;
  timeUs: number;
  traceId: string | null;
  spanId: string | null;
  parentSpanId: string | null;
  serviceName: string;
  /** The span's name, or the log's event name. */
  spanName: string;
  /** The message as it came (truncated to 2,000 characters). */
  message: string;
  source: 'span' | 'log';
}

/** An error group as the API returns it (`GET /api/errors`, `GET /api/errors/:fingerprint`). */
export interface ErrorGroup extends ErrorParts {
  fingerprint: string;
  fingerprintVersion: number;
  /** The newest occurrence's message as it came. */
  sampleMessage: string;
  status: ErrorGroupStatus;
  /** A resolved group seen again after it was resolved. */
  regressed: boolean;
  /** ISO-8601: when it was resolved (`null` unless resolved). */
  resolvedAt: string | null;
  /** Occurrences in the range. */
  count: number;
  /** Distinct traces in the range. */
  traceCount: number;
  /** ISO-8601, over all time (not only the range). */
  firstSeen: string;
  lastSeen: string;
  services: string[];
  /** Up to 5, newest first. */
  sampleTraceIds: string[];
  /** Occurrences per hour over the range (or the last 24 hours), oldest first. */
  hourly: Array<{ hour: string; count: number }>;
}

export interface ErrorGroupListResponse {
  groups: ErrorGroup[];
  nextCursor: string | null;
}

/** `GET /api/errors/:fingerprint`: the group, and its newest occurrences. */
export interface ErrorGroupDetail {
  group: ErrorGroup;
  occurrences: Array<{
    time: string;
    traceId: string | null;
    spanId: string | null;
    serviceName: string;
    spanName: string;
    message: string;
  }>;
}
