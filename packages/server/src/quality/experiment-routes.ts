import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { JsonValue, NewExperiment, NewExperimentResult } from '@spoor/model';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import { type ExperimentService, MAX_CONCURRENCY } from './experiment-service.js';
import { LIST_LIMIT, cursor, limit } from '../params/parameters.js';
import { projectOf } from '../http/request-access.js';
import { NoContent } from '../http/content.js';
import {
  ComparedItemDetail,
  Experiment,
  ExperimentComparison,
  ExperimentListResponse,
  ExperimentResultsAddedAnswer,
  ExperimentResultsResponse,
} from './answers/experiments.js';

/** Results one request records at most: the SDK posts them in batches as items finish. */
const RESULTS_MAX = 1000;

const REF = Type.String({ minLength: 1, maxLength: 200, description: "an experiment's id (32 hex characters), or a name: the newest experiment of that name" });
const REF_PATH = Type.Object({ id: REF });
const PAIR_PATH = Type.Object({ a: REF, b: REF });
const ITEM_PATH = Type.Object({
  a: REF,
  b: REF,
  itemId: Type.String({ pattern: '^[0-9a-f]{32}$', description: "a dataset item's id", 'x-must-be': '32 lowercase hex characters' }),
});

const TARGET = Type.Union(
  [
    Type.Object(
      {
        kind: Type.Literal('llm-call'),
        provider: Type.Union([Type.Literal('openai'), Type.Literal('anthropic'), Type.Literal('demo')], {
          description: 'a provider this server was started with (--provider), or the built-in demo',
        }),
        model: Type.String({ minLength: 1, maxLength: 200, description: 'the model each call asks for' }),
        system: Type.Optional(Type.String({ maxLength: 100_000, description: 'the system prompt, in place of the recorded one' })),
        temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
        maxTokens: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
      },
      {
        additionalProperties: false,
        description: "each item's recorded LLM call (or its input as the user's message) made again by this server with these changes",
      },
    ),
    Type.Object(
      {
        kind: Type.Literal('prompt'),
        name: Type.String({ minLength: 1, maxLength: 100, description: "a stored prompt's name (/api/prompts)" }),
        version: Type.Integer({ minimum: 1, description: 'the version to run' }),
        provider: Type.Union([Type.Literal('openai'), Type.Literal('anthropic'), Type.Literal('demo')], {
          description: 'a provider this server was started with (--provider), or the built-in demo',
        }),
        model: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "the model each call asks for (default the version's config.model)" })),
        temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
        maxTokens: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
      },
      {
        additionalProperties: false,
        description:
          "a prompt version compiled with each item's input as its variables (an object of them, or a text for its one variable), sent by this server",
      },
    ),
    Type.Object(
      {
        kind: Type.Literal('sdk'),
        replay: Type.Union([Type.Literal('none'), Type.Literal('tools'), Type.Literal('all-but-target')], {
          description: "what runExperiment answered from each item's recording",
        }),
      },
      { additionalProperties: false, description: "the app's own code, run by runExperiment in @spoor/sdk, which posts each item's result" },
    ),
  ],
  { description: 'what each item runs through' },
);

const NEW_EXPERIMENT = Type.Object(
  {
    dataset: Type.String({ minLength: 1, description: "the dataset's name" }),
    datasetVersion: Type.Optional(Type.Integer({ minimum: 1, description: 'the version to run (default the newest)' })),
    name: Type.String({ description: 'what the run is (a prompt, a model, a commit); runs of one suite may share it' }),
    target: TARGET,
    evaluators: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        maxItems: 50,
        description: "evaluators (by name) run on every item's result, with {{expected}} its expected output",
      }),
    ),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'anything to keep with the run (a commit, a branch)' })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CONCURRENCY, description: 'items an LLM-call experiment runs at once (default 4)' })),
  },
  { title: 'NewExperiment', additionalProperties: false },
);

