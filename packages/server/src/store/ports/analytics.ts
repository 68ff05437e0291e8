import type { CompareQuery, SpanStatsQuery, TimeRange, TimeseriesQuery } from '@spoor/model';

/** Aggregates of a group of spans, durations in microseconds (see `SpanStats`). */
export interface SpanStatsRecord {
  key: string | null;
  count: number;
  errorCount: number;
  avgUs: number;
  p50Us: number;
  p95Us: number;
  p99Us: number;
  maxUs: number;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  cacheReadInputTokens: number | null;
  cacheCreationInputTokens: number | null;
  reasoningTokens: number | null;
  costUsd: number | null;
  /** LLM calls with tokens and no cost, which `costUsd` leaves out. */
  unpricedCalls: number;
}

/** One bucket of one group; buckets without spans are absent. Durations in microseconds. */
export interface TimeseriesRow {
  bucketUs: number;
  key: string | null;
  value: number | null;
}

/** Counts over the windows ending at `nowUs` that the realtime numbers are made of. */
export interface RealtimeRecord {
  /** Root spans that ended in the last 60 s. */
  roots60: number;
  /** Root spans that ended in the last 300 s, how many failed, and their summed duration. */
  roots300: number;
  errors300: number;
  durationUs300: number;
  /** LLM tokens of spans that ended in the last 60 s. */
  tokens60: number;
  /** Cost of spans that ended in the last 300 s. */
  cost300: number;
  /** LLM calls of the last 300 s with tokens and no price. */
  unpriced300: number;
  /** Spans of the last 300 s carrying `cache.hit` true and false. */
  cacheHits: number;
  cacheMisses: number;
}

export interface SessionRecord {
  sessionId: string;
  runCount: number;
  failedRuns: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  unpricedCalls: number;
  firstSeenUs: number;
  lastActivityUs: number;
  services: string[];
  userIds: string[];
  /** Its runs (the traces with a span of it in the range), ascending: what their scores are read by. */
  traceIds: string[];
}

/** A user of the sessions (a `user.id` on a session's span) and the totals of their runs. */
export interface UserRecord {
  userId: string;
  sessionCount: number;
  runCount: number;
  failedRuns: number;
  /** Failed spans of their runs. */
  errorCount: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  unpricedCalls: number;
  firstSeenUs: number;
  lastSeenUs: number;
}

export interface SessionRunRecord {
  traceId: string;
  name: string;
  serviceName: string;
  startTimeUs: number;
  endTimeUs: number;
  failed: boolean;
  spanCount: number;
  errorCount: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  unpricedCalls: number;
  userId: string | null;
}

/** One side of a release comparison for one span name, with what the significance tests need. */
export interface CompareSideRecord {
  name: string;
  side: 'a' | 'b';
  count: number;
  errorCount: number;
  avgUs: number;
  p50Us: number;
  p95Us: number;
  /** Sum of this side's duration ranks among both sides' spans of the name (ties averaged). */
  rankSum: number;
  /** Σ(t³ - t) over groups of tied durations of the name, both sides together. */
  tieTerm: number;
  /** Spans with a cost, and the mean and sample variance of cost over all spans (no cost = 0). */
  costCount: number;
  costMean: number;
  costVariance: number | null;
}

/** Span statistics, charts, realtime numbers, sessions and release comparisons. */
export interface AnalyticsReader {
  /** Span aggregates per group, most spans first, at most `limit` groups. Exact percentiles. */
  spanStats(query: SpanStatsQuery): Promise<SpanStatsRecord[]>;
  /** A span metric per step-aligned bucket (bucket = floor(start / step) * step) and group. */
  spanTimeseries(query: TimeseriesQuery): Promise<TimeseriesRow[]>;
  /** The realtime counts over the windows ending at `nowUs`, of one service or all. */
  realtime(projectId: string, service: string | null, nowUs: number): Promise<RealtimeRecord>;
  /** Sessions with a span in the range, latest activity first. */
  /** With `user`, only the sessions whose spans in the range name that user (each session whole). */
  listSessions(projectId: string, range: TimeRange, offset: number, limit: number, user?: string | null): Promise<SessionRecord[]>;
  /** The runs (traces) with a span of the session that started in the range, newest first. */
  listSessionRuns(projectId: string, sessionId: string, range: TimeRange): Promise<SessionRunRecord[]>;
  /** The users of the sessions with runs in the range, latest seen first. */
  listUsers(projectId: string, range: TimeRange, offset: number, limit: number): Promise<UserRecord[]>;
  /** Per user of these, their runs in the range as `listUsers` counts them (traces of their session spans), sorted. */
  userTraces(projectId: string, userIds: readonly string[], range: TimeRange): Promise<Map<string, string[]>>;
  /**
   * Per span name, both sides of a comparison; a name seen on one side only has one record.
   * `read`, if given, may be called once the engine's part is done and only ranking in JS is left,
   * so that the caller's next query can run beside the ranking.
   */
  compareSpans(query: CompareQuery, read?: () => void): Promise<CompareSideRecord[]>;
}
