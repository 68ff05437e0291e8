import type { AttributeValue, Attributes, LlmFields } from '@spoor/model';
import { GENKIT_SUBTYPE, genkitLlmFields } from './genkit.js';
import { langChainMetadataField, OPENINFERENCE_LANGCHAIN } from './langchain.js';

/**
 * The crosswalk: where each canonical LLM field is found in every attribute dialect Spoor reads,
 * in the order they are tried. OpenTelemetry GenAI (current names first, then older ones),
 * OpenLLMetry (Traceloop), OpenInference (Arize Phoenix), the Vercel AI SDK, the Anthropic SDK's
 * own spans, and Mastra's OpenTelemetry exporter.
 */
const KEYS = {
  provider: ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system', 'ai.model.provider'],
  // OpenInference's `llm.model_name` is the response model too: see `responseModelOf`.
  requestModel: ['gen_ai.request.model', 'llm.request.model_name', 'llm.model_name', 'ai.model.id'],
  responseModel: ['gen_ai.response.model', 'llm.response.model_name', 'ai.response.model'],
  inputTokens: ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt', 'ai.usage.inputTokens', 'ai.usage.promptTokens'],
  outputTokens: [
    'gen_ai.usage.output_tokens',
    'gen_ai.usage.completion_tokens',
    'llm.token_count.completion',
    'ai.usage.outputTokens',
    'ai.usage.completionTokens',
  ],
  totalTokens: ['gen_ai.usage.total_tokens', 'llm.usage.total_tokens', 'llm.token_count.total', 'ai.usage.totalTokens'],
  cacheRead: [
    'gen_ai.usage.cache_read.input_tokens',
    'gen_ai.usage.cache_read_input_tokens',
    'llm.token_count.prompt_details.cache_read',
    'ai.usage.inputTokenDetails.cacheReadTokens',
    'ai.usage.cachedInputTokens',
    'gen_ai.usage.cached_input_tokens',
  ],
  cacheWrite: [
    'gen_ai.usage.cache_creation.input_tokens',
    'gen_ai.usage.cache_write.input_tokens',
    'gen_ai.usage.cache_creation_input_tokens',
    'llm.token_count.prompt_details.cache_write',
    'ai.usage.inputTokenDetails.cacheWriteTokens',
  ],
  reasoning: [
    'gen_ai.usage.reasoning.output_tokens',
    'gen_ai.usage.reasoning_tokens',
    'llm.token_count.completion_details.reasoning',
    'ai.usage.outputTokenDetails.reasoningTokens',
    'ai.usage.reasoningTokens',
  ],
  finishReasons: ['gen_ai.response.finish_reasons', 'llm.finish_reason', 'ai.response.finishReason', 'anthropic.message.stop_reason'],
} as const;

/**
 * The keys read one by one, by what they give. Each is in `FIELD_OF_KEY` too: a key read here
 * but missing there would never be read, since a field's probes run only when its bit is set.
 */
const KEY = {
  operation: 'gen_ai.operation.name',
  olderOperation: 'llm.request.type',
  spanKind: 'openinference.span.kind',
  operationId: 'ai.operationId',
  modelName: 'llm.model_name',
  requestModelName: 'llm.request.model_name',
  providerMetadata: 'ai.response.providerMetadata',
  costTotal: 'llm.cost.total',
  costPrompt: 'llm.cost.prompt',
  costCompletion: 'llm.cost.completion',
  cost: 'gen_ai.usage.cost',
  costUsd: 'llm.cost_usd',
} as const;

/** Time to first token, in the unit each dialect uses. */
const FIRST_TOKEN_KEYS: readonly [key: string, toMs: number][] = [
  ['gen_ai.client.operation.time_to_first_chunk', 1000],
  ['gen_ai.response.time_to_first_chunk', 1000],
  ['ai.response.msToFirstChunk', 1],
  ['ai.stream.msToFirstChunk', 1],
];

/**
 * Emitters whose input count leaves the cache out: Anthropic reports `input_tokens` without the
 * cache reads and writes, and these pass that number on unchanged (checked against the real
 * packages: test/fixtures/dialects). Every other emitter follows the GenAI conventions and
 * includes them.
 */
function inputExcludesCache(attributes: Attributes, scopeName: string, provider: string | null): boolean {
  if (provider !== 'anthropic') return false;
  // OpenLLMetry 0.22 to 0.27 (`gen_ai.usage.input_tokens` / `prompt_tokens`).
  if (scopeName === '@traceloop/instrumentation-anthropic') return true;
  // Vercel AI SDK 4 (`ai.usage.promptTokens`; 5 and later report the inclusive count).
  return attributes['ai.usage.promptTokens'] !== undefined;
}

