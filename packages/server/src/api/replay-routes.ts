import type { LlmCallDetail } from '@spoor/model';
import type { FastifyInstance } from 'fastify';
import type { DbClient } from '../dbthread/calls.js';
import { AppError } from '../errors.js';
import { parseJson } from '../json.js';
import { delta } from '../query/trace-diff.js';
import { replayCallOf, replayTargetFrom } from '../replay/replay-request.js';
import type { Replayer } from '../replay/replayer.js';
import { type QueryString, rejectUnknown } from './params.js';
import { projectOf } from './request-access.js';

export interface ReplayRoutesOptions {
  db: DbClient;
  replayer: Replayer;
  /** Resolves once everything acknowledged is readable. */
  visible: () => Promise<void>;
}

/** One side of a replay's answer: the call's model, usage, cost, time and completion. */
function sideOf(detail: { llm: LlmCallDetail['llm']; messages: LlmCallDetail['messages'] }, durationMs: number) {
  return {
    model: detail.llm?.responseModel ?? detail.llm?.requestModel ?? null,
    inputTokens: detail.llm?.inputTokens ?? null,
    outputTokens: detail.llm?.outputTokens ?? null,
    costUsd: detail.llm?.costUsd ?? null,
    durationMs: Math.round(durationMs * 1000) / 1000,
    completion: detail.messages.output,
  };
}

/**
 * `POST /api/replay`: re-runs a recorded LLM call (with overrides) against a provider this server
 * was given (`--provider`), as a trace of its own, and answers both calls side by side.
 */
export async function replayRoutes(app: FastifyInstance, options: ReplayRoutesOptions): Promise<void> {
  const { db, replayer } = options;
  app.get('/api/replay/providers', async (request) => {
    rejectUnknown(request.query as QueryString, []);
    return { providers: replayer.names() };
  });

  app.post('/api/replay', async (request) => {
    rejectUnknown(request.query as QueryString, []);
    const projectId = projectOf(request);
    const { traceId, spanId, overrides } = replayTargetFrom(request.body);
    const source = await db.getReplaySource(projectId, traceId, spanId);
    if (source.llm === null && source.messages.input.length === 0) throw new AppError('ERR_BAD_REQUEST', `span ${spanId} is not an LLM call: there is nothing to replay`);
    const call = replayCallOf(source.llm, source.messages, source.parameters, overrides);
    if (call === null) {
      throw new AppError(
        'ERR_BAD_REQUEST',
        `span ${spanId} did not record its request: turn on content capture (captureContent in @spoor/sdk, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true elsewhere), or send the messages in overrides.messages`,
      );
    }
    const outcome = await replayer.replay(projectId, { traceId, spanId, name: source.name }, call);
    await options.visible();
    const replayed = parseJson(await db.getLlmCall(projectId, outcome.traceId, outcome.spanId));
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
}
