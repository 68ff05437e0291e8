import { describe, expect, it } from 'vitest';
import { genkitCategory, genkitLlmFields } from './genkit.js';

describe('Genkit spans', () => {
  const model = (output: string | undefined) => ({
    'genkit:type': 'action',
    'genkit:metadata:subtype': 'model',
    'genkit:name': 'openai/gpt-4o-mini',
    ...(output === undefined ? {} : { 'genkit:output': output }),
  });

  it("reads a model action's provider, model, usage and finish reason from its name and output", () => {
    const usage = { inputTokens: 1200, outputTokens: 300, cachedContentTokens: 1000, thoughtsTokens: 100 };
    expect(genkitLlmFields(model(JSON.stringify({ finishReason: 'stop', usage })))).toMatchObject({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o-mini',
      inputTokens: 1200,
      outputTokens: 300,
      totalTokens: 1500,
      cacheReadInputTokens: 1000,
      reasoningTokens: 100,
      finishReasons: ['stop'],
    });
  });

  it('keeps a call whose output was cut off or left out, without usage', () => {
    for (const output of ['{"usage":{"inputTok', undefined]) {
      expect(genkitLlmFields(model(output))).toMatchObject({ requestModel: 'gpt-4o-mini', inputTokens: null, outputTokens: null, totalTokens: null });
    }
  });

  it('takes no other span for a model call, and gives flows, tools and helpers their category', () => {
    expect(genkitLlmFields({ 'genkit:metadata:subtype': 'flow', 'genkit:output': '{"usage":{"inputTokens":5}}' })).toBeNull();
    expect(genkitCategory({ 'genkit:metadata:subtype': 'flow' })).toBe('workflow');
    expect(genkitCategory({ 'genkit:metadata:subtype': 'tool' })).toBe('tool');
    expect(genkitCategory({ 'genkit:type': 'util' })).toBe('step');
    expect(genkitCategory({ 'genkit:type': 'something-new' })).toBeUndefined();
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('gives a span of subtype or type %s no category of its own', (name) => {
    expect(genkitCategory({ 'genkit:metadata:subtype': name })).toBeUndefined();
    expect(genkitCategory({ 'genkit:type': name })).toBeUndefined();
  });
});
