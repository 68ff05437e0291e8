import type { AttributeValue } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { attributeRows, isMultiline, oneLine, valueText } from './value-text';

describe('log values', () => {
  it.each<{ value: AttributeValue; text: string; line: string; multiline: boolean }>([
    { value: 'plain', text: 'plain', line: 'plain', multiline: false },
    { value: 'first\n  second\r\nthird', text: 'first\n  second\r\nthird', line: 'first ↵ second ↵ third', multiline: true },
    { value: 42, text: '42', line: '42', multiline: false },
    { value: true, text: 'true', line: 'true', multiline: false },
    { value: null, text: 'null', line: 'null', multiline: false },
    { value: { event: 'x', n: [1, 2] }, text: '{"event":"x","n":[1,2]}', line: '{"event":"x","n":[1,2]}', multiline: true },
  ])('shows $value', ({ value, text, line, multiline }) => {
    expect(valueText(value)).toBe(text);
    expect(oneLine(value)).toBe(line);
    expect(isMultiline(value)).toBe(multiline);
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
