import { describe, expect, it } from 'vitest';
import { langChainMetadataField } from './langchain.js';

describe('langChainMetadataField', () => {
  it.each([
    ['as JSON.stringify writes it', '{"ls_provider":"openai","ls_model_name":"gpt-4o-mini"}', 'openai'],
    ["as Python's json.dumps writes it", '{"ls_provider": "anthropic", "ls_model_name": "claude"}', 'anthropic'],
    ['after the LangGraph keys', '{"thread_id":"t","langgraph_path":["__pregel_pull","agent"],"ls_provider":"openai"}', 'openai'],
    ['with an escaped quote in the value', '{"ls_provider":"a\\"b"}', 'a"b'],
    ['absent', '{"ls_model_name":"gpt-4o-mini"}', null],
    ['not a string', '{"ls_provider":3}', null],
    ['empty', '{"ls_provider":""}', null],
    ['in a cut-off attribute with an escape', '{"ls_provider":"a\\"b', null],
  ])('reads a key %s', (_label, metadata, expected) => {
    expect(langChainMetadataField(metadata, 'ls_provider')).toBe(expected);
  });

  it('reads nothing from an attribute that is not a string', () => {
    expect(langChainMetadataField(undefined, 'user_id')).toBeNull();
    expect(langChainMetadataField(7, 'user_id')).toBeNull();
  });
});
