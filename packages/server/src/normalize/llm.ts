import type { Attributes, LlmFields } from '@spoor/model';

/**
 * Derives the canonical `llm` fields from a span's attributes, or `null` for a span that is not
 * an LLM call. Pure. Reads the current OpenTelemetry GenAI conventions and their older names;
 * values the span does not carry stay `null`.
 */
export function llmFieldsFrom(attributes: Attributes): LlmFields | null {
  const operation = text(attributes['gen_ai.operation.name']);
  const provider = text(attributes['gen_ai.provider.name']) ?? text(attributes['gen_ai.system']);
  const requestModel = text(attributes['gen_ai.request.model']);
  const responseModel = text(attributes['gen_ai.response.model']);
  if (operation === null && provider === null && requestModel === null && responseModel === null) return null;
  const inputTokens = count(attributes['gen_ai.usage.input_tokens']) ?? count(attributes['gen_ai.usage.prompt_tokens']);
  const outputTokens =
    count(attributes['gen_ai.usage.output_tokens']) ?? count(attributes['gen_ai.usage.completion_tokens']);
  return {
    provider,
    operation,
    requestModel,
    responseModel,
    inputTokens,
    outputTokens,
    totalTokens:
      count(attributes['gen_ai.usage.total_tokens']) ??
      (inputTokens !== null && outputTokens !== null ? inputTokens + outputTokens : null),
    cacheReadInputTokens: count(attributes['gen_ai.usage.cache_read.input_tokens']),
    cacheCreationInputTokens: count(attributes['gen_ai.usage.cache_creation.input_tokens']),
    reasoningTokens: count(attributes['gen_ai.usage.reasoning.output_tokens']),
    costUsd: null,
    timeToFirstTokenMs: null,
    finishReasons: strings(attributes['gen_ai.response.finish_reasons']),
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function count(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return null;
}

function strings(value: unknown): string[] | null {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return null;
}
