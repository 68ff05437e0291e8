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
