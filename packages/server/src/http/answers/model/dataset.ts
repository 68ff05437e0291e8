import { type Static, Type } from '@sinclair/typebox';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';

/** The answer schemas of `@spoor/model`'s dataset types, each pinned to its type. */

// Not recursive: Fastify's serializer cannot compile a recursive schema met twice in one answer. Values
// inside an array or an object are not checked; the type stays the model's.
export const JsonValue = Type.Unsafe<model.JsonValue>(
  Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null(), Type.Array(Type.Unknown()), Type.Record(Type.String(), Type.Unknown())]),
);

export const Dataset = Type.Object(
  {
    name: Type.String(),
    description: Type.String(),
    version: Type.Integer({ minimum: 1 }),
    itemCount: Type.Integer({ minimum: 0 }),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { additionalProperties: false },
);

export const DatasetItemSource = Type.Object(
  {
    traceId: Type.String(),
    spanId: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const DatasetItem = Type.Object(
  {
    itemId: Type.String(),
    input: JsonValue,
    expectedOutput: Type.Union([JsonValue, Type.Null()]),
    metadata: Type.Record(Type.String(), JsonValue),
    source: Type.Union([DatasetItemSource, Type.Null()]),
    createdAt: Type.String(),
    version: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

export const NewDatasetItem = Type.Union([
  Type.Object(
    {
      input: JsonValue,
      expectedOutput: Type.Optional(JsonValue),
      metadata: Type.Optional(Type.Record(Type.String(), JsonValue)),
      source: Type.Optional(
        Type.Object(
          {
            traceId: Type.String(),
            spanId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      fromTrace: Type.Object(
        {
          traceId: Type.String(),
          spanId: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
      expectedOutput: Type.Optional(JsonValue),
      metadata: Type.Optional(Type.Record(Type.String(), JsonValue)),
    },
    { additionalProperties: false },
  ),
]);

export const DatasetListResponse = Type.Object(
  {
    datasets: Type.Array(Dataset),
  },
  { additionalProperties: false },
);

export const DatasetItemsResponse = Type.Object(
  {
    dataset: Type.String(),
    version: Type.Integer({ minimum: 1 }),
    items: Type.Array(DatasetItem),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const DatasetChangeResponse = Type.Object(
  {
    dataset: Type.String(),
    version: Type.Integer({ minimum: 1 }),
    itemIds: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
agree<Static<typeof JsonValue>, model.JsonValue>(true);
agree<Static<typeof Dataset>, model.Dataset>(true);
agree<Static<typeof DatasetItemSource>, model.DatasetItemSource>(true);
agree<Static<typeof DatasetItem>, model.DatasetItem>(true);
agree<Static<typeof NewDatasetItem>, model.NewDatasetItem>(true);
agree<Static<typeof DatasetListResponse>, model.DatasetListResponse>(true);
agree<Static<typeof DatasetItemsResponse>, model.DatasetItemsResponse>(true);
agree<Static<typeof DatasetChangeResponse>, model.DatasetChangeResponse>(true);
