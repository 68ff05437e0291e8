import { type Static, Type } from '@sinclair/typebox';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';
import { ScoreFilter } from './score.js';
import { TraceSummary } from './trace.js';
import { SamplingCount } from './sampling.js';
import { LogRecord } from './log.js';
import { MetricDescriptor, MetricPoint } from './metric.js';
import { ModelPrice } from './prices.js';

/** The answer schemas of `@spoor/model`'s api types, each pinned to its type. */

export const SessionUserInfo = Type.Object(
  {
    subject: Type.String(),
    email: Type.Union([Type.String(), Type.Null()]),
    name: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const SingleSignOnInfo = Type.Object(
  {
    provider: Type.String(),
    reachable: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const SessionInfo = Type.Object(
  {
    authRequired: Type.Boolean(),
    signedIn: Type.Boolean(),
    keyId: Type.Union([Type.String(), Type.Null()]),
    role: Type.Union([Type.Literal('ingest'), Type.Literal('read'), Type.Literal('admin')]),
    projectId: Type.String(),
    projects: Type.Array(Type.String()),
    user: Type.Union([SessionUserInfo, Type.Null()]),
    singleSignOn: Type.Union([SingleSignOnInfo, Type.Null()]),
  },
  { additionalProperties: false },
);

export const TimeRange = Type.Object(
  {
    fromUs: Type.Union([Type.Number(), Type.Null()]),
    toUs: Type.Union([Type.Number(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const AttributeFilter = Type.Object(
  {
    key: Type.String(),
    value: Type.String(),
  },
  { additionalProperties: false },
);

export const TraceQuery = Type.Object(
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
    scores: Type.Array(ScoreFilter),
    limit: Type.Number(),
    cursor: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const LogQuery = Type.Object(
  {
    projectId: Type.String(),
    range: TimeRange,
    minSeverity: Type.Union([Type.Number(), Type.Null()]),
    service: Type.Union([Type.String(), Type.Null()]),
    traceId: Type.Union([Type.String(), Type.Null()]),
    text: Type.Union([Type.String(), Type.Null()]),
    limit: Type.Number(),
    cursor: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const MetricPointQuery = Type.Object(
  {
    projectId: Type.String(),
    range: TimeRange,
    name: Type.String(),
    service: Type.Union([Type.String(), Type.Null()]),
    limit: Type.Number(),
    cursor: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const TraceListResponse = Type.Object(
  {
    traces: Type.Array(TraceSummary),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
    sampling: Type.Optional(SamplingCount),
  },
  { additionalProperties: false },
);

export const LogListResponse = Type.Object(
  {
    logs: Type.Array(LogRecord),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const ServiceSummary = Type.Object(
  {
    name: Type.String(),
    spanCount: Type.Number(),
    errorCount: Type.Number(),
    logCount: Type.Number(),
    metricPointCount: Type.Number(),
    lastSeen: Type.String(),
  },
  { additionalProperties: false },
);

export const ServiceListResponse = Type.Object(
  {
    services: Type.Array(ServiceSummary),
  },
  { additionalProperties: false },
);

export const MetricListResponse = Type.Object(
  {
    metrics: Type.Array(MetricDescriptor),
  },
  { additionalProperties: false },
);

export const MetricPointListResponse = Type.Object(
  {
    points: Type.Array(MetricPoint),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const ApiErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String(),
        message: Type.String(),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const EffectiveModelPrice = Type.Composite(
  [
    ModelPrice,
    Type.Object(
      {
        origin: Type.Union([Type.Literal('default'), Type.Literal('file'), Type.Literal('api')]),
      },
      { additionalProperties: false },
    ),
  ],
  { additionalProperties: false },
);

export const PriceListResponse = Type.Object(
  {
    asOf: Type.String(),
    models: Type.Array(EffectiveModelPrice),
  },
  { additionalProperties: false },
);

export const UnpricedModel = Type.Object(
  {
    model: Type.String(),
    provider: Type.Union([Type.String(), Type.Null()]),
    spanCount: Type.Integer({ minimum: 0 }),
    inputTokens: Type.Integer({ minimum: 0 }),
    outputTokens: Type.Integer({ minimum: 0 }),
    lastSeen: Type.String(),
  },
  { additionalProperties: false },
);

export const UnpricedModelListResponse = Type.Object(
  {
    models: Type.Array(UnpricedModel),
  },
  { additionalProperties: false },
);

export const RepriceResponse = Type.Object(
  {
    spans: Type.Integer({ minimum: 0 }),
    traces: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
agree<Static<typeof SessionInfo>, model.SessionInfo>(true);
agree<Static<typeof SessionUserInfo>, model.SessionUserInfo>(true);
agree<Static<typeof SingleSignOnInfo>, model.SingleSignOnInfo>(true);
agree<Static<typeof TimeRange>, model.TimeRange>(true);
agree<Static<typeof AttributeFilter>, model.AttributeFilter>(true);
agree<Static<typeof TraceQuery>, model.TraceQuery>(true);
agree<Static<typeof LogQuery>, model.LogQuery>(true);
agree<Static<typeof MetricPointQuery>, model.MetricPointQuery>(true);
agree<Static<typeof TraceListResponse>, model.TraceListResponse>(true);
agree<Static<typeof LogListResponse>, model.LogListResponse>(true);
agree<Static<typeof ServiceSummary>, model.ServiceSummary>(true);
agree<Static<typeof ServiceListResponse>, model.ServiceListResponse>(true);
agree<Static<typeof MetricListResponse>, model.MetricListResponse>(true);
agree<Static<typeof MetricPointListResponse>, model.MetricPointListResponse>(true);
agree<Static<typeof ApiErrorBody>, model.ApiErrorBody>(true);
agree<Static<typeof EffectiveModelPrice>, model.EffectiveModelPrice>(true);
agree<Static<typeof PriceListResponse>, model.PriceListResponse>(true);
agree<Static<typeof UnpricedModel>, model.UnpricedModel>(true);
agree<Static<typeof UnpricedModelListResponse>, model.UnpricedModelListResponse>(true);
agree<Static<typeof RepriceResponse>, model.RepriceResponse>(true);