/**
 * Cache and reasoning counts the Vercel AI SDK 4 kept only inside `ai.response.providerMetadata`:
 * `{"anthropic":{"cacheReadInputTokens":…,"cacheCreationInputTokens":…}}` and
 * `{"openai":{"cachedPromptTokens":…,"reasoningTokens":…}}`.
 */
function providerMetadataCounts(attributes: Attributes): { cacheRead: number | null; cacheWrite: number | null; reasoning: number | null } | null {
  const raw = attributes[KEY.providerMetadata];
  if (typeof raw !== 'string' || raw === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const meta = parsed as Record<string, Record<string, AttributeValue> | undefined>;
  const anthropic = meta.anthropic ?? {};
  const openai = meta.openai ?? {};
  return {
    cacheRead: count(anthropic.cacheReadInputTokens) ?? count(openai.cachedPromptTokens),
    cacheWrite: count(anthropic.cacheCreationInputTokens),
    reasoning: count(openai.reasoningTokens),
  };
}

// The tables below are looked up by what a span says, so they are maps: an object would answer
// `constructor` or `__proto__` with Object's own members.

/** Operation names of the older conventions, in the current convention's words. */
const OPERATIONS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    completion: 'text_completion',
    embedding: 'embeddings',
    llm: 'chat',
    rerank: 'rerank',
  }),
);

/** Provider names of every dialect, as `gen_ai.provider.name` spells them. */
const PROVIDERS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    openai: 'openai',
    'openai.chat': 'openai',
    'openai.responses': 'openai',
    azure: 'azure.ai.openai',
    'azure.openai': 'azure.ai.openai',
    'az.ai.openai': 'azure.ai.openai',
    anthropic: 'anthropic',
    google: 'gcp.gemini',
    gemini: 'gcp.gemini',
    'google.generative-ai': 'gcp.gemini',
    'google.vertex': 'gcp.vertex_ai',
    vertexai: 'gcp.vertex_ai',
    vertex_ai: 'gcp.vertex_ai',
    mistral: 'mistral_ai',
    mistralai: 'mistral_ai',
    aws: 'aws.bedrock',
    bedrock: 'aws.bedrock',
    'amazon-bedrock': 'aws.bedrock',
    cohere: 'cohere',
    groq: 'groq',
    deepseek: 'deepseek',
    xai: 'x_ai',
    ollama: 'ollama',
    // LangChain's `ls_provider` names that differ from the ones above.
    azure_openai: 'azure.ai.openai',
    google_genai: 'gcp.gemini',
    google_vertexai: 'gcp.vertex_ai',
    amazon_bedrock: 'aws.bedrock',
    bedrock_converse: 'aws.bedrock',
  }),
);

/**
 * Vercel AI SDK spans that wrap one or more provider calls (`ai.generateText` around its
 * `ai.generateText.doGenerate` steps) carry the summed usage of those calls; counting them as
 * LLM calls would count every token twice.
 */
const VERCEL_WRAPPERS = /^ai\.(generateText|streamText|generateObject|streamObject|embed|embedMany)$/;

/**
 * The crosswalk's fields, a bit each: one pass over a span's keys (`fieldsPresent`) says which it
 * has, and only those are probed. A canonical GenAI call has 6 or 7 keys, and probing every
 * dialect's names for the rest was some 35 missed lookups a call.
 */
const F = {
  operation: 1 << 0,
  genkit: 1 << 1,
  provider: 1 << 2,
  requestModel: 1 << 3,
  responseModel: 1 << 4,
  /** OpenInference's `llm.model_name`, the response model too (`responseModelOf`). */
  modelName: 1 << 5,
  inputTokens: 1 << 6,
  outputTokens: 1 << 7,
  totalTokens: 1 << 8,
  cacheRead: 1 << 9,
  cacheWrite: 1 << 10,
  reasoning: 1 << 11,
  providerMetadata: 1 << 12,
  finishReasons: 1 << 13,
  /** OpenLLMetry's `gen_ai.completion.{i}.finish_reason` (before 0.23). */
  completionFinish: 1 << 14,
  firstToken: 1 << 15,
  cost: 1 << 16,
  langChainMetadata: 1 << 17,
} as const;

