import type { Attributes, Span } from '@opentelemetry/api';
import { histogram } from '../metrics/instruments.js';
import { contentJson, outputMessages } from './content.js';
import type { ClientInfo, LlmMethod, LlmOutcome, LlmRequest } from './method.js';
import { DURATION_BUCKETS, FIRST_CHUNK_BUCKETS, GEN_AI, METRIC, TOKEN_BUCKETS, TOOL_CALLS_ATTRIBUTE } from './semconv.js';

const tokenUsage = histogram(METRIC.tokenUsage, {
  description: 'Tokens used per GenAI operation, by token type (input or output).',
  unit: '{token}',
  buckets: TOKEN_BUCKETS,
});
const operationDuration = histogram(METRIC.duration, {
  description: 'Duration of GenAI client operations, streams until their last chunk.',
  unit: 's',
  buckets: DURATION_BUCKETS,
});
const firstChunk = histogram(METRIC.timeToFirstChunk, {
  description: 'Time from a streamed GenAI request to its first chunk of generated content.',
  unit: 's',
  buckets: FIRST_CHUNK_BUCKETS,
});

/** An LLM call that is over, as {@link finishCall} reads it. */
export interface FinishedCall {
  readonly span: Span;
  readonly method: LlmMethod;
  readonly request: LlmRequest;
  readonly client: ClientInfo;
  readonly outcome: LlmOutcome;
  /** `performance.now()` when the call started, and when its first chunk of content came (streams). */
  readonly startMs: number;
  readonly firstChunkMs: number | undefined;
}

/** Writes the outcome on the span, records the GenAI metrics and ends the span. */
export function finishCall(call: FinishedCall, errorType: string | undefined): void {
  const { span, outcome, client, request } = call;
  const endMs = performance.now();
  const attributes: Attributes = { ...outcome.attributes };
  if (outcome.responseId !== undefined) attributes[GEN_AI.responseId] = outcome.responseId;
  if (outcome.responseModel !== undefined) attributes[GEN_AI.responseModel] = outcome.responseModel;
  if (outcome.finishReasons.length > 0) attributes[GEN_AI.finishReasons] = outcome.finishReasons;
  if (outcome.inputTokens !== undefined) attributes[GEN_AI.inputTokens] = outcome.inputTokens;
  if (outcome.outputTokens !== undefined) attributes[GEN_AI.outputTokens] = outcome.outputTokens;
  if (outcome.cacheReadTokens !== undefined) attributes[GEN_AI.cacheReadTokens] = outcome.cacheReadTokens;
  if (outcome.cacheCreationTokens !== undefined) attributes[GEN_AI.cacheCreationTokens] = outcome.cacheCreationTokens;
  if (outcome.reasoningTokens !== undefined) attributes[GEN_AI.reasoningTokens] = outcome.reasoningTokens;
  if (outcome.toolCalls.length > 0) attributes[TOOL_CALLS_ATTRIBUTE] = outcome.toolCalls;
  const ttftS = call.firstChunkMs === undefined ? undefined : (call.firstChunkMs - call.startMs) / 1000;
  if (ttftS !== undefined) attributes[GEN_AI.timeToFirstChunk] = ttftS;
  if (client.captureContent && outcome.choices.length > 0) attributes[GEN_AI.outputMessages] = contentJson(outputMessages(outcome.choices));
  span.setAttributes(attributes);

  const labels: Attributes = {
    [GEN_AI.operation]: call.method.operation,
    [GEN_AI.provider]: client.provider,
  };
  if (request.model !== undefined) labels[GEN_AI.requestModel] = request.model;
  if (outcome.responseModel !== undefined) labels[GEN_AI.responseModel] = outcome.responseModel;
  if (client.serverAddress !== undefined) labels['server.address'] = client.serverAddress;
  if (outcome.inputTokens !== undefined) tokenUsage.record(outcome.inputTokens, { ...labels, [GEN_AI.tokenType]: 'input' });
  if (outcome.outputTokens !== undefined) tokenUsage.record(outcome.outputTokens, { ...labels, [GEN_AI.tokenType]: 'output' });
  if (ttftS !== undefined) firstChunk.record(ttftS, labels);
  if (errorType !== undefined) labels['error.type'] = errorType;
  operationDuration.record((endMs - call.startMs) / 1000, labels);
  span.end();
}
