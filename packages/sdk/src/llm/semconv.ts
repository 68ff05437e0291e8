/**
 * The OpenTelemetry GenAI semantic-convention names Spoor's LLM instrumentation writes. Named as
 * `@opentelemetry/semantic-conventions` names them; that package ships `gen_ai.*` only from its
 * unstable entry point, so the few we use are spelled out here.
 */

export const GEN_AI = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  /** The older name of the provider, still read by many backends. */
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  temperature: 'gen_ai.request.temperature',
  maxTokens: 'gen_ai.request.max_tokens',
  topP: 'gen_ai.request.top_p',
  topK: 'gen_ai.request.top_k',
  frequencyPenalty: 'gen_ai.request.frequency_penalty',
  presencePenalty: 'gen_ai.request.presence_penalty',
  stopSequences: 'gen_ai.request.stop_sequences',
  seed: 'gen_ai.request.seed',
  choiceCount: 'gen_ai.request.choice.count',
  encodingFormats: 'gen_ai.request.encoding_formats',
  stream: 'gen_ai.request.stream',
  outputType: 'gen_ai.output.type',
  embeddingDimensions: 'gen_ai.embeddings.dimension.count',
  responseId: 'gen_ai.response.id',
  responseModel: 'gen_ai.response.model',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadTokens: 'gen_ai.usage.cache_read.input_tokens',
  cacheCreationTokens: 'gen_ai.usage.cache_creation.input_tokens',
  reasoningTokens: 'gen_ai.usage.reasoning.output_tokens',
  /** Seconds from the request to the first chunk of a streamed response. */
  timeToFirstChunk: 'gen_ai.client.operation.time_to_first_chunk',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  systemInstructions: 'gen_ai.system_instructions',
  tokenType: 'gen_ai.token.type',
} as const;

/** The span name of an LLM call, as the GenAI conventions name it: `{operation} {model}`. */
export function callName(operation: string, model: string | undefined): string {
  return model === undefined ? operation : `${operation} ${model}`;
}

/** Names of the tools the model asked to call, in order (not a GenAI convention; Spoor's own). */
export const TOOL_CALLS_ATTRIBUTE = 'spoor.gen_ai.tool_calls';

export const METRIC = {
  tokenUsage: 'gen_ai.client.token.usage',
  duration: 'gen_ai.client.operation.duration',
  timeToFirstChunk: 'gen_ai.client.operation.time_to_first_chunk',
} as const;

/** Bucket boundaries the GenAI conventions advise for `gen_ai.client.token.usage`. */
export const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

/** Bucket boundaries (seconds) the GenAI conventions advise for `gen_ai.client.operation.duration`. */
export const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

/** Bucket boundaries (seconds) the GenAI conventions advise for time to first token / chunk. */
export const FIRST_CHUNK_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