/** The bits of the fields each key read gives (a key may serve two). */
const FIELD_OF_KEY: ReadonlyMap<string, number> = (() => {
  const fields = new Map<string, number>();
  const add = (bit: number, keys: readonly string[]) => {
    for (const key of keys) fields.set(key, (fields.get(key) ?? 0) | bit);
  };
  add(F.operation, [KEY.operationId, KEY.operation, KEY.olderOperation, KEY.spanKind]);
  add(F.genkit, [GENKIT_SUBTYPE]);
  add(F.provider, KEYS.provider);
  add(F.requestModel, KEYS.requestModel);
  add(F.responseModel, KEYS.responseModel);
  add(F.modelName, [KEY.modelName]);
  add(F.inputTokens, KEYS.inputTokens);
  add(F.outputTokens, KEYS.outputTokens);
  add(F.totalTokens, KEYS.totalTokens);
  add(F.cacheRead, KEYS.cacheRead);
  add(F.cacheWrite, KEYS.cacheWrite);
  add(F.reasoning, KEYS.reasoning);
  add(F.providerMetadata, [KEY.providerMetadata]);
  add(F.finishReasons, KEYS.finishReasons);
  add(
    F.firstToken,
    FIRST_TOKEN_KEYS.map(([key]) => key),
  );
  add(F.cost, [KEY.costTotal, KEY.costPrompt, KEY.costCompletion, KEY.cost, KEY.costUsd]);
  add(F.langChainMetadata, ['metadata']);
  return fields;
})();

/**
 * Without any of these, operation, models and token counts are all null and so is the result:
 * the span is not an LLM call.
 */
const DECIDING = F.operation | F.genkit | F.requestModel | F.responseModel | F.inputTokens | F.outputTokens;

const COMPLETION_FINISH = /^gen_ai\.completion\.\d+\.finish_reason$/;

/** Whether `present` (`fieldsPresent`) has `field`. */
function has(present: number, field: number): boolean {
  return (present & field) !== 0;
}

/** The fields (`F`) whose keys `attributes` has. */
function fieldsPresent(attributes: Attributes): number {
  let present = 0;
  for (const key in attributes) {
    const bits = FIELD_OF_KEY.get(key);
    if (bits !== undefined) present |= bits;
    else if (key.startsWith('gen_ai.completion.') && COMPLETION_FINISH.test(key)) present |= F.completionFinish;
  }
  return present;
}

/** Whether `attributes` has any of `keys` (a pass over the attributes, usually a handful). */
export function hasAnyKey(attributes: Attributes, keys: ReadonlySet<string>): boolean {
  for (const key in attributes) if (keys.has(key)) return true;
  return false;
}

/** Values of `openinference.span.kind` / `traceloop.span.kind` that are LLM calls. */
const LLM_SPAN_KINDS: ReadonlyMap<string, string> = new Map([
  ['LLM', 'chat'],
  ['EMBEDDING', 'embeddings'],
]);

/**
 * Derives the canonical `llm` fields from a span's attributes (and the name of the
 * instrumentation scope that made it, for emitters with known quirks), or `null` for a span that
 * is not an LLM call. Pure. Cost is left `null` here unless the span reported one; the price
 * table is applied afterwards (`priceLlm`).
 */
