import type { AttributeValue } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { attributeRows, logBodyLine, logBodyText, oneLine, valueText } from './value-text';

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

  it('shows a bytes body as bytes in hex, not as its base64 text', () => {
    const bytes = { body: 'AAEC/v8=', bodyBytes: true };
    expect(logBodyLine(bytes)).toBe('5 bytes: 00 01 02 fe ff');
    expect(logBodyText(bytes, true)).toBe('5 bytes, base64 AAEC/v8=\n00000000  00 01 02 fe ff');
    // A string body that is the same text stays text.
    expect(logBodyLine({ body: 'AAEC/v8=', bodyBytes: false })).toBe('AAEC/v8=');
  });

  it('shows long, empty, URL-safe and malformed bytes bodies', () => {
    const seventy = btoa(String.fromCharCode(...Array.from({ length: 70 }, (_, i) => i)));
    expect(logBodyLine({ body: seventy, bodyBytes: true })).toMatch(/^70 bytes: 00 01 02 .* 3e 3f …$/);
    expect(logBodyText({ body: seventy, bodyBytes: true }, true).split('\n')).toHaveLength(1 + 5);
    expect(logBodyLine({ body: '', bodyBytes: true })).toBe('0 bytes');
    expect(logBodyLine({ body: '_-8', bodyBytes: true })).toBe('2 bytes: ff ef');
    expect(logBodyLine({ body: 'not base64!', bodyBytes: true })).toBe('bytes, base64 not base64!');
  });
});
