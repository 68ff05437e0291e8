import { describe, expect, it } from 'vitest';
import { canonicalJson, requestHash } from './hash.js';

describe('requestHash', () => {
  const base = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], temperature: 0.2 };

  it.each([
    ['keys in another order', { temperature: 0.2, messages: [{ content: 'hi', role: 'user' }], model: 'gpt-4o' }],
    ['streamed instead of plain', { ...base, stream: true, stream_options: { include_usage: true } }],
    ['an undefined field', { ...base, top_p: undefined }],
  ])('is the same for %s', (_case, other) => {
    expect(requestHash(other)).toBe(requestHash(base));
  });

  it.each([
    ['another prompt', { ...base, messages: [{ role: 'user', content: 'hello' }] }],
    ['another model', { ...base, model: 'gpt-4o-mini' }],
    ['another parameter', { ...base, temperature: 0.3 }],
    ['a tool added', { ...base, tools: [{ type: 'function', function: { name: 'f' } }] }],
    ['messages reordered', { ...base, messages: [{ role: 'system', content: 's' }, ...base.messages] }],
  ])('differs for %s', (_case, other) => {
    expect(requestHash(other)).not.toBe(requestHash(base));
  });

  it('never throws into the call: a request with a throwing getter hashes as unhashable', () => {
    const request = {
      model: 'm',
      get messages(): unknown {
        throw new Error('no');
      },
    };
    expect(requestHash(request)).toBe('unhashable');
  });

  it('keeps stream fields below the top level, where they are content', () => {
    expect(requestHash({ args: [{ stream: 1 }] })).not.toBe(requestHash({ args: [{ stream: 2 }] }));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and cuts cycles', () => {
    const value: Record<string, unknown> = { b: { d: 1, c: [2, { f: 3, e: 4 }] }, a: 0 };
    value.self = value;
    expect(canonicalJson(value)).toBe('{"a":0,"b":{"c":[2,{"e":4,"f":3}],"d":1},"self":"[Circular]"}');
  });
});
