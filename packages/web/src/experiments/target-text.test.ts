import { describe, expect, it } from 'vitest';
import { targetText } from './target-text.js';

describe('targetText', () => {
  it('names each kind of target', () => {
    expect(targetText({ kind: 'llm-call', provider: 'openai', model: 'gpt-4o' })).toBe('openai gpt-4o');
    expect(targetText({ kind: 'prompt', name: 'support', version: 3, provider: 'demo' })).toBe('prompt support v3 · demo');
    expect(targetText({ kind: 'prompt', name: 'support', version: 3, provider: 'openai', model: 'gpt-4o' })).toBe('prompt support v3 · openai gpt-4o');
    expect(targetText({ kind: 'sdk', replay: 'tools' })).toBe('the app (SDK), replay tools');
  });
});