export function llmFieldsFrom(attributes: Attributes, scopeName = ''): LlmFields | null {
  // Most spans are not LLM calls: one pass over their few keys says so, and which of the
  // crosswalk's fields the rest have.
  const present = fieldsPresent(attributes);
  if ((present & DECIDING) === 0) return null;
  if (has(present, F.genkit) && attributes[GENKIT_SUBTYPE] !== undefined) {
    // Genkit's model spans name the provider by the plugin (`openai`, `googleai`).
    const genkit = genkitLlmFields(attributes);
    if (genkit !== null) genkit.provider = providerOf(genkit.provider);
    return genkit;
  }
  const operationId = has(present, F.operation) ? text(attributes[KEY.operationId]) : null;
  if (operationId !== null && VERCEL_WRAPPERS.test(operationId)) return null;
  const operation = has(present, F.operation) ? operationOf(attributes, operationId) : null;
  const providerRaw = has(present, F.provider) ? first(attributes, KEYS.provider, text) : null;
  const requestModel = has(present, F.requestModel) ? first(attributes, KEYS.requestModel, text) : null;
  const responseModel = responseModelOf(attributes, scopeName, present);
  const input = has(present, F.inputTokens) ? first(attributes, KEYS.inputTokens, count) : null;
  const outputTokens = has(present, F.outputTokens) ? first(attributes, KEYS.outputTokens, count) : null;
  if (operation === null && requestModel === null && responseModel === null && input === null && outputTokens === null) return null;
  if (operation !== null && !isModelCall(operation, input, outputTokens)) return null;

  const provider = providerOf(providerRaw ?? (has(present, F.langChainMetadata) ? langChainMetadataField(attributes.metadata, 'ls_provider') : null));
  let cacheRead = has(present, F.cacheRead) ? first(attributes, KEYS.cacheRead, count) : null;
  let cacheWrite = has(present, F.cacheWrite) ? first(attributes, KEYS.cacheWrite, count) : null;
  let reasoningTokens = has(present, F.reasoning) ? first(attributes, KEYS.reasoning, count) : null;
  if (cacheRead === null && cacheWrite === null && reasoningTokens === null && has(present, F.providerMetadata)) {
    const meta = providerMetadataCounts(attributes);
    if (meta !== null) ({ cacheRead, cacheWrite, reasoning: reasoningTokens } = meta);
  }
  const exclusive = inputExcludesCache(attributes, scopeName, provider);
  const inputTokens = input === null ? null : inclusiveInput(input, exclusive, cacheRead, cacheWrite);
  const reported = has(present, F.cost) ? reportedCost(attributes) : null;
  return {
    provider,
    operation,
    requestModel,
    responseModel,
    inputTokens,
    outputTokens,
    totalTokens: totalOf(has(present, F.totalTokens) ? first(attributes, KEYS.totalTokens, count) : null, inputTokens, outputTokens),
    cacheReadInputTokens: cacheRead,
    cacheCreationInputTokens: cacheWrite,
    reasoningTokens,
    costUsd: reported,
    costSource: reported === null ? null : 'reported',
    timeToFirstTokenMs: has(present, F.firstToken) ? firstTokenMs(attributes) : null,
    finishReasons: finishReasonsOf(attributes, present),
  };
}

/** GenAI operations that call a model (and so have tokens and a price). */
const MODEL_OPERATIONS: ReadonlySet<string> = new Set(['chat', 'text_completion', 'generate_content', 'embeddings', 'rerank']);

/** GenAI operations that run a model call or a tool but are none: counting them would count twice. */
const NOT_MODEL_OPERATIONS: ReadonlySet<string> = new Set(['execute_tool', 'invoke_agent', 'create_agent']);

/**
 * Whether a span with `gen_ai.operation.name` = `operation` is a model call. Frameworks put their
 * own words there. OpenLLMetry's LangChain sends `workflow` for every chain, and Mastra sends
 * `agent.run`, `model.step`, `model.chunk` and `tool.execute` (test/fixtures/frameworks). None of
 * those spans carries token counts. So an operation of no convention is a model call only when it
 * reports tokens.
 */
function isModelCall(operation: string, inputTokens: number | null, outputTokens: number | null): boolean {
  if (MODEL_OPERATIONS.has(operation)) return true;
  if (NOT_MODEL_OPERATIONS.has(operation)) return false;
  return inputTokens !== null || outputTokens !== null;
}

function operationOf(attributes: Attributes, operationId: string | null): string | null {
  const current = text(attributes[KEY.operation]);
  if (current !== null) return current;
  const older = text(attributes[KEY.olderOperation]);
  if (older !== null) return OPERATIONS.get(older) ?? older;
  const kind = text(attributes[KEY.spanKind]);
  if (kind !== null) return LLM_SPAN_KINDS.get(kind.toUpperCase()) ?? null;
  if (operationId !== null) {
    if (/\.do(Generate|Stream)$/.test(operationId)) return 'chat';
    if (/\.doEmbed$/.test(operationId)) return 'embeddings';
    if (operationId === 'ai.toolCall') return 'execute_tool';
  }
  return null;
}

function providerOf(raw: string | null): string | null {
  if (raw === null) return null;
  const lower = raw.toLowerCase();
  return PROVIDERS.get(lower) ?? PROVIDERS.get(lower.split('.')[0]!) ?? lower;
}

/**
 * The input count with cache reads and writes included. A count known to leave them out gets
 * them added; so does any count smaller than its own cache tokens, which cannot include them.
 * A count that already includes them is never added to.
 */
function inclusiveInput(value: number, excludesCache: boolean, cacheRead: number | null, cacheWrite: number | null): number {
  const cached = (cacheRead ?? 0) + (cacheWrite ?? 0);
  return excludesCache || value < cached ? value + cached : value;
}

