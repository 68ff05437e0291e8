import { type Static, Type } from '@sinclair/typebox';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';

/** The answer schemas of `@spoor/model`'s diff types, each pinned to its type. */

export const TextDiffLine = Type.Object(
  {
    op: Type.Union([Type.Literal('='), Type.Literal('-'), Type.Literal('+')]),
    text: Type.String(),
  },
  { additionalProperties: false },
);

export const SpanDeltas = Type.Object(
  {
    durationMs: Type.Number(),
    inputTokens: Type.Union([Type.Number(), Type.Null()]),
    outputTokens: Type.Union([Type.Number(), Type.Null()]),
    costUsd: Type.Union([Type.Number(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const DiffSpan = Type.Object(
  {
    path: Type.String(),
    spanId: Type.String(),
    name: Type.String(),
    durationMs: Type.Number(),
    status: Type.Union([Type.Literal('unset'), Type.Literal('ok'), Type.Literal('error')]),
  },
  { additionalProperties: false },
);

export const ChangedSpan = Type.Object(
  {
    path: Type.String(),
    aSpanId: Type.String(),
    bSpanId: Type.String(),
    name: Type.Object(
      {
        a: Type.String(),
        b: Type.String(),
      },
      { additionalProperties: false },
    ),
    fields: Type.Record(
      Type.String(),
      Type.Object(
        {
          a: Type.Unknown(),
          b: Type.Unknown(),
        },
        { additionalProperties: false },
      ),
    ),
    deltas: SpanDeltas,
    prompt: Type.Union([Type.Array(TextDiffLine), Type.Null()]),
    completion: Type.Union([Type.Array(TextDiffLine), Type.Null()]),
  },
  { additionalProperties: false },
);

export const AlignedRow = Type.Object(
  {
    path: Type.String(),
    depth: Type.Number(),
    aSpanId: Type.Union([Type.String(), Type.Null()]),
    bSpanId: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
    kind: Type.Union([Type.Literal('same'), Type.Literal('changed'), Type.Literal('added'), Type.Literal('removed')]),
    aDurationMs: Type.Union([Type.Number(), Type.Null()]),
    bDurationMs: Type.Union([Type.Number(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const TraceDiffSide = Type.Object(
  {
    traceId: Type.String(),
    rootName: Type.String(),
    durationMs: Type.Number(),
    spanCount: Type.Number(),
    errorCount: Type.Number(),
    inputTokens: Type.Union([Type.Number(), Type.Null()]),
    outputTokens: Type.Union([Type.Number(), Type.Null()]),
    costUsd: Type.Union([Type.Number(), Type.Null()]),
    unpricedCalls: Type.Integer(),
  },
  { additionalProperties: false },
);

export const TraceDiff = Type.Object(
  {
    a: TraceDiffSide,
    b: TraceDiffSide,
    deltas: Type.Composite(
      [
        SpanDeltas,
        Type.Object(
          {
            spanCount: Type.Number(),
            errorCount: Type.Number(),
          },
          { additionalProperties: false },
        ),
      ],
      { additionalProperties: false },
    ),
    added: Type.Array(DiffSpan),
    removed: Type.Array(DiffSpan),
    changed: Type.Array(ChangedSpan),
    rows: Type.Array(AlignedRow),
  },
  { additionalProperties: false },
);
agree<Static<typeof TextDiffLine>, model.TextDiffLine>(true);
agree<Static<typeof SpanDeltas>, model.SpanDeltas>(true);
agree<Static<typeof DiffSpan>, model.DiffSpan>(true);
agree<Static<typeof ChangedSpan>, model.ChangedSpan>(true);
agree<Static<typeof AlignedRow>, model.AlignedRow>(true);
agree<Static<typeof TraceDiffSide>, model.TraceDiffSide>(true);
agree<Static<typeof TraceDiff>, model.TraceDiff>(true);
