import { type Static, Type } from '@sinclair/typebox';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';

/** The answer schemas of `@spoor/model`'s errors types, each pinned to its type. */

export const ErrorGroupStatus = Type.Union([Type.Literal('unresolved'), Type.Literal('resolved'), Type.Literal('ignored')]);

export const ErrorParts = Type.Object(
  {
    exceptionType: Type.String(),
    messageKey: Type.String(),
    frame: Type.Union([Type.String(), Type.Null()]),
    provider: Type.Union([Type.String(), Type.Null()]),
    httpStatus: Type.Union([Type.Number(), Type.Null()]),
    errorType: Type.Union([Type.String(), Type.Null()]),
    finishReason: Type.Union([Type.String(), Type.Null()]),
    toolName: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const ErrorOccurrenceRecord = Type.Composite(
  [
    ErrorParts,
    Type.Object(
      {
        projectId: Type.String(),
        fingerprint: Type.String(),
        timeUs: Type.Number(),
        traceId: Type.Union([Type.String(), Type.Null()]),
        spanId: Type.Union([Type.String(), Type.Null()]),
        parentSpanId: Type.Union([Type.String(), Type.Null()]),
        serviceName: Type.String(),
        spanName: Type.String(),
        message: Type.String(),
        source: Type.Union([Type.Literal('span'), Type.Literal('log')]),
      },
      { additionalProperties: false },
    ),
  ],
  { additionalProperties: false },
);

export const ErrorGroup = Type.Composite(
  [
    ErrorParts,
    Type.Object(
      {
        fingerprint: Type.String(),
        fingerprintVersion: Type.Number(),
        sampleMessage: Type.String(),
        status: ErrorGroupStatus,
        regressed: Type.Boolean(),
        resolvedAt: Type.Union([Type.String(), Type.Null()]),
        count: Type.Number(),
        traceCount: Type.Number(),
        firstSeen: Type.String(),
        lastSeen: Type.String(),
        services: Type.Array(Type.String()),
        sampleTraceIds: Type.Array(Type.String()),
        hourly: Type.Array(
          Type.Object(
            {
              hour: Type.String(),
              count: Type.Number(),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  ],
  { additionalProperties: false },
);

export const ErrorGroupListResponse = Type.Object(
  {
    groups: Type.Array(ErrorGroup),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const ErrorGroupDetail = Type.Object(
  {
    group: ErrorGroup,
    occurrences: Type.Array(
      Type.Object(
        {
          time: Type.String(),
          traceId: Type.Union([Type.String(), Type.Null()]),
          spanId: Type.Union([Type.String(), Type.Null()]),
          serviceName: Type.String(),
          spanName: Type.String(),
          message: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
agree<Static<typeof ErrorGroupStatus>, model.ErrorGroupStatus>(true);
agree<Static<typeof ErrorParts>, model.ErrorParts>(true);
agree<Static<typeof ErrorOccurrenceRecord>, model.ErrorOccurrenceRecord>(true);
agree<Static<typeof ErrorGroup>, model.ErrorGroup>(true);
agree<Static<typeof ErrorGroupListResponse>, model.ErrorGroupListResponse>(true);
agree<Static<typeof ErrorGroupDetail>, model.ErrorGroupDetail>(true);
