import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import type { LlmCallDetail } from '@spoor/model';
import type { FastifyInstance } from 'fastify';
import type { DbClient } from '../dbthread/calls.js';
import { AppError } from '../errors.js';
import { delta } from '../query/trace-diff.js';
import { PROVIDER_NAMES } from './providers.js';
import { type ReplayOverrides, chatMessagesFrom, replayCallOf } from './replay-request.js';
import type { Replayer } from './replayer.js';
import { oneOf } from '../params/parameters.js';
import { ProviderListAnswer, ReplayAnswer, ReplayProvidersAnswer, runAnswers } from './answers.js';
import { runAnswer } from './streamed-routes.js';
import { projectOf } from '../http/request-access.js';

export interface ReplayRoutesOptions {
  db: Pick<DbClient, 'traces'>;
  replayer: Replayer;
  /** Resolves once everything acknowledged is readable. */
  visible: () => Promise<void>;
}

/** One side of a replay's answer: the call's model, usage, cost, time and completion. */
export function sideOf(detail: { llm: LlmCallDetail['llm']; messages: LlmCallDetail['messages'] }, durationMs: number) {
  return {
    model: detail.llm?.responseModel ?? detail.llm?.requestModel ?? null,
    inputTokens: detail.llm?.inputTokens ?? null,
    outputTokens: detail.llm?.outputTokens ?? null,
    costUsd: detail.llm?.costUsd ?? null,
    durationMs: Math.round(durationMs * 1000) / 1000,
    completion: detail.messages.output,
  };
}

export const MESSAGE = Type.Object(
  {
    role: oneOf(['user', 'assistant', 'system', 'tool']),
    content: Type.Optional(Type.String({ description: 'the text; or parts' })),
    parts: Type.Optional(
      Type.Array(Type.Object({ type: oneOf(['text', 'reasoning', 'tool_call', 'tool_call_response']) }, { additionalProperties: true }), {
        description: 'the parts, as a recorded message has them',
      }),
    ),
    finishReason: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { additionalProperties: false },
);

/**
 * An LLM call's fields: what a playground run takes whole (provider, model and messages needed),
 * and what a replay's overrides change (every field optional, what is given replacing what was recorded).
 */
export const CALL_FIELDS = {
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
};
const OVERRIDES = Type.Partial(Type.Object(CALL_FIELDS, { additionalProperties: false }));
const HEX = (length: number, what: string) =>
  Type.String({ pattern: `^[0-9a-f]{${length}}$`, description: what, 'x-must-be': `${length} lowercase hex digits` });
const REPLAY = Type.Object(
  { traceId: HEX(32, 'the trace of the call'), spanId: HEX(16, "the call's span"), overrides: Type.Optional(OVERRIDES) },
  { title: 'Replay request', additionalProperties: false },
);

/**
 * `POST /api/replay`: re-runs a recorded LLM call (with overrides) against a provider this server
 * was given (`--provider`), as a trace of its own, and answers both calls side by side; streamed
 * as the new completion is written when asked (`runAnswer`).
 */
export async function replayRoutes(instance: FastifyInstance, options: ReplayRoutesOptions): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, replayer } = options;
  const tags = ['replay'];
  app.get(
    '/api/replay/providers',
    { schema: { summary: 'The providers this server can replay against', tags, response: { 200: ReplayProvidersAnswer } } },
    async () => ({ providers: replayer.names() }),
  );

  app.get(
    '/api/providers',
    { schema: { summary: 'The configured LLM providers and whether each answers now (never their keys)', tags, response: { 200: ProviderListAnswer } } },
    async () => ({ providers: await replayer.check() }),
  );

  app.post(
    '/api/replay',
    {
      schema: {
        summary: 'Re-run a recorded LLM call, as a trace of its own (streamed with Accept: text/event-stream)',
        tags,
        body: REPLAY,
        response: { 200: runAnswers(ReplayAnswer) },
      },
    },
    async (request, reply) => {
      const projectId = projectOf(request);
      const { traceId, spanId } = request.body;
      const { messages, ...rest } = request.body.overrides ?? {};
      const overrides: ReplayOverrides = messages === undefined ? rest : { ...rest, messages: chatMessagesFrom(messages) };
      const source = await db.traces.replaySource(projectId, traceId, spanId);
      if (source.llm === null && source.messages.input.length === 0)
        throw new AppError('ERR_BAD_REQUEST', `span ${spanId} is not an LLM call: there is nothing to replay`);
      const call = replayCallOf(source.llm, source.messages, source.parameters, overrides);
      if (call === null) {
        throw new AppError(
          'ERR_BAD_REQUEST',
          `span ${spanId} did not record its request: turn on content capture (captureContent in @spoor/sdk, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true elsewhere), or send the messages in overrides.messages`,
        );
      }
      replayer.providerFor(call);
      return runAnswer(request, reply, async (watch): Promise<Static<typeof ReplayAnswer>> => {
        const outcome = await replayer.replay(projectId, { traceId, spanId, name: source.name }, call, watch);
        await options.visible();
        // The value itself: `traces.llmCall` answers the API's JSON text, which this would only parse again.
        const replayed = await db.traces.replaySource(projectId, outcome.traceId, outcome.spanId);
        const original = sideOf(source, source.durationMs);
        const result = sideOf(replayed, outcome.durationMs);
        return {
          replay: { traceId: outcome.traceId, spanId: outcome.spanId, provider: call.provider },
          of: { traceId, spanId },
          original,
          result,
          deltas: {
            inputTokens: delta(original.inputTokens, result.inputTokens),
            outputTokens: delta(original.outputTokens, result.outputTokens),
            costUsd: delta(original.costUsd, result.costUsd),
            durationMs: delta(original.durationMs, result.durationMs),
          },
          links: { trace: `/traces/${outcome.traceId}`, compare: `/compare?a=${traceId}&b=${outcome.traceId}` },
        };
      });
    },
  );
}
