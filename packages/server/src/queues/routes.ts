import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { JsonValue } from '@spoor/model';
import type { FastifyInstance } from 'fastify';
import type { DbClient } from '../dbthread/calls.js';
import { AppError } from '../errors.js';
import { parseJson } from '../json.js';
import { NoContent } from '../http/content.js';
import { projectOf } from '../http/request-access.js';
import { LIST_LIMIT, hexId, limit, offsetCursor, spanId, time, timeRange, traceId } from '../params/parameters.js';
import { parseFilter } from '../quality/spec.js';
import type { Remote } from '../threads/protocol.js';
import * as answers from './answers.js';
import type { queueCalls } from './db-calls.js';
import { MAX_LIST_ITEMS } from './filling.js';
import type { ItemTarget } from './service.js';
import { checkQueue } from './spec.js';

/**
 * `/api/queues`: review queues. Admins make and fill them; reviewers (read keys, or people signed
 * in) take the next item, score it against the rubric, skip or release it. Who reviews is who
 * asks: the key's id, or `user:ADDRESS` for a person (`http/request-access.ts`).
 */

/** What the routes call on the database thread: the queues' group, and datasets' (a corrected output becomes an item). */
export type QueueDb = {
  readonly queues: Remote<ReturnType<typeof queueCalls.make>>;
  readonly datasets: Pick<DbClient['datasets'], 'addItems' | 'get'>;
};

const tags = ['queues'];
const NAME = Type.Object({ name: Type.String({ description: "the queue's name" }) });
const ITEM = Type.Object({ name: Type.String({ description: "the queue's name" }), itemId: Type.String({ description: "the item's id" }) });

const PAGE = Type.Object({ limit: limit(LIST_LIMIT), cursor: offsetCursor() }, { additionalProperties: false });

const NEW_QUEUE = Type.Object(
  {
    name: Type.String({ description: '1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit; unique in the project' }),
    description: Type.Optional(Type.String({ maxLength: 4096 })),
    rubric: Type.Array(Type.Unknown(), {
      minItems: 1,
      maxItems: 50,
      description:
        'score configs: { name, type: numeric, min, max, description? }, { name, type: categorical, labels, description? } or { name, type: boolean, description? }',
    }),
    reviewersPerItem: Type.Optional(Type.Integer({ description: 'reviewers per item, each blind to the others until they submit (default 1)' })),
    leaseSeconds: Type.Optional(Type.Integer({ description: 'how long an item taken stays with its reviewer (default 600)' })),
    filter: Type.Optional(
      Type.Union([Type.String(), Type.Null()], { description: "the trace list's query string: each trace it matches is added as it completes" }),
    ),
    sampleRate: Type.Optional(Type.Number({ description: 'the share of matching traces added, 0 to 1 (default 1)' })),
    dataset: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'the dataset corrected outputs go to' })),
  },
  { title: 'NewReviewQueue', additionalProperties: false },
);

const TARGET = Type.Object(
  {
    traceId: Type.Optional(traceId('a trace, or the trace of the span')),
    spanId: Type.Optional(spanId('a span of the trace')),
    sessionId: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'a session' })),
  },
  { additionalProperties: false },
);

const NEW_ITEMS = Type.Object(
  {
    items: Type.Optional(Type.Array(TARGET, { minItems: 1, maxItems: MAX_LIST_ITEMS, description: 'each { traceId }, { traceId, spanId } or { sessionId }' })),
    traceList: Type.Optional(
      Type.Object(
        {
          filter: Type.Optional(Type.String({ description: "the trace list's query string (service=api&status=error)" })),
          from: Type.Optional(time('start of the range of trace starts')),
          to: Type.Optional(time('end of the range')),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIST_ITEMS, description: 'most traces added, newest first (default 100)' })),
        },
        { additionalProperties: false, description: 'the traces of the trace list with this filter' },
      ),
    ),
  },
  { title: 'NewQueueItems', additionalProperties: false },
);

