import { type Static, Type } from '@sinclair/typebox';
import { SCORE_SOURCES, SCORE_FILTER_OPS } from '@spoor/model';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';
import { literals } from '../../content.js';

/** The answer schemas of `@spoor/model`'s score types, each pinned to its type. */

export const ScoreSource = literals(SCORE_SOURCES);

export const ScoreRecord = Type.Object(
  {
    projectId: Type.String(),
    scoreId: Type.String(),
    timeUs: Type.Number(),
    traceId: Type.Union([Type.String(), Type.Null()]),
    spanId: Type.Union([Type.String(), Type.Null()]),
    sessionId: Type.Union([Type.String(), Type.Null()]),
    responseId: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
    value: Type.Union([Type.Number(), Type.Null()]),
    label: Type.Union([Type.String(), Type.Null()]),
    comment: Type.Union([Type.String(), Type.Null()]),
    source: ScoreSource,
    author: Type.String(),
  },
  { additionalProperties: false },
);

export const Score = Type.Composite(
  [
    Type.Omit(ScoreRecord, Type.Union([Type.Literal('projectId'), Type.Literal('timeUs')])),
    Type.Object(
      {
        time: Type.String(),
      },
      { additionalProperties: false },
    ),
  ],
  { additionalProperties: false },
);

export const ScoreListResponse = Type.Object(
  {
    scores: Type.Array(Score),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const ScoreSlot = Type.Object(
  {
    projectId: Type.String(),
    traceId: Type.Union([Type.String(), Type.Null()]),
    spanId: Type.Union([Type.String(), Type.Null()]),
    sessionId: Type.Union([Type.String(), Type.Null()]),
    responseId: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
    source: ScoreSource,
    author: Type.String(),
  },
  { additionalProperties: false },
);

export const ScoreSummary = Type.Object(
  {
    mean: Type.Union([Type.Number(), Type.Null()]),
    count: Type.Number(),
    labels: Type.Record(Type.String(), Type.Number()),
  },
  { additionalProperties: false },
);

export const ScoreFilterOp = literals(SCORE_FILTER_OPS);

export const ScoreFilter = Type.Union([
  Type.Object(
    {
      name: Type.String(),
      op: ScoreFilterOp,
      value: Type.Number(),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      name: Type.String(),
      op: Type.Union([Type.Literal('='), Type.Literal('!=')]),
      label: Type.String(),
    },
    { additionalProperties: false },
  ),
]);
agree<Static<typeof ScoreSource>, model.ScoreSource>(true);
agree<Static<typeof ScoreRecord>, model.ScoreRecord>(true);
agree<Static<typeof Score>, model.Score>(true);
agree<Static<typeof ScoreListResponse>, model.ScoreListResponse>(true);
agree<Static<typeof ScoreSlot>, model.ScoreSlot>(true);
agree<Static<typeof ScoreSummary>, model.ScoreSummary>(true);
agree<Static<typeof ScoreFilterOp>, model.ScoreFilterOp>(true);
agree<Static<typeof ScoreFilter>, model.ScoreFilter>(true);
