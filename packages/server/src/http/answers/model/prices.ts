import { type Static, Type } from '@sinclair/typebox';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';

/** The answer schemas of `@spoor/model`'s prices types, each pinned to its type. */

export const LongContextPrice = Type.Object(
  {
    aboveInputTokens: Type.Number(),
    input: Type.Number(),
    output: Type.Number(),
    cacheRead: Type.Optional(Type.Number()),
    cacheWrite: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
);

export const ModelPrice = Type.Object(
  {
    model: Type.String(),
    provider: Type.String(),
    aliases: Type.Optional(Type.Array(Type.String())),
    input: Type.Number(),
    output: Type.Number(),
    cacheRead: Type.Optional(Type.Number()),
    cacheWrite: Type.Optional(Type.Number()),
    reasoning: Type.Optional(Type.Number()),
    longContext: Type.Optional(LongContextPrice),
  },
  { additionalProperties: false },
);

export const PriceTable = Type.Object(
  {
    asOf: Type.String(),
    models: Type.Array(ModelPrice),
  },
  { additionalProperties: false },
);
agree<Static<typeof ModelPrice>, model.ModelPrice>(true);
agree<Static<typeof LongContextPrice>, model.LongContextPrice>(true);
agree<Static<typeof PriceTable>, model.PriceTable>(true);