/**
 * The response model: a dialect's own response-model attribute, else OpenInference's
 * `llm.model_name`. The OpenAI and Anthropic instrumentations set that from the request and
 * overwrite it with the model the response names, so it is both. Two cases leave it out:
 * - a span that names the request model apart (`llm.request.model_name`, OpenInference Anthropic
 *   0.2): that emitter names the response model apart too, and a call that got no response (a 429)
 *   has none;
 * - OpenInference's LangChain instrumentation, whose `llm.model_name` is only the request's
 *   (`gpt-4o-mini`, where the response said `gpt-4o-mini-2024-07-18`).
 */
function responseModelOf(attributes: Attributes, scopeName: string, present: number): string | null {
  const specific = (present & F.responseModel) !== 0 ? first(attributes, KEYS.responseModel, text) : null;
  if (specific !== null || (present & F.modelName) === 0 || attributes[KEY.requestModelName] !== undefined || scopeName === OPENINFERENCE_LANGCHAIN)
    return specific;
  return text(attributes[KEY.modelName]);
}

function totalOf(reported: number | null, input: number | null, output: number | null): number | null {
  if (input !== null && output !== null) return Math.max(reported ?? 0, input + output);
  return reported ?? input ?? output;
}

/** A cost the instrumentation reported (OpenInference `llm.cost.*`, or a plain USD attribute). */
function reportedCost(attributes: Attributes): number | null {
  const total = amount(attributes[KEY.costTotal]);
  if (total !== null) return total;
  const prompt = amount(attributes[KEY.costPrompt]);
  const completion = amount(attributes[KEY.costCompletion]);
  if (prompt !== null || completion !== null) return (prompt ?? 0) + (completion ?? 0);
  return amount(attributes[KEY.cost]) ?? amount(attributes[KEY.costUsd]);
}

function firstTokenMs(attributes: Attributes): number | null {
  for (const [key, toMs] of FIRST_TOKEN_KEYS) {
    const value = amount(attributes[key]);
    if (value !== null) return value * toMs;
  }
  return null;
}

/** Finish reasons as an array, whether a dialect sends an array, one string, or a JSON array. */
function finishReasonsOf(attributes: Attributes, present: number): string[] | null {
  if ((present & (F.finishReasons | F.completionFinish)) === 0) return null;
  for (const key of KEYS.finishReasons) {
    const value = attributes[key];
    if (Array.isArray(value)) {
      const reasons = value.filter((v): v is string => typeof v === 'string');
      if (reasons.length > 0) return reasons;
    } else if (typeof value === 'string' && value !== '') {
      if (value.startsWith('[')) {
        try {
          const parsed: unknown = JSON.parse(value);
          if (Array.isArray(parsed)) return parsed.filter((v): v is string => typeof v === 'string');
        } catch {
          // Not JSON after all: a reason that starts with a bracket.
        }
      }
      return [value];
    }
  }
  // OpenLLMetry before 0.23: one `gen_ai.completion.{i}.finish_reason` per choice.
  const reasons: string[] = [];
  for (let i = 0; ; i++) {
    const reason = text(attributes[`gen_ai.completion.${i}.finish_reason`]);
    if (reason === null) break;
    reasons.push(reason);
  }
  return reasons.length > 0 ? reasons : null;
}

/** The first of `keys` whose value `read` accepts. */
export function first<T>(attributes: Attributes, keys: readonly string[], read: (value: AttributeValue | undefined) => T | null): T | null {
  for (const key of keys) {
    const value = read(attributes[key]);
    if (value !== null) return value;
  }
  return null;
}

export function text(value: AttributeValue | undefined): string | null {
  if (typeof value === 'string') return value !== '' ? value : null;
  return typeof value === 'number' ? String(value) : null;
}

/**
 * The most tokens one span may report: 2^40, about 1.1 trillion, far past any call. A count above
 * it is not a count (`1e30`, an int64 overflow) and is taken as unknown; the raw attribute stays.
 * Bounded so that sums over a trace's spans stay exact integers in every store's 64-bit column.
 */
export const MAX_TOKEN_COUNT = 2 ** 40;

function count(value: AttributeValue | undefined): number | null {
  const n = typeof value === 'number' ? Math.round(value) : typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  return n >= 0 && n <= MAX_TOKEN_COUNT ? n : null;
}

function amount(value: AttributeValue | undefined): number | null {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string' && value !== '' && Number.isFinite(Number(value)) && Number(value) >= 0) return Number(value);
  return null;
}
