import type { AttributeValue } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { attributeRows, oneLine, valueText } from './value-text';

describe('log values', () => {
  it.each<{ value: AttributeValue; text: string; line: string }>([
    { value: 'plain', text: 'plain', line: 'plain' },
    { value: 'first\n  second\r\nthird', text: 'first\n  second\r\nthird', line: 'first ↵ second ↵ third' },
    { value: 42, text: '42', line: '42' },
    { value: true, text: 'true', line: 'true' },
    { value: null, text: 'null', line: 'null' },
    { value: { event: 'x', n: [1, 2] }, text: '{"event":"x","n":[1,2]}', line: '{"event":"x","n":[1,2]}' },
  ])('shows $value', ({ value, text, line }) => {
    expect(valueText(value)).toBe(text);
    expect(oneLine(value)).toBe(line);
  });

  it('cuts a long body', () => {
    expect(oneLine('abcdefghij', 5)).toBe('abcd…');
    expect(oneLine('abcde', 5)).toBe('abcde');
  });

  it('lists attributes sorted by key, values as text', () => {
    expect(attributeRows({ 'z.last': 'x', 'a.first': 1, 'm.list': ['a', 'b'] })).toEqual([
      ['a.first', '1'],
      ['m.list', '["a","b"]'],
      ['z.last', 'x'],
    ]);
  });
});
