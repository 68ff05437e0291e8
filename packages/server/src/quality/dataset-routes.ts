import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { JsonValue } from '@spoor/model';
import type { FastifyInstance } from 'fastify';
import type { DbClient } from '../dbthread/calls.js';
import { AppError } from '../errors.js';
import { LIST_LIMIT, cursor, limit } from '../params/parameters.js';
import { projectOf } from '../http/request-access.js';
import { sendJsonText } from '../http/content.js';
import { NoContent } from '../http/content.js';
import { Dataset, DatasetChangeResponse, DatasetItemEditAnswer, DatasetItemsResponse, DatasetListResponse } from './answers/datasets.js';

/** A description: a line or a paragraph, not a document. */
const DESCRIPTION_MAX = 4096;
/** Items one request adds at most; an import of more is split by its sender. */
const ITEMS_MAX = 100_000;

const NAME_PATH = Type.Object({ name: Type.String({ description: "the dataset's name" }) });
const ITEM_ID = Type.String({
  pattern: '^[0-9a-f]{32}$',
  description: "an item's id (its itemId): 32 lowercase hex characters",
  'x-must-be': '32 lowercase hex characters',
});
const ITEM_PATH = Type.Object({ name: Type.String({ description: "the dataset's name" }), itemId: ITEM_ID });
const VERSION = Type.Optional(Type.Integer({ minimum: 1, description: 'the version to read (default the newest)' }));

const NEW_DATASET = Type.Object(
  {
    name: Type.String({ description: '1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit; unique in the project' }),
    description: Type.Optional(Type.String({ maxLength: DESCRIPTION_MAX, description: 'what the dataset is for' })),
  },
  { title: 'NewDataset', additionalProperties: false },
);

const NEW_ITEMS = Type.Object(
  {
    items: Type.Array(Type.Unknown(), {
      minItems: 1,
      maxItems: ITEMS_MAX,
      description:
        'each { input, expectedOutput?, metadata?, source? } (input any JSON value but null, metadata an object, source { traceId, spanId? }), ' +
        'or { fromTrace: { traceId, spanId? }, expectedOutput?, metadata? } ' +
        "to take the input and output of that trace's run (or that span's call); all are added or none",
    }),
    allowDuplicate: Type.Optional(
      Type.Boolean({ description: 'add an item from a trace (or call) the dataset already holds an item of; without it that is a 409 naming the item' }),
    ),
  },
  { title: 'NewDatasetItems', additionalProperties: false },
);

const ITEM_EDIT = Type.Object(
  {
    input: Type.Optional(Type.Unknown({ description: 'the new input (not null)' })),
    expectedOutput: Type.Optional(Type.Unknown({ description: 'the new expected output; null clears it' })),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'the new metadata (replaces the old)' })),
  },
  { title: 'DatasetItemEdit', additionalProperties: false },
);

const DESCRIBE = Type.Object(
  { description: Type.String({ maxLength: DESCRIPTION_MAX, description: 'what the dataset is for' }) },
  { title: 'DatasetDescription', additionalProperties: false },
);

const GET_QUERY = Type.Object({ version: VERSION }, { additionalProperties: false });
const ITEMS_QUERY = Type.Object({ version: VERSION, limit: limit(LIST_LIMIT), cursor: cursor() }, { additionalProperties: false });

/**
 * Datasets through REST: made, listed, read at a version and deleted (an admin); items added
 * (given, or from a trace), listed, edited and deleted, each change a new version. An ingest key
 * may make datasets and add and edit items (a CI job builds them); deleting needs an admin key.
 */
