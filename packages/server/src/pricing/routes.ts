import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import { modelPriceFrom, PriceTableError } from '../normalize/prices.js';
import { RANGE_QUERY, TIME_RANGE, timeRange } from '../params/parameters.js';
import { projectOf } from '../http/request-access.js';
import { sendJsonText } from '../http/content.js';
import type { Remote } from '../threads/protocol.js';
import { EffectiveModelPrice, PriceDeletedAnswer, PriceListResponse, RepriceResponse, UnpricedModelListResponse } from './answers.js';
import type { priceCalls } from './db-calls.js';

/** What the price routes call on the database thread: pricing's group. */
export type PriceDb = { readonly prices: Remote<ReturnType<typeof priceCalls.make>> };

const usd = (description: string) =>
  Type.Number({ minimum: 0, description: `USD per million ${description}`, 'x-must-be': 'a number of USD per million tokens, at least 0' });

/** A model's price, as the `--prices` file holds one; the model is the path's. */
const PRICE = Type.Object(
  {
    model: Type.Optional(Type.String({ description: "the path's model, if given at all" })),
    provider: Type.String({ minLength: 1, description: 'who serves the model, such as openai' }),
    input: usd('input tokens'),
    output: usd('output tokens'),
    cacheRead: Type.Optional(usd('input tokens read from a cache')),
    cacheWrite: Type.Optional(usd('input tokens written to a cache')),
    reasoning: Type.Optional(usd('reasoning tokens')),
    longContext: Type.Optional(
      Type.Object(
        {
          aboveInputTokens: Type.Number({ minimum: 0, description: 'the prompt size from which these prices apply' }),
          input: usd('input tokens'),
          output: usd('output tokens'),
          cacheRead: Type.Optional(usd('input tokens read from a cache')),
          cacheWrite: Type.Optional(usd('input tokens written to a cache')),
        },
        { additionalProperties: false, description: 'the prices of prompts above a size' },
      ),
    ),
    aliases: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'other ids of the same model', 'x-must-be': 'an array of model ids' })),
  },
  { title: 'Price', additionalProperties: false },
);
const MODEL_PATH = Type.Object({ model: Type.String({ description: 'the model id' }) });
const REPRICE = Type.Object(TIME_RANGE, { title: 'Re-price request', additionalProperties: false, 'x-error-code': 'ERR_INVALID_PARAMETER' });

/** The prices in force, the models without one, prices set and removed, and stored spans priced again. */
export async function priceRoutes(instance: FastifyInstance, options: { db: PriceDb }): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = options;
  const tags = ['prices'];

  app.get(
    '/api/prices',
    { schema: { summary: 'The prices in force, each with its origin', tags, response: { 200: PriceListResponse } } },
    async (request, reply) => sendJsonText(reply, await db.prices.list(projectOf(request))),
  );
  app.get(
    '/api/prices/unpriced',
    { schema: { summary: 'Models seen with tokens but no price', tags, querystring: RANGE_QUERY, response: { 200: UnpricedModelListResponse } } },
    async (request, reply) => sendJsonText(reply, await db.prices.unpriced(projectOf(request), timeRange(request.query))),
  );
  app.put(
    '/api/prices/:model',
    { schema: { summary: "Set a model's price", tags, params: MODEL_PATH, body: PRICE, response: { 200: EffectiveModelPrice } } },
    async (request, reply) => {
      const { body } = request;
      const model = request.params.model;
      if (body.model !== undefined && body.model.toLowerCase() !== model.toLowerCase())
        throw new AppError('ERR_BAD_REQUEST', `the body names model '${body.model}' but the path names '${model}'`);
      let price;
      try {
        // The price file's own reader: ids lowercased, the rules both share.
        price = modelPriceFrom({ ...body, model }, 'price');
      } catch (error) {
        if (error instanceof PriceTableError) throw new AppError('ERR_BAD_REQUEST', error.message);
        throw error;
      }
      return sendJsonText(reply, await db.prices.put(projectOf(request), price));
    },
  );
  app.delete(
    '/api/prices/:model',
    { schema: { summary: 'Remove a price set through the API', tags, params: MODEL_PATH, response: { 200: PriceDeletedAnswer } } },
    async (request, reply) => sendJsonText(reply, await db.prices.delete(projectOf(request), request.params.model)),
  );
  app.post(
    '/api/prices/reprice',
    { schema: { summary: 'Price the stored LLM spans of a range again', tags, body: REPRICE, response: { 200: RepriceResponse } } },
    async (request, reply) => sendJsonText(reply, await db.prices.reprice(projectOf(request), timeRange(request.body))),
  );
}
