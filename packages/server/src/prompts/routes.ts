import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { DbClient } from '../dbthread/calls.js';
import { DAY_US } from '../duration.js';
import { AppError } from '../errors.js';
import { parseJson } from '../json.js';
import { TIME_RANGE, closedRange } from '../params/parameters.js';
import { NoContent } from '../http/content.js';
import { projectOf } from '../http/request-access.js';
import type { Remote } from '../threads/protocol.js';
import * as answers from './answers.js';
import type { promptCalls } from './db-calls.js';
import { checkLabel, checkNewVersion, checkPromptName, checkTarget, checkVariables, compiled } from './spec.js';
import { promptStats } from './version-stats.js';

/**
 * `/api/prompts`: prompts with versions and labels. Read keys fetch them (an app at run time);
 * admin keys add versions, move labels (each move kept, with who made it) and delete prompts.
 * Who is who asks: the key's id, or `user:ADDRESS` for a person (`http/request-access.ts`).
 */

export type PromptDb = {
  readonly prompts: Remote<ReturnType<typeof promptCalls.make>>;
  readonly analytics: Pick<DbClient['analytics'], 'spanStats' | 'compare'>;
};

const tags = ['prompts'];
const NAME = Type.Object({ name: Type.String({ description: "the prompt's name" }) });
const LABEL = Type.Object({ name: Type.String({ description: "the prompt's name" }), label: Type.String({ description: 'the label' }) });

const FETCH = Type.Object(
  {
    label: Type.Optional(Type.String({ description: 'the label to fetch (default production, else the newest version)' })),
    version: Type.Optional(Type.Integer({ minimum: 1, description: 'the version to fetch' })),
    variables: Type.Optional(
      Type.String({ maxLength: 65_536, description: 'the variables as a JSON object ({"name":"Ada"}): the answer\'s compiled is the prompt filled with them' }),
    ),
    stickyKey: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1024, description: 'a user or session id: a split label gives it one version, always the same' }),
    ),
  },
  { additionalProperties: false },
);

const STATS = Type.Object({ ...TIME_RANGE }, { additionalProperties: false });

const NEW_VERSION = Type.Object(
  {
    name: Type.String({ description: '1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit' }),
    type: Type.Optional(Type.Union([Type.Literal('text'), Type.Literal('chat')])),
    prompt: Type.Unknown({ description: 'a text, or chat messages [{ role, content }], with {{variables}}' }),
    config: Type.Optional(Type.Unknown({ description: "{ model, temperature, maxTokens, tools, responseFormat: { type: 'json', schema? } }" })),
    message: Type.Optional(Type.String({ description: 'what changed' })),
    labels: Type.Optional(Type.Array(Type.String(), { description: 'labels to point at the new version' })),
  },
  { title: 'NewPromptVersion', additionalProperties: false },
);

const TARGET = Type.Object(
  {
    version: Type.Optional(Type.Unknown({ description: 'the version the label points at' })),
    split: Type.Optional(Type.Unknown({ description: '[{ version, weight }], the weights summing to 100' })),
  },
  { title: 'PromptLabelTarget', additionalProperties: false },
);

export async function promptRoutes(instance: FastifyInstance, options: { db: PromptDb; nowUs: () => number }): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, nowUs } = options;
  const actorOf = (request: { access: { principal: { keyId: string } } }): string => request.access.principal.keyId;

  app.get(
    '/api/prompts',
    { schema: { summary: 'The prompts, with their newest version and labels', tags, response: { 200: answers.PromptList } } },
    async (request) => ({
      prompts: await db.prompts.list(projectOf(request)),
    }),
  );
  app.post(
    '/api/prompts',
    { schema: { summary: "Add a prompt's next version (the first makes the prompt)", tags, body: NEW_VERSION, response: { 201: answers.PromptVersion } } },
    async (request, reply) => reply.code(201).send(await db.prompts.create(projectOf(request), checkNewVersion(request.body), actorOf(request), nowUs())),
  );
  app.get(
    '/api/prompts/:name',
    {
      schema: {
        summary: 'A version by label or number (default: production, else the newest)',
        tags,
        params: NAME,
        querystring: FETCH,
        response: { 200: answers.FetchedPrompt },
      },
    },
    async (request) => {
      const { label, version, stickyKey, variables } = request.query;
      if (label !== undefined && version !== undefined) throw new AppError('ERR_BAD_REQUEST', 'label: give a label or a version, not both');
      const values = variables === undefined ? undefined : checkVariables(variables);
      const fetched = await db.prompts.get(projectOf(request), checkPromptName(request.params.name), {
        ...(label === undefined ? {} : { label: checkLabel(label) }),
        ...(version === undefined ? {} : { version }),
        ...(stickyKey === undefined ? {} : { stickyKey }),
      });
      return values === undefined ? fetched : { ...fetched, compiled: compiled(fetched.prompt, values) };
    },
  );
  app.delete(
    '/api/prompts/:name',
    { config: { need: 'admin' }, schema: { summary: 'Delete a prompt, every version and label (admin)', tags, params: NAME, response: { 204: NoContent } } },
    async (request, reply) => {
      await db.prompts.delete(projectOf(request), checkPromptName(request.params.name), actorOf(request), nowUs());
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/api/prompts/:name/versions',
    { schema: { summary: 'Every version, newest first', tags, params: NAME, response: { 200: answers.VersionList } } },
    async (request) => ({ versions: await db.prompts.versions(projectOf(request), checkPromptName(request.params.name)) }),
  );
  app.get(
    '/api/prompts/:name/stats',
    {
      schema: {
        summary: "Per version, the LLM calls made with it over the range (default the last day): calls, latency, tokens, cost, errors, scores' means",
        tags,
        params: NAME,
        querystring: STATS,
        response: { 200: answers.PromptStats },
      },
    },
    async (request) => {
      const project = projectOf(request);
      const name = checkPromptName(request.params.name);
      const production = await db.prompts.production(project, name);
      const reads = {
        spanStats: async (q: Parameters<PromptDb['analytics']['spanStats']>[0]) => parseJson(await db.analytics.spanStats(q)),
        compare: async (q: Parameters<PromptDb['analytics']['compare']>[0]) => parseJson(await db.analytics.compare(q)),
      };
      return promptStats(reads, project, name, closedRange(request.query, nowUs(), DAY_US), production);
    },
  );
  app.put(
    '/api/prompts/:name/labels/:label',
    {
      schema: {
        summary: 'Point a label at a version, or split it between versions by weight (kept in its history)',
        tags,
        params: LABEL,
        body: TARGET,
        response: { 200: answers.LabelMove },
      },
    },
    async (request) => {
      const { name, label } = request.params;
      return db.prompts.setLabel(projectOf(request), checkPromptName(name), checkLabel(label), checkTarget(request.body), actorOf(request), nowUs());
    },
  );
  app.get(
    '/api/prompts/:name/labels/:label/history',
    {
      schema: { summary: "A label's moves, newest first: who moved it, when, from what to what", tags, params: LABEL, response: { 200: answers.LabelHistory } },
    },
    async (request) => ({ moves: await db.prompts.history(projectOf(request), checkPromptName(request.params.name), checkLabel(request.params.label)) }),
  );
}
