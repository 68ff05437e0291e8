import { type Static, Type } from '@sinclair/typebox';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';

/** The answer schemas of `@spoor/model`'s attributes types, each pinned to its type. */

// Not recursive: Fastify's serializer cannot compile a recursive schema met twice in one answer. Values
// inside an array or an object are not checked; the type stays the model's.
export const AttributeValue = Type.Unsafe<model.AttributeValue>(
  Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null(), Type.Array(Type.Unknown()), Type.Record(Type.String(), Type.Unknown())]),
);

export const Attributes = Type.Record(Type.String(), AttributeValue);

export const InstrumentationScope = Type.Object(
  {
    name: Type.String(),
    version: Type.String(),
    attributes: Attributes,
    droppedAttributesCount: Type.Number(),
    schemaUrl: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const ApiScope = Type.Required(InstrumentationScope);

export const Resource = Type.Object(
  {
    attributes: Attributes,
    droppedAttributesCount: Type.Number(),
    schemaUrl: Type.String(),
  },
  { additionalProperties: false },
);
agree<Static<typeof AttributeValue>, model.AttributeValue>(true);
agree<Static<typeof Attributes>, model.Attributes>(true);
agree<Static<typeof InstrumentationScope>, model.InstrumentationScope>(true);
agree<Static<typeof ApiScope>, model.ApiScope>(true);
agree<Static<typeof Resource>, model.Resource>(true);
