import type { Attributes, LlmFields, SpanCategory } from '@spoor/model';

/**
 * Genkit traces itself with no GenAI attributes (test/fixtures/frameworks/README.md). A model call
 * is an action span with `genkit:metadata:subtype = "model"`, named `<plugin>/<model>`, and its
 * usage and finish reason are only inside the JSON string `genkit:output`.
 */
export const GENKIT_SUBTYPE = 'genkit:metadata:subtype';

/** The instrumentation scope of Genkit's own spans. */
export const GENKIT_SCOPE = 'genkit-tracer';

/**
 * Genkit's action subtypes and span types, as categories. `model` is an LLM call, read apart. A
 * map, as the span names the key: an object would answer `constructor` with Object's own.
 */
const GENKIT_CATEGORIES: ReadonlyMap<string, SpanCategory> = new Map([
  ['flow', 'workflow'],
  ['tool', 'tool'],
  ['retriever', 'retriever'],
  ['indexer', 'retriever'],
  ['embedder', 'embedding'],
  ['util', 'step'],
]);

/** The category of a Genkit span that is not a model call, or `undefined` for a span of another emitter. */
export function genkitCategory(attributes: Attributes): SpanCategory | undefined {
  const subtype = attributes[GENKIT_SUBTYPE];
  if (typeof subtype === 'string') return GENKIT_CATEGORIES.get(subtype);
  const type = attributes['genkit:type'];
  return typeof type === 'string' ? GENKIT_CATEGORIES.get(type) : undefined;
}

interface GenkitOutput {
  finishReason?: unknown;
  usage?: Record<string, unknown>;
}

/**
 * The LLM fields of a Genkit model action, or `null` for any other span. Only a model action's
 * output is parsed (under 1 kB in the fixtures, one per model call).
 */
export function genkitLlmFields(attributes: Attributes): LlmFields | null {
  if (attributes[GENKIT_SUBTYPE] !== 'model') return null;
  const name = typeof attributes['genkit:name'] === 'string' ? attributes['genkit:name'] : '';
  const slash = name.indexOf('/');
  let output: GenkitOutput = {};
  const raw = attributes['genkit:output'];
  if (typeof raw === 'string') {
    try {
      output = JSON.parse(raw) as GenkitOutput;
    } catch {
      // A truncated output (an attribute length limit): the call is still one, without its usage.
    }
  }
  const usage = output.usage ?? {};
  const inputTokens = tokens(usage.inputTokens);
  const outputTokens = tokens(usage.outputTokens);
  const total = tokens(usage.totalTokens);
  return {
    provider: slash > 0 ? name.slice(0, slash) : null,
    operation: 'chat',
    requestModel: slash > 0 ? name.slice(slash + 1) : name !== '' ? name : null,
    responseModel: null,
    inputTokens,
    outputTokens,
    totalTokens: total ?? (inputTokens !== null && outputTokens !== null ? inputTokens + outputTokens : null),
    cacheReadInputTokens: tokens(usage.cachedContentTokens),
    cacheCreationInputTokens: null,
    reasoningTokens: tokens(usage.thoughtsTokens),
    costUsd: null,
    costSource: null,
    timeToFirstTokenMs: null,
    finishReasons: typeof output.finishReason === 'string' ? [output.finishReason] : null,
  };
}

function tokens(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}
