import { describe, expect, it } from 'vitest';
import { llmFieldsFrom } from './llm.js';

describe('llmFieldsFrom', () => {
  it('returns null for a span without GenAI attributes', () => {
    expect(llmFieldsFrom({ 'http.method': 'GET' })).toBeNull();
  });

  it('reads the current GenAI conventions', () => {
    const llm = llmFieldsFrom({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 30,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(llm).toMatchObject({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o',
      responseModel: 'gpt-4o-2024-08-06',
      inputTokens: 120,
      outputTokens: 30,
      totalTokens: 150,
      finishReasons: ['stop'],
    });
  });

  it('keeps unknown values null instead of inventing zeros', () => {
    const llm = llmFieldsFrom({ 'gen_ai.system': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4' });
    expect(llm).toMatchObject({ provider: 'anthropic', inputTokens: null, outputTokens: null, totalTokens: null, costUsd: null });
  });

  it('reads the older prompt and completion token names', () => {
    const llm = llmFieldsFrom({ 'gen_ai.system': 'openai', 'gen_ai.usage.prompt_tokens': 10, 'gen_ai.usage.completion_tokens': 5 });
    expect(llm).toMatchObject({ inputTokens: 10, outputTokens: 5, totalTokens: 15 });
  });
});

describe('llmFieldsFrom and the cache', () => {
  it('never adds cache tokens to an input count that already includes them', () => {
    const llm = llmFieldsFrom({ 'gen_ai.provider.name': 'anthropic', 'gen_ai.usage.input_tokens': 5_000, 'gen_ai.usage.cache_read.input_tokens': 1_000 });
    expect(llm).toMatchObject({ inputTokens: 5_000, cacheReadInputTokens: 1_000 });
  });

  it("adds them to OpenLLMetry's Anthropic count, which leaves them out, even when it is the larger number", () => {
    const attributes = {
      'gen_ai.system': 'anthropic',
      'gen_ai.usage.input_tokens': 5_000,
      'gen_ai.usage.cache_read.input_tokens': 1_000,
      'gen_ai.usage.cache_creation.input_tokens': 200,
    };
    expect(llmFieldsFrom(attributes, '@traceloop/instrumentation-anthropic')).toMatchObject({ inputTokens: 6_200 });
    // The same count from the OpenAI instrumentation of the same project already includes them.
    expect(llmFieldsFrom({ ...attributes, 'gen_ai.system': 'openai' }, '@traceloop/instrumentation-openai')).toMatchObject({ inputTokens: 5_000 });
  });

  it('adds them to a count smaller than the cache alone, which cannot include them', () => {
    const llm = llmFieldsFrom({ 'gen_ai.system': 'anthropic', 'gen_ai.usage.input_tokens': 20, 'gen_ai.usage.cache_read.input_tokens': 1_000 });
    expect(llm).toMatchObject({ inputTokens: 1_020 });
  });

  it('reads scalar, array and JSON-array finish reasons alike', () => {
    expect(llmFieldsFrom({ 'gen_ai.request.model': 'm', 'llm.finish_reason': 'stop' })?.finishReasons).toEqual(['stop']);
    expect(llmFieldsFrom({ 'gen_ai.request.model': 'm', 'gen_ai.response.finish_reasons': ['length'] })?.finishReasons).toEqual(['length']);
    expect(llmFieldsFrom({ 'gen_ai.request.model': 'm', 'gen_ai.response.finish_reasons': '["stop","length"]' })?.finishReasons).toEqual(['stop', 'length']);
  });

  it('keeps a reported cost as reported (OpenInference llm.cost.*)', () => {
    const llm = llmFieldsFrom({ 'openinference.span.kind': 'LLM', 'llm.model_name': 'x', 'llm.cost.prompt': 0.01, 'llm.cost.completion': 0.02 });
    expect(llm?.costUsd).toBeCloseTo(0.03, 12);
    expect(llm?.costSource).toBe('reported');
  });
});

describe('llmFieldsFrom and counts that are not counts', () => {
  // A count past MAX_TOKEN_COUNT once made the store refuse the whole batch on every try.
  it.each([
    ['1e30 as a double', 1e30],
    ['1e300 as a double', 1e300],
    ['INT64_MAX as a decimal string (what an int64 past 2^53 decodes to)', '9223372036854775807'],
    ['a negative count', -5],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('takes %s as unknown and keeps the other counts', (_, value) => {
    const llm = llmFieldsFrom({ 'gen_ai.provider.name': 'openai', 'gen_ai.usage.input_tokens': value, 'gen_ai.usage.output_tokens': 7 });
    expect(llm).toMatchObject({ inputTokens: null, outputTokens: 7, totalTokens: 7 });
  });

  it('keeps the largest count one span may report', () => {
    expect(llmFieldsFrom({ 'gen_ai.provider.name': 'openai', 'gen_ai.usage.input_tokens': 2 ** 40 })?.inputTokens).toBe(2 ** 40);
    expect(llmFieldsFrom({ 'gen_ai.provider.name': 'openai', 'gen_ai.usage.input_tokens': String(2 ** 40) })?.inputTokens).toBe(2 ** 40);
  });
});

describe('llmFieldsFrom and OpenInference', () => {
  it.each([
    ['llm.model_name alone names both models', { 'llm.model_name': 'gpt-4o-mini-2024-07-18' }, 'gpt-4o-mini-2024-07-18', 'gpt-4o-mini-2024-07-18'],
    [
      'a response model of its own wins',
      { 'llm.model_name': 'gpt-4o-mini', 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18' },
      'gpt-4o-mini',
      'gpt-4o-mini-2024-07-18',
    ],
    [
      'a request model of its own wins',
      { 'llm.model_name': 'gpt-4o-mini-2024-07-18', 'gen_ai.request.model': 'gpt-4o-mini' },
      'gpt-4o-mini',
      'gpt-4o-mini-2024-07-18',
    ],
    [
      'request and response named apart (OpenInference Anthropic 0.2)',
      {
        'llm.model_name': 'claude-sonnet-4-5-20250929',
        'llm.request.model_name': 'claude-sonnet-4-5',
        'llm.response.model_name': 'claude-sonnet-4-5-20250929',
      },
      'claude-sonnet-4-5',
      'claude-sonnet-4-5-20250929',
    ],
    [
      'the request named apart and no response (a 429)',
      { 'llm.model_name': 'claude-sonnet-4-5', 'llm.request.model_name': 'claude-sonnet-4-5' },
      'claude-sonnet-4-5',
      null,
    ],
  ])('%s', (_, attributes, requestModel, responseModel) => {
    const llm = llmFieldsFrom({ 'openinference.span.kind': 'LLM', 'llm.provider': 'openai', ...attributes } as Record<string, string>);
    expect(llm).toMatchObject({ requestModel, responseModel });
  });
});

describe('llmFieldsFrom and names that are Object members', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('keeps %s as the span wrote it, as it keeps any unknown name', (name) => {
    const tokens = { 'gen_ai.usage.input_tokens': 3 };
    expect(llmFieldsFrom({ 'llm.request.type': name, ...tokens })).toMatchObject({ operation: name });
    expect(llmFieldsFrom({ 'gen_ai.provider.name': name, ...tokens })).toMatchObject({ provider: name.toLowerCase() });
    expect(llmFieldsFrom({ 'openinference.span.kind': name, ...tokens })).toMatchObject({ operation: null });
  });
});
