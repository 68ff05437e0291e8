import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { projectInPath } from '../http/request-access.js';
import { AppError } from '../errors.js';
import type { SamplingService } from './service.js';
import { NoContent } from '../http/content.js';
import { SamplingAnswer } from './answers.js';

export interface SamplingRoutesOptions {
  /** Tail sampling; `null`: the routes answer 404. */
  sampling: SamplingService | null;
}

const DURATION = Type.String({ description: 'a duration with its unit: 600s, 2m, 500ms' });

/**
 * A policy as documented; `sampling/policy.ts` checks it whole (unknown keys and bad values are a
 * 400 naming the key), so the schema leaves extra keys for it to name.
 */
const POLICY = Type.Object(
  {
    rate: Type.Number({ description: 'the share of the traces no keep rule holds for that is kept, 0 to 1, by trace id' }),
    keep: Type.Optional(
      Type.Object(
        {
          errors: Type.Optional(Type.Boolean({ description: 'keep a trace with a failed span' })),
          slowerThan: Type.Optional(
            Type.Object(
              {
                workflow: Type.Optional(DURATION),
                agent: Type.Optional(DURATION),
                step: Type.Optional(DURATION),
                llm: Type.Optional(DURATION),
                tool: Type.Optional(DURATION),
              },
              { description: 'keep a trace with a span of the category longer than this (any span category)' },
            ),
          ),
          costOverUsd: Type.Optional(Type.Number({ description: 'keep a trace whose spans cost more than this, USD' })),
          scoreUnder: Type.Optional(
            Type.Record(Type.String(), Type.Number(), { description: 'keep a trace whose mean score of the name is under the number' }),
          ),
          filter: Type.Optional(
            Type.String({ description: "keep a trace the trace list's filter matches, as its query string: service=checkout&status=error" }),
          ),
        },
        { description: 'the keep rules; without it, the defaults (errors; workflow > 600s, step > 120s, llm > 30s; cost > $1)' },
      ),
    ),
  },
  { title: 'Sampling policy' },
);
const PROJECT_PATH = Type.Object({ projectId: Type.String({ description: 'the project' }) });

/**
 * A project's tail-sampling policy (`sampling/`): read, set (over the `--sampling` file's) and
 * removed. A key of another project finds no such project: 404, as the masking routes.
 */
export async function samplingRoutes(instance: FastifyInstance, options: SamplingRoutesOptions): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['sampling'];
  const serviceOf = (): SamplingService => {
    if (options.sampling === null) throw new AppError('ERR_NOT_FOUND', 'tail sampling does not run on this server');
    return options.sampling;
  };

  app.get(
    '/api/projects/:projectId/sampling',
    { schema: { summary: "The project's tail-sampling policy and where it comes from", tags, params: PROJECT_PATH, response: { 200: SamplingAnswer } } },
    async (request) => serviceOf().get(projectInPath(request)),
  );

  app.put(
    '/api/projects/:projectId/sampling',
    {
      schema: {
        summary: "Set the project's tail-sampling policy over the file's",
        tags,
        params: PROJECT_PATH,
        body: POLICY,
        response: { 200: SamplingAnswer },
      },
    },
    async (request) => serviceOf().put(projectInPath(request), request.body),
  );

  app.delete(
    '/api/projects/:projectId/sampling',
    { schema: { summary: "Remove the project's policy set through the API", tags, params: PROJECT_PATH, response: { 204: NoContent } } },
    async (request, reply) => {
      await serviceOf().delete(projectInPath(request));
      return reply.code(204).send(null);
    },
  );
}
