import type { LlmMessages, PromptVersion } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { DraftError, type PlaygroundCall, callOf, callOfPrompt, promptVersionOf, requestOf, variablesOf } from './draft';

const recorded: LlmMessages = {
  system: [{ type: 'text', content: 'You plan trips to {{city}}.' }],
  input: [
    { role: 'user', parts: [{ type: 'text', content: 'Plan {{days}} days in {{ city }}.' }], finishReason: null },
    { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'weather', arguments: { city: '{{city}}' } }], finishReason: null },
  ],
  output: [],
};

describe('the playground draft', () => {
  it('finds the variables of the system prompt and text messages, once each, and fills them in', () => {
    const call = { ...callOf(recorded), variables: { city: 'Porto', days: '2' } };
    expect(variablesOf(call)).toEqual(['city', 'days']);
    const request = requestOf(call);
    expect(request.system).toBe('You plan trips to Porto.');
    expect(request.messages).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Plan 2 days in Porto.' }], finishReason: null },
      // Tool parts are sent as recorded, their text not read for variables.
      recorded.input[1],
    ]);
    expect(request).not.toHaveProperty('temperature');
  });

  it('sends the parameters given, and says which one is wrong', () => {
    const call = { ...callOf(null), temperature: '0.3', maxTokens: '64', tools: '[{"type":"function"}]', responseFormat: '{"type":"json_object"}' };
    expect(requestOf(call)).toMatchObject({ temperature: 0.3, maxTokens: 64, tools: [{ type: 'function' }], responseFormat: { type: 'json_object' } });
    expect(() => requestOf({ ...call, maxTokens: '6.5' })).toThrow(new DraftError('Max tokens must be a whole number'));
    expect(() => requestOf({ ...call, tools: '{"type":"function"}' })).toThrow(/Tools must be a JSON array/);
    expect(() => requestOf({ ...call, responseFormat: '{json' })).toThrow(/Response format is not JSON/);
  });
});

describe('promptVersionOf', () => {
  const call = (over: Partial<PlaygroundCall> = {}): PlaygroundCall => ({
    ...callOf(null),
    system: 'You plan trips.',
    messages: [{ role: 'user', text: 'Plan two days in {{city}}.', parts: null }],
    ...over,
  });

  it('keeps the variables, the system prompt first, and the model and parameters as the config', () => {
    const version = promptVersionOf(call({ temperature: '0.3', maxTokens: '80', responseFormat: '{"type":"json_object"}' }), ' trips ', 'gpt-4o-mini');
    expect(version).toEqual({
      name: 'trips',
      type: 'chat',
      prompt: [
        { role: 'system', content: 'You plan trips.' },
        { role: 'user', content: 'Plan two days in {{city}}.' },
      ],
      config: { model: 'gpt-4o-mini', temperature: 0.3, maxTokens: 80, responseFormat: { type: 'json' } },
      message: 'saved from the playground',
    });
  });

  it('refuses what a prompt cannot keep', () => {
    const tool = { role: 'assistant', text: '', parts: [{ type: 'tool_call' as const, id: 't1', name: 'search', arguments: {} }] };
    expect(() => promptVersionOf(call({ messages: [tool] }), 'x', 'm')).toThrow(/tool calls/);
    expect(() => promptVersionOf(call({ responseFormat: '{"type":"text"}' }), 'x', 'm')).toThrow(/json_object/);
  });
});

describe('callOfPrompt', () => {
  const version = (over: Partial<PromptVersion>): PromptVersion => ({
    name: 'trips',
    version: 3,
    type: 'chat',
    prompt: [],
    variables: [],
    config: { model: null, temperature: null, maxTokens: null, tools: null, responseFormat: null },
    message: '',
    labels: [],
    createdBy: 'k',
    createdAt: '2026-11-28T00:00:00Z',
    ...over,
  });

  it("opens a chat prompt's system messages as the system prompt, its config as the parameters, and saves it back the same", () => {
    const chat = version({
      prompt: [
        { role: 'system', content: 'You plan trips.' },
        { role: 'user', content: 'Plan {{days}} days in {{city}}.' },
      ],
      config: {
        model: 'gpt-4o',
        temperature: 0.2,
        maxTokens: 120,
        tools: [{ type: 'function', function: { name: 'weather' } }],
        responseFormat: { type: 'json', schema: { type: 'object' } },
      },
    });
    const call = callOfPrompt(chat);
    expect(call).toMatchObject({ system: 'You plan trips.', temperature: '0.2', maxTokens: '120' });
    expect(variablesOf(call)).toEqual(['days', 'city']);
    expect(JSON.parse(call.responseFormat)).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } });
    expect(promptVersionOf(call, 'trips', 'gpt-4o')).toMatchObject({ type: 'chat', prompt: chat.prompt, config: chat.config });
  });

  it('keeps a text prompt text, and says what stops a change from being its next version', () => {
    const call = callOfPrompt(version({ type: 'text', prompt: 'Greet {{name}}.' }));
    expect(call.messages).toEqual([{ role: 'user', text: 'Greet {{name}}.', parts: null }]);
    expect(promptVersionOf(call, 'trips', '', 'text')).toMatchObject({ type: 'text', prompt: 'Greet {{name}}.' });
    expect(() => promptVersionOf({ ...call, system: 'Be brief.' }, 'trips', '', 'text')).toThrow(/trips is a text prompt/);
  });
});
