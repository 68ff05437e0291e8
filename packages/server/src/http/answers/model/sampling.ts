import { type Static, Type } from '@sinclair/typebox';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';
import { SpanCategory } from './span.js';

/** The answer schemas of `@spoor/model`'s sampling types, each pinned to its type. */

export const SamplingKeep = Type.Object(
  {
    errors: Type.Optional(Type.Boolean()),
    slowerThan: Type.Optional(Type.Partial(Type.Record(SpanCategory, Type.String()))),
    costOverUsd: Type.Optional(Type.Number()),
    scoreUnder: Type.Optional(Type.Record(Type.String(), Type.Number())),
    filter: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const SamplingPolicy = Type.Object(
  {
    rate: Type.Number(),
    keep: SamplingKeep,
  },
  { additionalProperties: false },
);

export const SamplingAnswer = Type.Object(
  {
    projectId: Type.String(),
    source: Type.Union([Type.Literal('api'), Type.Literal('file'), Type.Literal('none')]),
    policy: Type.Union([SamplingPolicy, Type.Null()]),
    updatedAt: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const SamplingCount = Type.Object(
  {
    kept: Type.Number(),
    total: Type.Number(),
  },
  { additionalProperties: false },
);
agree<Static<typeof SamplingKeep>, model.SamplingKeep>(true);
agree<Static<typeof SamplingPolicy>, model.SamplingPolicy>(true);
agree<Static<typeof SamplingAnswer>, model.SamplingAnswer>(true);
agree<Static<typeof SamplingCount>, model.SamplingCount>(true);
