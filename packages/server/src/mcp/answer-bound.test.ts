import { describe, expect, it } from 'vitest';
import { answerWithin } from './answer-bound.js';
import { cutStrings, headOf } from './budget.js';

/** Text that JSON writes longer than it is: quotes, backslashes, control characters, and pairs of surrogates (emoji). */
const ESCAPED = 'a "quoted" C:\\path\\ \u0000\u0001\u001f\t\n 😀𝄞 ';
const escaped = (chars: number): string => headOf(ESCAPED.repeat(Math.ceil(chars / ESCAPED.length)), chars);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const attributes = (n: number, chars: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${escaped(30)}${i}`, escaped(chars)]));

/** `full`: most of the room is used (a key is never cut, so an entry of a longer key is left out whole). */
const CASES: Array<{ what: string; value: Record<string, unknown>; full?: false }> = [
  {
    what: 'a span of 2,000 attributes of escaped text',
    value: { span: { traceId: 'a'.repeat(32), name: 'call', attributes: attributes(2000, 200) }, logs: [] },
  },
  { what: 'one prompt of 200,000 escaped characters', value: { messages: [{ role: 'user', content: escaped(200_000) }] } },
  {
    what: 'a list of 5,000 rows',
    value: { traces: Array.from({ length: 5000 }, (_, i) => ({ traceId: String(i), rootName: escaped(60) })), nextCursor: null },
  },
  { what: 'keys of 50,000 characters', value: { span: { attributes: { [escaped(50_000)]: 1, [`${escaped(50_000)}x`]: 2 } } }, full: false },
  { what: 'nesting 200 deep', value: { deep: Array.from({ length: 200 }).reduce<unknown>((inner) => ({ next: inner, text: escaped(400) }), 'end') } },
  { what: 'an answer with a note of its own', value: { traces: Array.from({ length: 900 }, () => escaped(90)), note: 'a tool said "something" about paging' } },
];

describe('answerWithin', () => {
  it('leaves an answer that fits as it is, text and all', () => {
    const value = { traces: [{ name: ESCAPED }], nextCursor: null };
    expect(answerWithin(value, 2000)).toEqual({ value, text: JSON.stringify(value) });
  });

  describe.each(CASES)('$what', ({ value, full }) => {
    it.each([2000, 2001, 7_777, 40_000])('is text of at most %i characters, which is the JSON of its value and says what was left out', (maxChars) => {
      const { text, value: bounded } = answerWithin(value, maxChars);
      expect(text.length).toBeLessThanOrEqual(maxChars);
      expect(JSON.parse(text)).toEqual(bounded);
      expect(bounded.note).toMatch(new RegExp(`maxChars \\(${maxChars}\\)`));
      expect(bounded.note).toMatch(/ask again with a larger maxChars/);
      // Not cut to nothing: most of the room is used.
      if (full !== false) expect(text.length).toBeGreaterThan(maxChars * 0.6);
      JSON.stringify(bounded, (_key, v: unknown) => {
        if (typeof v === 'string') expect(LONE_SURROGATE.test(v)).toBe(false);
        return v;
      });
    });
  });

  it('keeps the note the tool gave, first', () => {
    const { value } = answerWithin(CASES.at(-1)!.value, 3000);
    expect(value.note).toMatch(/^a tool said "something" about paging; /);
  });

  it('names the place it left entries out of, and how many of how many', () => {
    const { value } = answerWithin(CASES[0]!.value, 5000);
    const [, left, of] = /(\d+) of (\d+) entries of span\.attributes left out/.exec(value.note as string) ?? [];
    expect(Number(of)).toBe(2000);
    expect(Object.keys((value.span as { attributes: object }).attributes)).toHaveLength(2000 - Number(left));
  });
});

describe('headOf', () => {
  it.each([
    { text: 'abc😀def', chars: 4, head: 'abc' },
    { text: 'abc😀def', chars: 5, head: 'abc😀' },
    { text: 'abc', chars: 5, head: 'abc' },
  ])('cuts $text to $chars characters without halving a pair: $head', ({ text, chars, head }) => {
    expect(headOf(text, chars)).toBe(head);
  });

  it('is what cutStrings cuts with', () => {
    expect(cutStrings({ s: `${'x'.repeat(99)}😀${'y'.repeat(50)}` }, 100).s).toBe(`${'x'.repeat(99)}…[52 more characters]`);
  });
});
