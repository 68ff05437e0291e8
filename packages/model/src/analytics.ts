import type { AttributeFilter, TimeRange, TraceOrigin } from './api.js';
import type { Score, ScoreSummary } from './score.js';
import type { ScoreCompareRow } from './score-stats.js';
import type { SpanCategory, SpanKind } from './span.js';

/**
 * Which spans an analytics query looks at: the trace list's filters, applied to each span
 * instead of to whole traces.
 */
export interface SpanFilter {
  projectId: string;
  /** Span start time range. */
  range: TimeRange;
  service: string | null;
  spanName: string | null;
  /** The span name contains this text (case-insensitive). */
  text: string | null;
  status: 'ok' | 'error' | null;
  minDurationMs: number | null;
  maxDurationMs: number | null;
  /** Span or resource attributes, compared as text. */
  attributes: AttributeFilter[];
  sessionId: string | null;
  /** Request or response model. */
  model: string | null;
  kind: SpanKind | null;
  category: SpanCategory | null;
  /** Only spans without a parent: whole requests. */
  rootOnly: boolean;
  /** Whose spans (`TRACE_ORIGINS`); absent: all. */
  origin?: TraceOrigin;
}

/** What statistics and series can be grouped by: a span column, or any span or resource attribute. */
export const SPAN_GROUP_COLUMNS = ['name', 'service', 'model', 'provider', 'kind', 'category', 'operation', 'session'] as const;
export type SpanGroupColumn = (typeof SPAN_GROUP_COLUMNS)[number];
export type SpanGroupBy = { column: SpanGroupColumn } | { attribute: string };

/** Aggregates of a set of spans. Durations in milliseconds; a total no span carried is `null`. */
export interface SpanStats {
  count: number;
  errorCount: number;
  errorRate: number;
  avgMs: number;
  /** Exact percentiles (linear interpolation between the two nearest spans). */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  cacheReadInputTokens: number | null;
  cacheCreationInputTokens: number | null;
  reasoningTokens: number | null;
  costUsd: number | null;
  /** LLM calls with tokens but no price (a model Spoor has no price for): `costUsd` leaves them out, so it is a lower bound when this is above 0. */
  unpricedCalls: number;
}

export interface SpanStatsGroup extends SpanStats {
  /** The group's value; `null` for spans without one (no model, no such attribute). */
  key: string | null;
}

/** `GET /api/stats/spans`: groups, most spans first. */
export interface SpanStatsResponse {
  groupBy: string;
  groups: SpanStatsGroup[];
}

export const TIMESERIES_METRICS = ['count', 'errors', 'error_rate', 'avg', 'p50', 'p95', 'p99', 'tokens', 'cost'] as const;
export type TimeseriesMetric = (typeof TIMESERIES_METRICS)[number];

/** `GET /api/stats/spans` as the API parses it: which spans, grouped by what, how many groups. */
export interface SpanStatsQuery {
  filter: SpanFilter;
  groupBy: SpanGroupBy;
  /** Most groups returned (the ones with most spans). */
  limit: number;
}

/** `GET /api/stats/timeseries` as the API parses it: one span metric per step, optionally per group. */
export interface TimeseriesQuery {
  /** Its range must be closed at both ends. */
  filter: SpanFilter;
  metric: TimeseriesMetric;
  /** Bucket width in microseconds; buckets start at multiples of it. */
  stepUs: number;
  groupBy: SpanGroupBy | null;
  /** Most groups returned (the ones with most spans). */
  limit: number;
}

/** `GET /api/stats/compare` as the API parses it: spans whose `by` value is `a`, against those where it is `b`. */
export interface CompareQuery {
  filter: SpanFilter;
  by: SpanGroupBy;
  a: string;
  b: string;
  /** Most span names returned. */
  limit: number;
}

/** One line of a chart: a value per bucket (`null` where the bucket has no value, e.g. no spans for a p95). */
export interface Series {
  key: string | null;
  values: Array<number | null>;
}