const REVIEW = Type.Object(
  {
    scores: Type.Array(
      Type.Object(
        {
          name: Type.String({ description: 'a rubric entry' }),
          value: Type.Optional(Type.Unknown({ description: 'a number in range (numeric), true or false (boolean)' })),
          label: Type.Optional(Type.Unknown({ description: 'one of the labels (categorical)' })),
        },
        { additionalProperties: false },
      ),
      { maxItems: 50 },
    ),
    comment: Type.Optional(Type.String({ maxLength: 16_384 })),
    correctedOutput: Type.Optional(
      Type.Unknown({ description: "the output as it should have been: added to the dataset as an item, its source the item's trace" }),
    ),
    dataset: Type.Optional(Type.String({ description: "the dataset for the corrected output (default the queue's)" })),
  },
  { title: 'Review', additionalProperties: false },
);

function targetOf(t: { traceId?: string; spanId?: string; sessionId?: string }, i: number): ItemTarget {
  if (t.sessionId !== undefined) {
    if (t.traceId !== undefined || t.spanId !== undefined) throw new AppError('ERR_BAD_REQUEST', `items[${i}]: a session item names no trace or span`);
    return { kind: 'session', sessionId: t.sessionId };
  }
  if (t.traceId === undefined) throw new AppError('ERR_BAD_REQUEST', `items[${i}]: give a traceId (and a spanId for a span) or a sessionId`);
  return t.spanId === undefined ? { kind: 'trace', traceId: hexId(t.traceId) } : { kind: 'span', traceId: hexId(t.traceId), spanId: hexId(t.spanId) };
}