export async function datasetRoutes(
  instance: FastifyInstance,
  options: { db: Pick<DbClient, 'datasets'>; nowUs: () => number; maxBodyBytes: number },
): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, nowUs } = options;
  const tags = ['datasets'];

  app.post(
    '/api/datasets',
    { schema: { summary: 'Make a dataset (version 1, no items)', tags, body: NEW_DATASET, response: { 201: Dataset } } },
    async (request, reply) =>
      sendJsonText(reply.code(201), await db.datasets.create(projectOf(request), request.body.name, request.body.description ?? '', nowUs())),
  );
  app.get(
    '/api/datasets',
    { schema: { summary: 'Datasets, by name, at their newest version', tags, response: { 200: DatasetListResponse } } },
    async (request, reply) => sendJsonText(reply, await db.datasets.list(projectOf(request))),
  );
  app.get(
    '/api/datasets/:name',
    { schema: { summary: 'One dataset at a version', tags, params: NAME_PATH, querystring: GET_QUERY, response: { 200: Dataset } } },
    async (request, reply) => sendJsonText(reply, await db.datasets.get(projectOf(request), request.params.name, request.query.version ?? null)),
  );
  app.patch(
    '/api/datasets/:name',
    {
      schema: {
        summary: 'Describe a dataset anew (a new version, its items as they were)',
        tags,
        params: NAME_PATH,
        body: DESCRIBE,
        response: { 200: Dataset },
      },
    },
    async (request, reply) => sendJsonText(reply, await db.datasets.describe(projectOf(request), request.params.name, request.body.description, nowUs())),
  );
  app.delete(
    '/api/datasets/:name',
    { schema: { summary: 'Delete a dataset (its name may be used again, from empty)', tags, params: NAME_PATH, response: { 204: NoContent } } },
    async (request, reply) => {
      await db.datasets.delete(projectOf(request), request.params.name, nowUs());
      return reply.code(204).send(null);
    },
  );
  // An import sends every item in one request, so this body may be as large as an OTLP one (--max-body).
  app.post(
    '/api/datasets/:name/items',
    {
      bodyLimit: options.maxBodyBytes,
      schema: { summary: 'Add items (all or none) as a new version', tags, params: NAME_PATH, body: NEW_ITEMS, response: { 201: DatasetChangeResponse } },
    },
    async (request, reply) => {
      const { items, allowDuplicate = false } = request.body;
      return sendJsonText(reply.code(201), await db.datasets.addItems(projectOf(request), request.params.name, items, nowUs(), allowDuplicate));
    },
  );
  app.get(
    '/api/datasets/:name/items',
    {
      schema: {
        summary: "A version's items, by item id (the order they were added)",
        tags,
        params: NAME_PATH,
        querystring: ITEMS_QUERY,
        response: { 200: DatasetItemsResponse },
      },
    },
    async (request, reply) => {
      const q = request.query;
      return sendJsonText(
        reply,
        await db.datasets.items(projectOf(request), request.params.name, q.version ?? null, q.limit ?? LIST_LIMIT.fallback, q.cursor ?? null),
      );
    },
  );
  app.put(
    '/api/datasets/:name/items/:itemId',
    {
      schema: {
        summary: 'Edit an item as a new version (fields left out stay)',
        tags,
        params: ITEM_PATH,
        body: ITEM_EDIT,
        response: { 200: DatasetItemEditAnswer },
      },
    },
    async (request, reply) => {
      const b = request.body;
      if (b.input === undefined && b.expectedOutput === undefined && b.metadata === undefined)
        throw new AppError('ERR_BAD_REQUEST', 'give input, expectedOutput or metadata to change');
      const edit = {
        input: b.input as JsonValue | undefined,
        expectedOutput: b.expectedOutput as JsonValue | null | undefined,
        metadata: b.metadata as Record<string, JsonValue> | undefined,
      };
      return sendJsonText(reply, await db.datasets.editItem(projectOf(request), request.params.name, request.params.itemId, edit, nowUs()));
    },
  );
  app.delete(
    '/api/datasets/:name/items/:itemId',
    { schema: { summary: 'Delete an item as a new version (older versions keep it)', tags, params: ITEM_PATH, response: { 200: DatasetChangeResponse } } },
    async (request, reply) => sendJsonText(reply, await db.datasets.deleteItem(projectOf(request), request.params.name, request.params.itemId, nowUs())),
  );
}