const RESULT = Type.Object(
  {
    itemId: Type.String({ pattern: '^[0-9a-f]{32}$', 'x-must-be': '32 lowercase hex characters' }),
    traceId: Type.Union([Type.String({ pattern: '^[0-9a-fA-F]{32}$', 'x-must-be': '32 hex characters' }), Type.Null()], { description: "the item's trace" }),
    output: Type.Optional(Type.Unknown({ description: 'what the task answered' })),
    error: Type.Optional(Type.Union([Type.String({ maxLength: 10_000 }), Type.Null()], { description: 'why the task failed' })),
    latencyMs: Type.Optional(Type.Number({ minimum: 0 })),
    scores: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            value: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
            label: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
            comment: Type.Optional(Type.Union([Type.String({ maxLength: 10_000 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        { maxItems: 50, description: "the SDK's own evaluators' scores of the item" },
      ),
    ),
  },
  { additionalProperties: false },
);
const NEW_RESULTS = Type.Object(
  { results: Type.Array(RESULT, { minItems: 1, maxItems: RESULTS_MAX }) },
  { title: 'NewExperimentResults', additionalProperties: false },
);
const FINISH = Type.Object(
  { error: Type.Optional(Type.String({ minLength: 1, maxLength: 10_000, description: 'why the run broke off (it is then failed)' })) },
  { title: 'ExperimentFinish', additionalProperties: false },
);
const LIST_QUERY = Type.Object(
  { dataset: Type.Optional(Type.String({ minLength: 1, description: 'only the experiments of this dataset' })), limit: limit(LIST_LIMIT) },
  { additionalProperties: false },
);
const RESULTS_QUERY = Type.Object({ limit: limit(LIST_LIMIT), cursor: cursor() }, { additionalProperties: false });

/**
 * Experiments through REST: made (an LLM-call experiment then runs on this server), listed, read
 * with their results, compared item by item, and, for the SDK's runs, their results recorded and
 * the run finished. An ingest key may run experiments (a CI job does); deleting needs an admin key.
 */
export async function experimentRoutes(instance: FastifyInstance, options: { experiments: ExperimentService | null }): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['experiments'];
  const service = (): ExperimentService => {
    if (options.experiments === null) throw new AppError('ERR_NOT_FOUND', 'experiments do not run on this server');
    return options.experiments;
  };

  app.post(
    '/api/experiments',
    { schema: { summary: 'Run a dataset version through an LLM call (on this server) or the SDK', tags, body: NEW_EXPERIMENT, response: { 201: Experiment } } },
    async (request, reply) => reply.code(201).send(await service().create(projectOf(request), request.body as NewExperiment)),
  );
  app.get(
    '/api/experiments',
    { schema: { summary: 'Experiments, newest first', tags, querystring: LIST_QUERY, response: { 200: ExperimentListResponse } } },
    async (request) => ({
      experiments: await service().list(projectOf(request), request.query.dataset ?? null, request.query.limit ?? LIST_LIMIT.fallback),
    }),
  );
  app.get(
    '/api/experiments/:id',
    { schema: { summary: 'One experiment, with its totals and score means', tags, params: REF_PATH, response: { 200: Experiment } } },
    async (request) => service().get(projectOf(request), request.params.id),
  );
  app.delete(
    '/api/experiments/:id',
    { schema: { summary: 'Delete an experiment (an LLM-call one still running stops)', tags, params: REF_PATH, response: { 204: NoContent } } },
    async (request, reply) => {
      await service().delete(projectOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/api/experiments/:id/results',
    {
      schema: {
        summary: "An experiment's item results, by item id",
        tags,
        params: REF_PATH,
        querystring: RESULTS_QUERY,
        response: { 200: ExperimentResultsResponse },
      },
    },
    async (request) => service().results(projectOf(request), request.params.id, request.query.limit ?? LIST_LIMIT.fallback, request.query.cursor ?? null),
  );
  app.post(
    '/api/experiments/:id/results',
    {
      schema: {
        summary: "Record items an SDK run ran (their traces judged by the experiment's evaluators)",
        tags,
        params: REF_PATH,
        body: NEW_RESULTS,
        response: { 200: ExperimentResultsAddedAnswer },
      },
    },
    async (request) => ({
      results: await service().addResults(projectOf(request), request.params.id, request.body.results.map(resultOf)),
    }),
  );
  app.post(
    '/api/experiments/:id/finish',
    { schema: { summary: 'End an SDK run: done, or failed with why', tags, params: REF_PATH, body: FINISH, response: { 200: Experiment } } },
    async (request) => service().finish(projectOf(request), request.params.id, request.body.error ?? null),
  );
  app.get(
    '/api/experiments/:a/compare/:b',
    {
      schema: {
        summary: 'Two experiments item by item, A the baseline: score, token, cost and latency deltas, paired tests',
        tags,
        params: PAIR_PATH,
        response: { 200: ExperimentComparison },
      },
    },
    async (request) => service().compare(projectOf(request), request.params.a, request.params.b),
  );
  app.get(
    '/api/experiments/:a/compare/:b/items/:itemId',
    { schema: { summary: 'One item of a comparison, with the trace diff of its two runs', tags, params: ITEM_PATH, response: { 200: ComparedItemDetail } } },
    async (request) => service().compareItem(projectOf(request), request.params.a, request.params.b, request.params.itemId),
  );
}

/** A result as posted: its output any JSON value (a body's `unknown`). */
function resultOf(r: Omit<NewExperimentResult, 'output'> & { output?: unknown }): NewExperimentResult {
  const { output, ...rest } = r;
  return output === undefined ? rest : { ...rest, output: output as JsonValue };
}
