import { describe, expect, it } from 'vitest';
import { withPrompt } from '../src/index.js';
import { HI, OPENAI_MODEL as MODEL, OPENAI_USAGE as USAGE, setupOpenAI } from './support/llm-instrumentation.js';

/** An LLM call made inside `withPrompt()` carries the prompt's name and version; one made outside carries neither. */

const env = setupOpenAI();
const { client, onlyLlmSpan } = env;

describe('withPrompt', () => {
  it("puts the prompt's name and version on the LLM call made with it", async () => {
    env.llm.script({ text: 'Bonjour.', usage: USAGE });
    await withPrompt({ name: 'greeting', version: 4 }, () => client().chat.completions.create({ model: MODEL, messages: HI }));
    const span = await onlyLlmSpan();
    expect(span.attributes['spoor.prompt.name']).toBe('greeting');
    expect(span.attributes['spoor.prompt.version']).toBe('4');
    expect(span.attributes['spoor.prompt.fallback']).toBeUndefined();
  });

  it('marks a call made with a fallback prompt', async () => {
    env.llm.script({ text: 'Bonjour.', usage: USAGE });
    await withPrompt({ name: 'greeting', isFallback: true }, () => client().chat.completions.create({ model: MODEL, messages: HI }));
    const span = await onlyLlmSpan();
    expect(span.attributes['spoor.prompt.name']).toBe('greeting');
    expect(span.attributes['spoor.prompt.version']).toBeUndefined();
    expect(span.attributes['spoor.prompt.fallback']).toBe(true);
  });

  it('leaves a call made outside it without prompt attributes', async () => {
    env.llm.script({ text: 'Bonjour.', usage: USAGE });
    await client().chat.completions.create({ model: MODEL, messages: HI });
    const span = await onlyLlmSpan();
    expect(span.attributes['spoor.prompt.name']).toBeUndefined();
  });
});
