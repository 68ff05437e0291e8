import { type Static, Type } from '@sinclair/typebox';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';
import { ApiScope, Attributes, InstrumentationScope, Resource } from './attributes.js';

/** The answer schemas of `@spoor/model`'s metric types, each pinned to its type. */

export const MetricType = Type.Union([
  Type.Literal('gauge'),
  Type.Literal('sum'),
  Type.Literal('histogram'),
  Type.Literal('exponential_histogram'),
  Type.Literal('summary'),
]);

export const Temporality = Type.Union([Type.Literal('unspecified'), Type.Literal('delta'), Type.Literal('cumulative')]);

export const ExponentialBuckets = Type.Object(
  {
    offset: Type.Number(),
    bucketCounts: Type.Array(Type.Number()),
  },
  { additionalProperties: false },
);

export const Exemplar = Type.Object(
  {
    timeUs: Type.Number(),
    value: Type.Number(),
    intValue: Type.Optional(Type.String()),
    traceId: Type.Union([Type.String(), Type.Null()]),
    spanId: Type.Union([Type.String(), Type.Null()]),
    filteredAttributes: Attributes,
  },
  { additionalProperties: false },
);

export const ExactCounts = Type.Object(
  {
    count: Type.Optional(Type.String()),
    bucketCounts: Type.Optional(Type.Array(Type.String())),
    zeroCount: Type.Optional(Type.String()),
    positive: Type.Optional(Type.Array(Type.String())),
    negative: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);

export const QuantileValue = Type.Object(
  {
    quantile: Type.Number(),
    value: Type.Number(),
  },
  { additionalProperties: false },
);

export const MetricPointRecord = Type.Object(
  {
    projectId: Type.String(),
    name: Type.String(),
    description: Type.String(),
    unit: Type.String(),
    type: MetricType,
    temporality: Temporality,
    isMonotonic: Type.Union([Type.Boolean(), Type.Null()]),
    serviceName: Type.String(),
    resource: Resource,
    scope: InstrumentationScope,
    attributes: Attributes,
    startTimeUs: Type.Union([Type.Number(), Type.Null()]),
    timeUs: Type.Number(),
    flags: Type.Number(),
    value: Type.Union([Type.Number(), Type.Null()]),
    intValue: Type.Union([Type.String(), Type.Null()]),
    count: Type.Union([Type.Number(), Type.Null()]),
    sum: Type.Union([Type.Number(), Type.Null()]),
    min: Type.Union([Type.Number(), Type.Null()]),
    max: Type.Union([Type.Number(), Type.Null()]),
    bucketCounts: Type.Union([Type.Array(Type.Number()), Type.Null()]),
    explicitBounds: Type.Union([Type.Array(Type.Number()), Type.Null()]),
    scale: Type.Union([Type.Number(), Type.Null()]),
    zeroCount: Type.Union([Type.Number(), Type.Null()]),
    zeroThreshold: Type.Union([Type.Number(), Type.Null()]),
    positive: Type.Union([ExponentialBuckets, Type.Null()]),
    negative: Type.Union([ExponentialBuckets, Type.Null()]),
    quantiles: Type.Union([Type.Array(QuantileValue), Type.Null()]),
    exemplars: Type.Array(Exemplar),
    exactCounts: Type.Optional(ExactCounts),
  },
  { additionalProperties: false },
);

export const MetricPoint = Type.Composite(
  [
    Type.Omit(
      MetricPointRecord,
      Type.Union([
        Type.Literal('projectId'),
        Type.Literal('resource'),
        Type.Literal('scope'),
        Type.Literal('startTimeUs'),
        Type.Literal('timeUs'),
        Type.Literal('exemplars'),
      ]),
    ),
    Type.Object(
      {
        resource: Attributes,
        resourceSchemaUrl: Type.String(),
        scope: ApiScope,
        startTime: Type.Union([Type.String(), Type.Null()]),
        time: Type.String(),
        exemplars: Type.Array(
          Type.Composite(
            [
              Type.Omit(Exemplar, Type.Literal('timeUs')),
              Type.Object(
                {
                  time: Type.String(),
                },
                { additionalProperties: false },
              ),
            ],
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  ],
  { additionalProperties: false },
);

export const MetricDescriptor = Type.Object(
  {
    name: Type.String(),
    type: MetricType,
    unit: Type.String(),
    description: Type.String(),
    pointCount: Type.Number(),
    lastSeen: Type.String(),
  },
  { additionalProperties: false },
);
agree<Static<typeof MetricType>, model.MetricType>(true);
agree<Static<typeof Temporality>, model.Temporality>(true);
agree<Static<typeof ExponentialBuckets>, model.ExponentialBuckets>(true);
agree<Static<typeof Exemplar>, model.Exemplar>(true);
agree<Static<typeof ExactCounts>, model.ExactCounts>(true);
agree<Static<typeof QuantileValue>, model.QuantileValue>(true);
agree<Static<typeof MetricPointRecord>, model.MetricPointRecord>(true);
agree<Static<typeof MetricPoint>, model.MetricPoint>(true);
agree<Static<typeof MetricDescriptor>, model.MetricDescriptor>(true);