/**
 * `GET /api/stats/timeseries`: buckets aligned to multiples of the step since the epoch, every
 * bucket of the range present. Counts, tokens and cost are 0 in an empty bucket; rates and
 * latencies are `null` there.
 */
export interface TimeseriesResponse {
  metric: TimeseriesMetric;
  groupBy: string | null;
  stepMs: number;
  /** ISO-8601 start of each bucket. */
  times: string[];
  series: Series[];
}

/** A session (conversation) as the sessions list shows it. */
export interface SessionSummary {
  sessionId: string;
  /** Traces with a span of the session. */
  runCount: number;
  /** Runs whose root span failed. */
  failedRuns: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  /** LLM calls with tokens but no price (a model Spoor has no price for): `costUsd` leaves them out, so it is a lower bound when this is above 0. */
  unpricedCalls: number;
  firstSeen: string;
  lastActivity: string;
  services: string[];
  /** The `user.id`s on the session's spans, sorted; usually one. */
  userIds: string[];
  /** Per score name, the scores of the session itself (not of one of its traces). */
  scores: Record<string, ScoreSummary>;
  /** Per score name, the scores of the session's runs in the range, pooled: mean value, count, label counts. */
  traceScores: Record<string, ScoreSummary>;
}

export interface SessionListResponse {
  sessions: SessionSummary[];
  nextCursor: string | null;
}

/** A user of the sessions (a `user.id` on a session's span) and the totals of their runs in the range. */
export interface UserSummary {
  userId: string;
  sessionCount: number;
  runCount: number;
  /** Runs whose root span failed. */
  failedRuns: number;
  /** Failed spans of their runs. */
  errorCount: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  /** LLM calls with tokens but no price: `costUsd` leaves them out. */
  unpricedCalls: number;
  firstSeen: string;
  lastSeen: string;
  /** Per score name, the scores of the user's runs in the range, pooled: mean value, count, label counts. */
  traceScores: Record<string, ScoreSummary>;
}

export interface UserListResponse {
  users: UserSummary[];
  nextCursor: string | null;
}

/** One run of a session: a trace, and how its root span ended. */
export interface SessionRun {
  traceId: string;
  name: string;
  serviceName: string;
  startTime: string;
  durationMs: number;
  status: 'ok' | 'error';
  spanCount: number;
  errorCount: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  /** LLM calls with tokens but no price (a model Spoor has no price for): `costUsd` leaves them out, so it is a lower bound when this is above 0. */
  unpricedCalls: number;
  /** The `user.id` on the run's session spans, if any (the first in order, should there be several). */
  userId: string | null;
  /** Per score name, the run's scores (its own and its spans'). */
  scores: Record<string, ScoreSummary>;
}

/** `GET /api/sessions/:id`: the session's runs in the window (newest first) and their summary. */
export interface SessionDetail {
  sessionId: string;
  /** The window, ISO-8601: `from`/`to` as asked, else the last `hours` (default 24) up to now. */
  from: string;
  to: string;
  hours: number;
  /** The users of the runs, sorted. */
  userIds: string[];
  runs: SessionRun[];
  /** The scores of the session itself, in time order. */
  scores: Score[];
  /** Per score name, the scores of the runs above, pooled. */
  traceScores: Record<string, ScoreSummary>;
  summary: {
    totalRuns: number;
    /** Runs that ended without an error. */
    completedRuns: number;
    failedRuns: number;
    errorRate: number;
    avgDurationMs: number;
    maxDurationMs: number;
    totalCostUsd: number;
    /** The runs' LLM calls with tokens but no price, which `totalCostUsd` leaves out. */
    unpricedCalls: number;
    avgCostUsd: number;
  };
}

