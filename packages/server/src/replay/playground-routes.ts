import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { projectOf } from '../http/request-access.js';
import { PlaygroundRunAnswer, runAnswers } from './answers.js';
import { type ReplayCall, chatMessagesFrom } from './replay-request.js';
import { CALL_FIELDS, type ReplayRoutesOptions, sideOf } from './routes.js';
import { runAnswer } from './streamed-routes.js';

/** A call given whole: what the playground runs when it did not open a recorded one. */
const RUN = Type.Object(CALL_FIELDS, { title: 'Playground run', additionalProperties: false });

/**
 * `POST /api/playground/run`: makes an LLM call given whole (no recorded call behind it) against a
 * provider of this server, recorded as a trace of Spoor's own as a replay is, and answers its
 * completion, tokens, cost and time; streamed as it is written when asked (`runAnswer`). Behind
 * the same permission as `POST /api/replay`.
 */
export async function playgroundRoutes(instance: FastifyInstance, options: ReplayRoutesOptions): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, replayer } = options;
  app.post(
    '/api/playground/run',
    {
      schema: {
        summary: 'Run an LLM call given whole, as a trace of its own (streamed with Accept: text/event-stream)',
        tags: ['replay'],
        body: RUN,
        response: { 200: runAnswers(PlaygroundRunAnswer) },
      },
    },
    async (request, reply) => {
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
      replayer.providerFor(call);
      return runAnswer(request, reply, async (watch): Promise<Static<typeof PlaygroundRunAnswer>> => {
        const outcome = await replayer.traced(
          projectId,
          call,
          { name: `playground ${call.model}`, attributes: { 'spoor.playground': true, 'spoor.replay.provider': call.provider } },
          watch,
        );
        await outcome.stored;
        await options.visible();
        const recorded = await db.traces.replaySource(projectId, outcome.traceId, outcome.spanId);
        return {
          run: { traceId: outcome.traceId, spanId: outcome.spanId, provider: call.provider },
          result: sideOf(recorded, outcome.durationMs),
          links: { trace: `/traces/${outcome.traceId}` },
        };
      });
    },
  );
}
