import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EVALUATOR_TARGETS } from '@spoor/model';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import type { EvaluatorService } from './evaluator-service.js';
import { LIST_LIMIT, limit, time, timeUs } from '../params/parameters.js';
import { projectOf } from '../http/request-access.js';
import { NoContent } from '../http/content.js';
import {
  Evaluator,
  EvaluatorBackfill,
  EvaluatorErrorsResponse,
  EvaluatorListAnswer,
  EvaluatorPreviewAnswer,
  EvaluatorRetryAnswer,
} from './answers/evaluators.js';

const NAME_PATH = Type.Object({ name: Type.String({ description: "the evaluator's name" }) });
const ERRORS_QUERY = Type.Object({ limit: limit(LIST_LIMIT) }, { additionalProperties: false });

/**
 * An evaluator as the API takes it: the fields every kind shares, declared here, and the kind's
 * own beside them, which the kind checks (`quality/spec.ts`: a 400 naming the field).
 */
function specBody(nameRequired: boolean) {
  const name = Type.String({ minLength: 1, description: 'unique in the project; the name of its scores' });
  return Type.Object(
    {
      name: nameRequired ? name : Type.Optional(name),
      kind: Type.String({ description: 'regex, contains, equals, json-schema, length, latency, cost, tool-called (or llm-judge where configured)' }),
      target: Type.String({ description: `what it judges: ${EVALUATOR_TARGETS.join(', ')}` }),
      filter: Type.Optional(Type.String({ description: "the trace list's filters as a query string, such as service=api&model=gpt-4o" })),
      sampleRate: Type.Optional(Type.Number({ description: 'the share of complete traces judged, 0 to 1, by trace id (default 1)' })),
      dailyBudgetUsd: Type.Optional(Type.Number({ description: 'past this spend in a UTC day the evaluator is paused' })),
    },
    {
      title: 'EvaluatorSpec',
      additionalProperties: true,
      description: "the kind's own fields (pattern, text, expected, schema, min, max, maxMs, maxUsd, tool, on, caseSensitive) beside these",
    },
  );
}
const NEW_SPEC = specBody(true);
const PUT_SPEC = specBody(false);
const PREVIEW = Type.Object({ spec: NEW_SPEC }, { additionalProperties: false });
const PAUSE = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'why (default: paused by hand)' })) },
  { additionalProperties: false },
);
const BACKFILL = Type.Object(
  { from: time('the start of the range of trace end times: ISO-8601 or epoch milliseconds'), to: Type.Optional(time('its end (default now)')) },
  { additionalProperties: false },
);

/** Online evaluators (admin for every change): definitions, pause and resume, preview, backfill, errors and retry. */
export async function evaluatorRoutes(instance: FastifyInstance, options: { evaluators: EvaluatorService | null; nowUs: () => number }): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['evaluators'];
  const service = (): EvaluatorService => {
    if (options.evaluators === null) throw new AppError('ERR_NOT_FOUND', 'evaluators do not run on this server');
    return options.evaluators;
  };

  app.get(
    '/api/evaluators',
    { schema: { summary: 'Evaluators, with their state, scores made, errors and cost today', tags, response: { 200: EvaluatorListAnswer } } },
    async (request) => ({
      evaluators: await service().list(projectOf(request)),
    }),
  );
  app.post('/api/evaluators', { schema: { summary: 'Make an evaluator', tags, body: NEW_SPEC, response: { 201: Evaluator } } }, async (request, reply) =>
    reply.code(201).send((await service().save(projectOf(request), request.body, 'create')).evaluator),
  );
  app.post(
    '/api/evaluators/preview',
    {
      schema: {
        summary: 'The judgements of a spec on five recent matching targets, without saving it',
        tags,
        body: PREVIEW,
        response: { 200: EvaluatorPreviewAnswer },
      },
    },
    async (request) => ({
      items: await service().preview(projectOf(request), request.body.spec),
    }),
  );
  app.get('/api/evaluators/:name', { schema: { summary: 'One evaluator', tags, params: NAME_PATH, response: { 200: Evaluator } } }, async (request) =>
    service().get(projectOf(request), request.params.name),
  );
  app.put(
    '/api/evaluators/:name',
    {
      schema: {
        summary: 'Make or replace an evaluator (its version rises when the spec changes)',
        tags,
        params: NAME_PATH,
        body: PUT_SPEC,
        response: { 200: Evaluator, 201: Evaluator },
      },
    },
    async (request, reply) => {
      const { evaluator, created } = await service().save(projectOf(request), request.body, 'put', request.params.name);
      return reply.code(created ? 201 : 200).send(evaluator);
    },
  );
  app.delete(
    '/api/evaluators/:name',
    { schema: { summary: 'Remove an evaluator (its scores stay)', tags, params: NAME_PATH, response: { 204: NoContent } } },
    async (request, reply) => {
      await service().delete(projectOf(request), request.params.name);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/evaluators/:name/pause',
    { schema: { summary: 'Pause an evaluator', tags, params: NAME_PATH, body: PAUSE, response: { 200: Evaluator } } },
    async (request) => service().setState(projectOf(request), request.params.name, true, request.body.reason),
  );
  app.post(
    '/api/evaluators/:name/resume',
    { schema: { summary: 'Resume a paused evaluator', tags, params: NAME_PATH, response: { 200: Evaluator } } },
    async (request) => service().setState(projectOf(request), request.params.name, false),
  );
  app.post(
    '/api/evaluators/:name/retry',
    { schema: { summary: 'Judge again the targets whose judging failed', tags, params: NAME_PATH, response: { 200: EvaluatorRetryAnswer } } },
    async (request) => service().retry(projectOf(request), request.params.name),
  );
  app.get(
    '/api/evaluators/:name/errors',
    {
      schema: {
        summary: "The targets whose last judging by the evaluator's current version failed, newest first, with the error",
        tags,
        params: NAME_PATH,
        querystring: ERRORS_QUERY,
        response: { 200: EvaluatorErrorsResponse },
      },
    },
    async (request) => ({ errors: await service().errors(projectOf(request), request.params.name, request.query.limit ?? LIST_LIMIT.fallback) }),
  );
  app.post(
    '/api/evaluators/:name/backfill',
    { schema: { summary: 'Judge the traces that completed in a past range', tags, params: NAME_PATH, body: BACKFILL, response: { 202: EvaluatorBackfill } } },
    async (request, reply) => {
      const fromUs = timeUs(request.body.from, 'from')!;
      const toUs = timeUs(request.body.to, 'to') ?? options.nowUs();
      if (fromUs > toUs) throw new AppError('ERR_BAD_REQUEST', "'from' must not be after 'to'");
      return reply.code(202).send(await service().startBackfill(projectOf(request), request.params.name, fromUs, toUs));
    },
  );
  app.get(
    '/api/evaluators/:name/backfill',
    { schema: { summary: "The progress of the evaluator's last backfill on this server", tags, params: NAME_PATH, response: { 200: EvaluatorBackfill } } },
    async (request) => service().backfill(projectOf(request), request.params.name),
  );
}
