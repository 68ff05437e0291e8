import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { projectOf } from '../http/request-access.js';
import { oneOf } from '../params/parameters.js';
import { PlaygroundRunAnswer } from './answers.js';
import { PROVIDER_NAMES } from './providers.js';
import { type ReplayCall, chatMessagesFrom } from './replay-request.js';
import { MESSAGE, type ReplayRoutesOptions, sideOf } from './routes.js';

/** A call given whole: what the playground runs when it did not open a recorded one. */
const RUN = Type.Object(
  {
    provider: oneOf([...PROVIDER_NAMES], { description: 'a --provider of this server' }),
    model: Type.String({ pattern: '\\S', 'x-must-be': 'non-empty text' }),
    system: Type.Optional(Type.String({ description: 'the system prompt' })),
    messages: Type.Array(MESSAGE, { minItems: 1, 'x-must-be': 'a non-empty array of { role, content } or { role, parts }' }),
    temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
    topP: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    maxTokens: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    tools: Type.Optional(
      Type.Array(Type.Unknown(), { description: "tool definitions in the provider's own form, sent as they are", 'x-must-be': 'an array of tool definitions' }),
    ),
    responseFormat: Type.Optional(Type.Unknown({ description: "OpenAI's response_format, sent as it is (Anthropic has none)" })),
  },
  { title: 'Playground run', additionalProperties: false },
);

/**
 * `POST /api/playground/run`: makes an LLM call given whole (no recorded call behind it) against a
 * provider of this server, recorded as a trace of Spoor's own as a replay is, and answers its
 * completion, tokens, cost and time. Behind the same permission as `POST /api/replay`.
 */
export async function playgroundRoutes(instance: FastifyInstance, options: ReplayRoutesOptions): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, replayer } = options;
  app.post(
    '/api/playground/run',
    { schema: { summary: 'Run an LLM call given whole, as a trace of its own', tags: ['replay'], body: RUN, response: { 200: PlaygroundRunAnswer } } },
    async (request) => {
      const projectId = projectOf(request);
      const body = request.body;
      const call: ReplayCall = {
        provider: body.provider,
        model: body.model,
        system: body.system ?? '',
        messages: chatMessagesFrom(body.messages, 'messages'),
        temperature: body.temperature ?? null,
        topP: body.topP ?? null,
        maxTokens: body.maxTokens ?? null,
        tools: body.tools ?? null,
        responseFormat: body.responseFormat ?? null,
      };
      const outcome = await replayer.traced(projectId, call, {
        name: `playground ${call.model}`,
        attributes: { 'spoor.playground': true, 'spoor.replay.provider': call.provider },
      });
      await outcome.stored;
      await options.visible();
      const recorded = await db.traces.replaySource(projectId, outcome.traceId, outcome.spanId);
      return {
        run: { traceId: outcome.traceId, spanId: outcome.spanId, provider: call.provider },
        result: sideOf(recorded, outcome.durationMs),
        links: { trace: `/traces/${outcome.traceId}` },
      };
    },
  );
}
