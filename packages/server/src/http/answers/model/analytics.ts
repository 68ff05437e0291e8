import { type Static, Type } from '@sinclair/typebox';
import { SPAN_GROUP_COLUMNS, TIMESERIES_METRICS, METRIC_SERIES_FNS } from '@spoor/model';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';
import { literals } from '../../content.js';
import { AttributeFilter, TimeRange } from './api.js';
import { SpanCategory, SpanKind } from './span.js';
import { Score, ScoreSummary } from './score.js';
import { ScoreCompareRow } from './score-stats.js';

/** The answer schemas of `@spoor/model`'s analytics types, each pinned to its type. */

export const SpanFilter = Type.Object(
  {
    projectId: Type.String(),
    range: TimeRange,
    service: Type.Union([Type.String(), Type.Null()]),
    spanName: Type.Union([Type.String(), Type.Null()]),
    text: Type.Union([Type.String(), Type.Null()]),
    status: Type.Union([Type.Literal('ok'), Type.Literal('error'), Type.Null()]),
    minDurationMs: Type.Union([Type.Number(), Type.Null()]),
    maxDurationMs: Type.Union([Type.Number(), Type.Null()]),
    attributes: Type.Array(AttributeFilter),
    sessionId: Type.Union([Type.String(), Type.Null()]),
    model: Type.Union([Type.String(), Type.Null()]),
    kind: Type.Union([SpanKind, Type.Null()]),
    category: Type.Union([SpanCategory, Type.Null()]),
    rootOnly: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const SpanGroupColumn = literals(SPAN_GROUP_COLUMNS);

export const SpanGroupBy = Type.Union([
  Type.Object(
    {
      column: SpanGroupColumn,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      attribute: Type.String(),
    },
    { additionalProperties: false },
  ),
]);

export const SpanStats = Type.Object(
  {
    count: Type.Number(),
    errorCount: Type.Number(),
    errorRate: Type.Number(),
    avgMs: Type.Number(),
    p50Ms: Type.Number(),
    p95Ms: Type.Number(),
    p99Ms: Type.Number(),
    maxMs: Type.Number(),
    inputTokens: Type.Union([Type.Number(), Type.Null()]),
    outputTokens: Type.Union([Type.Number(), Type.Null()]),
    totalTokens: Type.Union([Type.Number(), Type.Null()]),
    cacheReadInputTokens: Type.Union([Type.Number(), Type.Null()]),
    cacheCreationInputTokens: Type.Union([Type.Number(), Type.Null()]),
    reasoningTokens: Type.Union([Type.Number(), Type.Null()]),
    costUsd: Type.Union([Type.Number(), Type.Null()]),
    unpricedCalls: Type.Number(),
  },
  { additionalProperties: false },
);

export const SpanStatsGroup = Type.Composite(
  [
    SpanStats,
    Type.Object(
      {
        key: Type.Union([Type.String(), Type.Null()]),
      },
      { additionalProperties: false },
    ),
  ],
  { additionalProperties: false },
);

export const SpanStatsResponse = Type.Object(
  {
    groupBy: Type.String(),
    groups: Type.Array(SpanStatsGroup),
  },
  { additionalProperties: false },
);

export const TimeseriesMetric = literals(TIMESERIES_METRICS);

export const SpanStatsQuery = Type.Object(
  {
    filter: SpanFilter,
    groupBy: SpanGroupBy,
    limit: Type.Number(),
  },
  { additionalProperties: false },
);

export const TimeseriesQuery = Type.Object(
  {
    filter: SpanFilter,
    metric: TimeseriesMetric,
    stepUs: Type.Number(),
    groupBy: Type.Union([SpanGroupBy, Type.Null()]),
    limit: Type.Number(),
  },
  { additionalProperties: false },
);

export const CompareQuery = Type.Object(
  {
    filter: SpanFilter,
    by: SpanGroupBy,
    a: Type.String(),
    b: Type.String(),
    limit: Type.Number(),
  },
  { additionalProperties: false },
);

export const Series = Type.Object(
  {
    key: Type.Union([Type.String(), Type.Null()]),
    values: Type.Array(Type.Union([Type.Number(), Type.Null()])),
  },
  { additionalProperties: false },
);

export const TimeseriesResponse = Type.Object(
  {
    metric: TimeseriesMetric,
    groupBy: Type.Union([Type.String(), Type.Null()]),
    stepMs: Type.Number(),
    times: Type.Array(Type.String()),
    series: Type.Array(Series),
  },
  { additionalProperties: false },
);

export const SessionSummary = Type.Object(
  {
    sessionId: Type.String(),
    runCount: Type.Number(),
    failedRuns: Type.Number(),
    inputTokens: Type.Union([Type.Number(), Type.Null()]),
    outputTokens: Type.Union([Type.Number(), Type.Null()]),
    costUsd: Type.Union([Type.Number(), Type.Null()]),
    unpricedCalls: Type.Number(),
    firstSeen: Type.String(),
    lastActivity: Type.String(),
    services: Type.Array(Type.String()),
    userIds: Type.Array(Type.String()),
    scores: Type.Record(Type.String(), ScoreSummary),
    traceScores: Type.Record(Type.String(), ScoreSummary),
  },
  { additionalProperties: false },
);

export const SessionListResponse = Type.Object(
  {
    sessions: Type.Array(SessionSummary),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const UserSummary = Type.Object(
  {
    userId: Type.String(),
    sessionCount: Type.Number(),
    runCount: Type.Number(),
    failedRuns: Type.Number(),
    errorCount: Type.Number(),
    inputTokens: Type.Union([Type.Number(), Type.Null()]),
    outputTokens: Type.Union([Type.Number(), Type.Null()]),
    costUsd: Type.Union([Type.Number(), Type.Null()]),
    unpricedCalls: Type.Number(),
    firstSeen: Type.String(),
    lastSeen: Type.String(),
    traceScores: Type.Record(Type.String(), ScoreSummary),
  },
  { additionalProperties: false },
);

export const UserListResponse = Type.Object(
  {
    users: Type.Array(UserSummary),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const SessionRun = Type.Object(
  {
    traceId: Type.String(),
    name: Type.String(),
    serviceName: Type.String(),
    startTime: Type.String(),
    durationMs: Type.Number(),
    status: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
    spanCount: Type.Number(),
    errorCount: Type.Number(),
    inputTokens: Type.Union([Type.Number(), Type.Null()]),
    outputTokens: Type.Union([Type.Number(), Type.Null()]),
    costUsd: Type.Union([Type.Number(), Type.Null()]),
    unpricedCalls: Type.Number(),
    userId: Type.Union([Type.String(), Type.Null()]),
    scores: Type.Record(Type.String(), ScoreSummary),
  },
  { additionalProperties: false },
);

export const SessionDetail = Type.Object(
  {
    sessionId: Type.String(),
    from: Type.String(),
    to: Type.String(),
    hours: Type.Number(),
    userIds: Type.Array(Type.String()),
    runs: Type.Array(SessionRun),
    scores: Type.Array(Score),
    traceScores: Type.Record(Type.String(), ScoreSummary),
    summary: Type.Object(
      {
        totalRuns: Type.Number(),
        completedRuns: Type.Number(),
        failedRuns: Type.Number(),
        errorRate: Type.Number(),
        avgDurationMs: Type.Number(),
        maxDurationMs: Type.Number(),
        totalCostUsd: Type.Number(),
        unpricedCalls: Type.Number(),
        avgCostUsd: Type.Number(),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const RealtimeMetrics = Type.Object(
  {
    service: Type.Union([Type.String(), Type.Null()]),
    at: Type.String(),
    requestsPerSecond: Type.Number(),
    avgLatencyMs: Type.Union([Type.Number(), Type.Null()]),
    errorRate: Type.Union([Type.Number(), Type.Null()]),
    tokensPerSecond: Type.Number(),
    costPerHourUsd: Type.Number(),
    unpricedCalls: Type.Integer(),
    cacheHitRate: Type.Union([Type.Number(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const MetricSeriesFn = literals(METRIC_SERIES_FNS);

export const MetricSeriesResponse = Type.Object(
  {
    name: Type.String(),
    fn: MetricSeriesFn,
    type: Type.String(),
    unit: Type.String(),
    windowMs: Type.Number(),
    stepMs: Type.Number(),
    groupBy: Type.Union([Type.String(), Type.Null()]),
    times: Type.Array(Type.String()),
    series: Type.Array(Series),
    droppedSeries: Type.Number(),
  },
  { additionalProperties: false },
);

export const CompareSide = Type.Object(
  {
    count: Type.Number(),
    errorRate: Type.Number(),
    avgMs: Type.Number(),
    p50Ms: Type.Number(),
    p95Ms: Type.Number(),
    costPerCallUsd: Type.Union([Type.Number(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const TestResult = Type.Object(
  {
    test: Type.String(),
    pValue: Type.Union([Type.Number(), Type.Null()]),
    significant: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const CompareRow = Type.Object(
  {
    name: Type.String(),
    a: Type.Union([CompareSide, Type.Null()]),
    b: Type.Union([CompareSide, Type.Null()]),
    change: Type.Object(
      {
        p50: Type.Union([Type.Number(), Type.Null()]),
        p95: Type.Union([Type.Number(), Type.Null()]),
        errorRate: Type.Union([Type.Number(), Type.Null()]),
        costPerCall: Type.Union([Type.Number(), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    latency: TestResult,
    errors: TestResult,
    cost: TestResult,
  },
  { additionalProperties: false },
);

export const CompareResponse = Type.Object(
  {
    by: Type.String(),
    a: Type.String(),
    b: Type.String(),
    alpha: Type.Number(),
    rows: Type.Array(CompareRow),
    scores: Type.Array(ScoreCompareRow),
  },
  { additionalProperties: false },
);

export const CriticalPathSpan = Type.Object(
  {
    spanId: Type.String(),
    parentSpanId: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
    serviceName: Type.String(),
    category: SpanCategory,
    startMs: Type.Number(),
    durationMs: Type.Number(),
    onPathMs: Type.Number(),
  },
  { additionalProperties: false },
);

export const CriticalPathSegment = Type.Object(
  {
    spanId: Type.Union([Type.String(), Type.Null()]),
    startMs: Type.Number(),
    durationMs: Type.Number(),
  },
  { additionalProperties: false },
);

export const CriticalPath = Type.Object(
  {
    traceId: Type.String(),
    startTime: Type.String(),
    durationMs: Type.Number(),
    spans: Type.Array(CriticalPathSpan),
    segments: Type.Array(CriticalPathSegment),
  },
  { additionalProperties: false },
);
agree<Static<typeof SpanFilter>, model.SpanFilter>(true);
agree<Static<typeof SpanGroupColumn>, model.SpanGroupColumn>(true);
agree<Static<typeof SpanGroupBy>, model.SpanGroupBy>(true);
agree<Static<typeof SpanStats>, model.SpanStats>(true);
agree<Static<typeof SpanStatsGroup>, model.SpanStatsGroup>(true);
agree<Static<typeof SpanStatsResponse>, model.SpanStatsResponse>(true);
agree<Static<typeof TimeseriesMetric>, model.TimeseriesMetric>(true);
agree<Static<typeof SpanStatsQuery>, model.SpanStatsQuery>(true);
agree<Static<typeof TimeseriesQuery>, model.TimeseriesQuery>(true);
agree<Static<typeof CompareQuery>, model.CompareQuery>(true);
agree<Static<typeof Series>, model.Series>(true);
agree<Static<typeof TimeseriesResponse>, model.TimeseriesResponse>(true);
agree<Static<typeof SessionSummary>, model.SessionSummary>(true);
agree<Static<typeof SessionListResponse>, model.SessionListResponse>(true);
agree<Static<typeof SessionRun>, model.SessionRun>(true);
agree<Static<typeof UserSummary>, model.UserSummary>(true);
agree<Static<typeof UserListResponse>, model.UserListResponse>(true);
agree<Static<typeof SessionDetail>, model.SessionDetail>(true);
agree<Static<typeof RealtimeMetrics>, model.RealtimeMetrics>(true);
agree<Static<typeof MetricSeriesFn>, model.MetricSeriesFn>(true);
agree<Static<typeof MetricSeriesResponse>, model.MetricSeriesResponse>(true);
agree<Static<typeof CompareSide>, model.CompareSide>(true);
agree<Static<typeof TestResult>, model.TestResult>(true);
agree<Static<typeof CompareRow>, model.CompareRow>(true);
agree<Static<typeof CompareResponse>, model.CompareResponse>(true);
agree<Static<typeof CriticalPathSpan>, model.CriticalPathSpan>(true);
agree<Static<typeof CriticalPathSegment>, model.CriticalPathSegment>(true);
agree<Static<typeof CriticalPath>, model.CriticalPath>(true);