/** `GET /api/metrics/realtime`: what is happening now. */
export interface RealtimeMetrics {
  service: string | null;
  /** ISO-8601: the "now" the windows end at. */
  at: string;
  /** Root spans that ended in the last 60 s, per second. */
  requestsPerSecond: number;
  /** Of root spans that ended in the last 300 s; `null` when there were none. */
  avgLatencyMs: number | null;
  errorRate: number | null;
  /** LLM tokens (input + output) of spans that ended in the last 60 s, per second. */
  tokensPerSecond: number;
  /** Cost of spans that ended in the last 300 s, per hour. */
  costPerHourUsd: number;
  /** LLM calls of the last 300 s with tokens and no price: `costPerHourUsd` leaves them out, so it is a lower bound when this is above 0. */
  unpricedCalls: number;
  /** Over the last 300 s, from `cache.hit` span attributes or `cache.hits`/`cache.misses` counters; `null` without either. */
  cacheHitRate: number | null;
}

export const METRIC_SERIES_FNS = ['rate', 'increase', 'avg', 'min', 'max', 'sum', 'last', 'p50', 'p90', 'p95', 'p99'] as const;
export type MetricSeriesFn = (typeof METRIC_SERIES_FNS)[number];

/** `GET /api/metrics/series`: an app metric as a chart. */
export interface MetricSeriesResponse {
  name: string;
  fn: MetricSeriesFn;
  type: string;
  unit: string;
  windowMs: number;
  stepMs: number;
  groupBy: string | null;
  times: string[];
  /** At most 50 series, those with the largest values first. */
  series: Series[];
  /** How many more series `groupBy` made, left out for being smaller. */
  droppedSeries: number;
}

/** One side of a release comparison for one span name. */
export interface CompareSide {
  count: number;
  errorRate: number;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  /** Average cost per span; `null` when no span of the side had a cost. */
  costPerCallUsd: number | null;
}

/** A significance test's outcome. */
export interface TestResult {
  /** `mann-whitney-u` (durations), `two-proportion-z` (error rates), `welch-t` (cost per call). */
  test: string;
  /** Two-sided; `null` when either side is too small to test. */
  pValue: number | null;
  /** `pValue < alpha`. */
  significant: boolean;
}

export interface CompareRow {
  name: string;
  a: CompareSide | null;
  b: CompareSide | null;
  /** b relative to a: (b - a) / a for latency and cost, b - a for the error rate; `null` without both sides. */
  change: { p50: number | null; p95: number | null; errorRate: number | null; costPerCall: number | null };
  latency: TestResult;
  errors: TestResult;
  cost: TestResult;
}

/** `GET /api/stats/compare`: per span name, side `a` against side `b`; and per score name, the scores of those spans. */
export interface CompareResponse {
  by: string;
  a: string;
  b: string;
  alpha: number;
  rows: CompareRow[];
  /** The newest version of each score of the compared spans (a trace's score with its root span), per score name. */
  scores: ScoreCompareRow[];
}

/**
 * A span on a trace's critical path, and how much of the path it accounts for. Times are
 * milliseconds after the path's `startTime` (a child clipped to its parent may start before it).
 */
export interface CriticalPathSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  serviceName: string;
  category: SpanCategory;
  startMs: number;
  durationMs: number;
  /** Time of the path spent in this span itself (not in a child on the path). */
  onPathMs: number;
}

/** A stretch of the path: the span that determined the trace's end during it. */
export interface CriticalPathSegment {
  /** `null` for a gap between root spans of a trace with several roots, where no span ran. */
  spanId: string | null;
  /** Milliseconds after the path's `startTime`. */
  startMs: number;
  durationMs: number;
}

/**
 * `GET /api/traces/:id/critical-path`. Offsets rather than timestamps: a 50,000-span trace can have
 * ten thousand segments, and the waterfall draws offsets anyway.
 */
export interface CriticalPath {
  traceId: string;
  startTime: string;
  durationMs: number;
  /** Spans on the path, in the order the path enters them. */
  spans: CriticalPathSpan[];
  /** In time order; they tile the trace's duration. */
  segments: CriticalPathSegment[];
}
