import { type TObject, Type } from '@sinclair/typebox';
import { PROVIDER_NAMES } from './providers.js';
import { type ContentAnswer, contentAnswer, literals } from '../http/content.js';
import { STREAM_EVENTS } from './streamed-routes.js';
import { ChatMessage } from '../http/answers/model/span.js';

/**
 * The answers of replay (`replay/routes.ts`). The routes answer objects, so the type provider
 * checks their handlers' values against these at compile time, and Fastify's serializer writes them.
 */

const nullableNumber = Type.Union([Type.Number(), Type.Null()]);
const Ids = Type.Object({ traceId: Type.String(), spanId: Type.String() }, { additionalProperties: false });

/** One side of a replay: the call's model, usage, cost, time and completion. */
const ReplaySide = Type.Object(
  {
    model: Type.Union([Type.String(), Type.Null()]),
    inputTokens: nullableNumber,
    outputTokens: nullableNumber,
    costUsd: nullableNumber,
    durationMs: Type.Number(),
    completion: Type.Array(ChatMessage),
  },
  { additionalProperties: false },
);

export const ReplayAnswer = Type.Object(
  {
    replay: Type.Object({ traceId: Type.String(), spanId: Type.String(), provider: literals(PROVIDER_NAMES) }, { additionalProperties: false }),
    of: Ids,
    original: ReplaySide,
    result: ReplaySide,
    deltas: Type.Object(
      { inputTokens: nullableNumber, outputTokens: nullableNumber, costUsd: nullableNumber, durationMs: nullableNumber },
      { additionalProperties: false, description: 'result minus original' },
    ),
    links: Type.Object({ trace: Type.String(), compare: Type.String() }, { additionalProperties: false, description: "the dashboard's pages of the replay" }),
  },
  { additionalProperties: false, title: 'Replay' },
);

export const ReplayProvidersAnswer = Type.Object({ providers: Type.Array(literals(PROVIDER_NAMES)) }, { additionalProperties: false });

export const ProviderStatusAnswer = Type.Object(
  {
    name: literals(PROVIDER_NAMES),
    baseUrl: Type.Union([Type.String(), Type.Null()], { description: "scheme, host and path; null: the provider's own" }),
    timeoutMs: Type.Number(),
    reachable: Type.Boolean({ description: 'whether it answered HTTP within 5 s' }),
    status: Type.Union([Type.Integer(), Type.Null()], { description: 'the status of GET <base>/models asked with the key' }),
    problem: Type.Union([Type.String(), Type.Null()]),
  },
  { title: 'ProviderStatus', additionalProperties: false },
);
export const ProviderListAnswer = Type.Object(
  { providers: Type.Array(ProviderStatusAnswer) },
  { title: 'ProviderList', description: 'the providers given with --provider (never their keys)', additionalProperties: false },
);

export const PlaygroundRunAnswer = Type.Object(
  {
    run: Type.Object({ traceId: Type.String(), spanId: Type.String(), provider: literals(PROVIDER_NAMES) }, { additionalProperties: false }),
    result: ReplaySide,
    links: Type.Object({ trace: Type.String() }, { additionalProperties: false, description: "the dashboard's page of the run" }),
  },
  { additionalProperties: false, title: 'PlaygroundRun' },
);

/** A run's answers: `answer` as JSON, or its Server-Sent Events with Accept: text/event-stream (`runAnswer`). */
export const runAnswers = (answer: TObject): ContentAnswer =>
  contentAnswer(`${answer.title}; or with Accept: text/event-stream, Server-Sent Events: ${STREAM_EVENTS}`, {
    'application/json': answer,
    'text/event-stream': Type.String({ description: STREAM_EVENTS }),
  });
