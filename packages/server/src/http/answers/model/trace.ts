import { type Static, Type } from '@sinclair/typebox';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';
import { Score, ScoreSummary } from './score.js';
import { Span } from './span.js';
import { LogRecord } from './log.js';

/** The answer schemas of `@spoor/model`'s trace types, each pinned to its type. */

export const TraceSummary = Type.Object(
  {
    traceId: Type.String(),
    rootName: Type.String(),
    serviceName: Type.String(),
    startTime: Type.String(),
    durationMs: Type.Number(),
    spanCount: Type.Number(),
    errorCount: Type.Number(),
    inputTokens: Type.Union([Type.Number(), Type.Null()]),
    outputTokens: Type.Union([Type.Number(), Type.Null()]),
    costUsd: Type.Union([Type.Number(), Type.Null()]),
    unpricedCalls: Type.Number(),
    sessionId: Type.Union([Type.String(), Type.Null()]),
    userId: Type.Union([Type.String(), Type.Null()]),
    scores: Type.Record(Type.String(), ScoreSummary),
    running: Type.Optional(Type.Boolean()),
    sampledOut: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const TraceDetail = Type.Object(
  {
    traceId: Type.String(),
    sampledOut: Type.Optional(Type.Boolean()),
    spans: Type.Array(Span),
    logs: Type.Array(LogRecord),
    scores: Type.Array(Score),
  },
  { additionalProperties: false },
);

export const TraceDetailPage = Type.Composite(
  [
    TraceDetail,
    Type.Object(
      {
        spanCount: Type.Number(),
        offset: Type.Number(),
        nextSpans: Type.Union([Type.String(), Type.Null()]),
      },
      { additionalProperties: false },
    ),
  ],
  { additionalProperties: false },
);

export const TraceTreeColumns = Type.Object(
  {
    originUs: Type.Number(),
    spanIds: Type.Array(Type.String()),
    parentSpanIds: Type.Array(Type.Union([Type.String(), Type.Null()])),
    names: Type.Array(Type.String()),
    services: Type.Array(Type.String()),
    serviceIndexes: Type.Array(Type.Number()),
    startOffsetsUs: Type.Array(Type.Number()),
    durationsUs: Type.Array(Type.Number()),
    statusCodes: Type.Array(Type.Number()),
    categories: Type.Array(Type.Number()),
    states: Type.Array(Type.Number()),
    events: Type.Array(Type.Tuple([Type.Number(), Type.Number(), Type.String()])),
    inputTokens: Type.Array(Type.Union([Type.Number(), Type.Null()])),
    outputTokens: Type.Array(Type.Union([Type.Number(), Type.Null()])),
    costUsd: Type.Array(Type.Union([Type.Number(), Type.Null()])),
    models: Type.Array(Type.Union([Type.String(), Type.Null()])),
    sessionId: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const TraceTree = Type.Composite(
  [
    Type.Omit(TraceTreeColumns, Type.Literal('originUs')),
    Type.Object(
      {
        traceId: Type.String(),
        startTime: Type.String(),
        logs: Type.Array(LogRecord),
        scores: Type.Array(Score),
      },
      { additionalProperties: false },
    ),
  ],
  { additionalProperties: false },
);

export const TraceSearchResponse = Type.Object(
  {
    spanIds: Type.Array(Type.String()),
    truncated: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const SpanDetail = Type.Object(
  {
    traceId: Type.String(),
    span: Span,
    logs: Type.Array(LogRecord),
  },
  { additionalProperties: false },
);

export const TraceSummaryRecord = Type.Object(
  {
    traceId: Type.String(),
    rootName: Type.String(),
    serviceName: Type.String(),
    startTimeUs: Type.Number(),
    endTimeUs: Type.Number(),
    spanCount: Type.Number(),
    errorCount: Type.Number(),
    inputTokens: Type.Union([Type.Number(), Type.Null()]),
    outputTokens: Type.Union([Type.Number(), Type.Null()]),
    costUsd: Type.Union([Type.Number(), Type.Null()]),
    unpricedCalls: Type.Number(),
    sessionId: Type.Union([Type.String(), Type.Null()]),
    userId: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
agree<Static<typeof TraceSummary>, model.TraceSummary>(true);
agree<Static<typeof TraceDetail>, model.TraceDetail>(true);
agree<Static<typeof TraceDetailPage>, model.TraceDetailPage>(true);
agree<Static<typeof TraceTreeColumns>, model.TraceTreeColumns>(true);
agree<Static<typeof TraceTree>, model.TraceTree>(true);
agree<Static<typeof TraceSearchResponse>, model.TraceSearchResponse>(true);
agree<Static<typeof SpanDetail>, model.SpanDetail>(true);
agree<Static<typeof TraceSummaryRecord>, model.TraceSummaryRecord>(true);
