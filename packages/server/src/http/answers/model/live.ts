import { type Static, Type } from '@sinclair/typebox';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';
import { SpanState } from './span.js';
import { TraceSummary } from './trace.js';

/** The answer schemas of `@spoor/model`'s live types, each pinned to its type. */

export const LiveSpan = Type.Object(
  {
    spanId: Type.String(),
    parentSpanId: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
    service: Type.String(),
    startUs: Type.Number(),
    endUs: Type.Union([Type.Number(), Type.Null()]),
    statusCode: Type.Number(),
    category: Type.Number(),
    state: SpanState,
    inputTokens: Type.Union([Type.Number(), Type.Null()]),
    outputTokens: Type.Union([Type.Number(), Type.Null()]),
    costUsd: Type.Union([Type.Number(), Type.Null()]),
    model: Type.Union([Type.String(), Type.Null()]),
    events: Type.Array(Type.Tuple([Type.Number(), Type.String()])),
  },
  { additionalProperties: false },
);

export const LiveSpansEvent = Type.Object(
  {
    traceId: Type.String(),
    spans: Type.Array(LiveSpan),
  },
  { additionalProperties: false },
);

export const LiveTracesEvent = Type.Object(
  {
    traces: Type.Array(TraceSummary),
  },
  { additionalProperties: false },
);
agree<Static<typeof LiveSpan>, model.LiveSpan>(true);
agree<Static<typeof LiveSpansEvent>, model.LiveSpansEvent>(true);
agree<Static<typeof LiveTracesEvent>, model.LiveTracesEvent>(true);
