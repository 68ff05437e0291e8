import { describe, expect, it } from 'vitest';
import { SpanKeys } from './attribute-keys.js';
import { BinaryReader } from './wire.js';

/** Keys as a KeyValue's key field holds them (a length, then UTF-8), end to end. */
function keyFields(keys: readonly string[]): Uint8Array {
  const parts: number[] = [];
  for (const key of keys) {
    const bytes = Buffer.from(key, 'utf8');
    let length = bytes.length;
    while (length >= 0x80) {
      parts.push((length & 0x7f) | 0x80);
      length >>>= 7;
    }
    parts.push(length, ...bytes);
  }
  return Uint8Array.from(parts);
}

/** Reads a span's keys, one after another, as the span reader reads them. */
function readKeys(keys: SpanKeys, names: readonly string[]): string[] {
  const body = keyFields(names);
  const r = new BinaryReader(body);
  const read = names.map((_, index) => keys.at(r, body, index).key);
  expect(r.pos).toBe(body.length);
  return read;
}

describe('SpanKeys', () => {
  it('reads each key right when spans of several kinds take turns, each kind with its own keys at the same places', () => {
    const keys = new SpanKeys();
    const kinds = [
      ['gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.request.model'],
      ['step.number', 'gen_ai.tool.name'],
      ['workflow.name', 'session.id'],
      ['a', 'b', 'c', 'd'],
      ['é', '键', 'x'.repeat(200)],
      ['gen_ai.operation.nam', 'gen_ai.provider.namf'],
    ];
    for (let span = 0; span < 60; span++) {
      const names = kinds[(span * 7) % kinds.length]!;
      expect(readKeys(keys, names)).toEqual(names);
    }
  });

  it('reads keys right after the table of keys started over, made up per span', () => {
    const keys = new SpanKeys();
    for (let span = 0; span < 3000; span++) {
      const names = [`made.up.${span}`, 'fixed', `other.${span % 5}`];
      expect(readKeys(keys, names)).toEqual(names);
    }
  });
});