export async function queueRoutes(instance: FastifyInstance, options: { db: QueueDb; nowUs: () => number }): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, nowUs } = options;
  const reviewerOf = (request: { access: { principal: { keyId: string } } }): string => request.access.principal.keyId;

  app.post(
    '/api/queues',
    { config: { need: 'admin' }, schema: { summary: 'Make a review queue (admin)', tags, body: NEW_QUEUE, response: { 201: answers.ReviewQueue } } },
    async (request, reply) => {
      const { name, spec } = checkQueue(request.body);
      return reply.code(201).send(await db.queues.create(projectOf(request), name, spec, nowUs()));
    },
  );
  app.get('/api/queues', { schema: { summary: 'The review queues', tags, response: { 200: answers.QueueList } } }, async (request) => ({
    queues: await db.queues.list(projectOf(request)),
  }));
  app.get(
    '/api/queues/:name',
    { schema: { summary: 'A review queue with its progress, per reviewer', tags, params: NAME, response: { 200: answers.QueueWithProgress } } },
    async (request) => db.queues.get(projectOf(request), request.params.name, nowUs()),
  );
  app.delete(
    '/api/queues/:name',
    { config: { need: 'admin' }, schema: { summary: 'Delete a review queue (its scores stay)', tags, params: NAME, response: { 204: NoContent } } },
    async (request, reply) => {
      await db.queues.delete(projectOf(request), request.params.name, nowUs());
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/queues/:name/items',
    {
      config: { need: 'admin' },
      schema: { summary: 'Add items by hand or from the trace list (admin)', tags, params: NAME, body: NEW_ITEMS, response: { 201: answers.Added } },
    },
    async (request, reply) => {
      const b = request.body;
      if ((b.items === undefined) === (b.traceList === undefined)) throw new AppError('ERR_BAD_REQUEST', 'items: give items or a traceList, one of the two');
      const project = projectOf(request);
      if (b.items !== undefined) {
        return reply.code(201).send(await db.queues.addItems(project, request.params.name, b.items.map(targetOf), 'hand', nowUs()));
      }
      const list = b.traceList!;
      const filter = parseFilter(list.filter ?? '', (message) => new AppError('ERR_BAD_REQUEST', `traceList.${message}`));
      const range = timeRange(list);
      return reply.code(201).send(await db.queues.addFromList(project, request.params.name, filter, range, list.limit ?? 100, nowUs()));
    },
  );
  app.get(
    '/api/queues/:name/items',
    {
      schema: {
        summary: 'The items, in the order they are given out, a page at a time',
        tags,
        params: NAME,
        querystring: PAGE,
        response: { 200: answers.QueueItems },
      },
    },
    async (request) =>
      db.queues.items(projectOf(request), request.params.name, Number(request.query.cursor ?? 0), request.query.limit ?? LIST_LIMIT.fallback, nowUs()),
  );
  app.get(
    '/api/queues/:name/items/:itemId',
    { schema: { summary: "An item, with others' reviews once yours is in", tags, params: ITEM, response: { 200: answers.ItemWithReviews } } },
    async (request) => db.queues.item(projectOf(request), request.params.name, request.params.itemId, reviewerOf(request), nowUs()),
  );
  app.post(
    '/api/queues/:name/next',
    {
      schema: {
        summary: 'Take the next item to review, held for you until its lease ends (204: none left for you)',
        tags,
        params: NAME,
        response: { 200: answers.TakenItem, 204: NoContent },
      },
    },
    async (request, reply) => {
      const taken = await db.queues.next(projectOf(request), request.params.name, reviewerOf(request), nowUs());
      return taken === null ? reply.code(204).send(null) : taken;
    },
  );
  app.post(
    '/api/queues/:name/items/:itemId/submit',
    {
      schema: {
        summary: 'Score an item you hold against the rubric, and send a corrected output to a dataset',
        tags,
        params: ITEM,
        body: REVIEW,
        response: { 200: answers.Submitted },
      },
    },
    async (request) => {
      const project = projectOf(request);
      const { name, itemId } = request.params;
      const b = request.body;
      const reviewer = reviewerOf(request);
      let dataset: string | null = null;
      // A correction is checked before the review is stored: a dataset that is not there must not leave the review in and the correction out.
      if (b.correctedOutput !== undefined) {
        if (b.correctedOutput === null) throw new AppError('ERR_BAD_REQUEST', 'correctedOutput: give the output as it should have been (not null)');
        dataset = b.dataset ?? (await db.queues.get(project, name, nowUs())).dataset;
        if (dataset === null) throw new AppError('ERR_BAD_REQUEST', 'dataset: the queue names no dataset for corrected outputs: give one');
        const item = await db.queues.item(project, name, itemId, reviewer, nowUs());
        if (item.traceId === null) throw new AppError('ERR_BAD_REQUEST', 'correctedOutput: a session item has no output of one trace to correct');
        await db.datasets.get(project, dataset, null);
      }
      const submitted = await db.queues.submit(project, name, itemId, reviewer, { scores: b.scores, comment: b.comment ?? null }, nowUs());
      let datasetItem: { dataset: string; version: number; itemId: string } | null = null;
      if (dataset !== null) {
        const { item } = submitted;
        const fromTrace = item.spanId === null ? { traceId: item.traceId! } : { traceId: item.traceId!, spanId: item.spanId };
        const metadata: Record<string, JsonValue> = { queue: name, queueItem: itemId, reviewer };
        const added = parseJson(await db.datasets.addItems(project, dataset, [{ fromTrace, expectedOutput: b.correctedOutput, metadata }], nowUs(), true));
        datasetItem = { dataset, version: added.version, itemId: added.itemIds[0]! };
      }
      return { ...submitted, datasetItem };
    },
  );
  for (const kind of ['skip', 'release'] as const) {
    app.post(
      `/api/queues/:name/items/:itemId/${kind}`,
      {
        schema: {
          summary: kind === 'skip' ? 'Skip an item you hold (not given you again)' : 'Give back an item you hold, for anyone to take',
          tags,
          params: ITEM,
          response: { 204: NoContent },
        },
      },
      async (request, reply) => {
        await db.queues.leave(projectOf(request), request.params.name, request.params.itemId, reviewerOf(request), kind, nowUs());
        return reply.code(204).send(null);
      },
    );
  }
  app.get(
    '/api/queues/:name/agreement',
    {
      schema: {
        summary: "Reviewers' agreement per rubric entry (Krippendorff's alpha) and per pair (alpha, Cohen's kappa)",
        tags,
        params: NAME,
        response: { 200: answers.Agreement },
      },
    },
    async (request) => db.queues.agreement(projectOf(request), request.params.name, nowUs()),
  );
}
