import { describe, expect, it } from 'vitest';
import { timeGrowth } from '../../model/test/support/growth.js';
import { MAX_REGEX_LENGTH, RegexError, compileRegex } from './regex.js';

describe('compileRegex', () => {
  it.each([
    ['a search finds the pattern anywhere', 'time(d )?out', false, 'request timed out', true],
    ['a search misses text without it', 'timeout', false, 'fine', false],
    ['a whole match needs all of the text', 'rag|api', true, 'rag-worker', false],
    ['a whole match takes an alternative that is the text', 'rag|api', true, 'api', true],
    ['anchors work in a search', '^/chat$', false, '/chat', true],
  ])('%s', (_, pattern, whole, text, matches) => {
    expect(compileRegex(pattern, whole).test(text)).toBe(matches);
  });

  it.each(['(?=x)', '(?<!x)y', '(a)\\1', '(', '[z-a]'])('refuses %s with a message that says why', (pattern) => {
    expect(() => compileRegex(pattern)).toThrow(RegexError);
  });

  it(`refuses a pattern longer than ${MAX_REGEX_LENGTH} characters`, () => {
    expect(() => compileRegex('a'.repeat(MAX_REGEX_LENGTH + 1))).toThrow(/longer than/);
  });

  // JavaScript's RegExp took 53 s on the first at 29 characters; each character more doubles its
  // time. Each pattern is matched at two lengths, timed side by side, and the longer text may take
  // at most 20 times as long: 12 then 24 characters first (a backtracking engine takes thousands of
  // times as long, and 20,000 would never end), then 2,500 then 20,000 (linear work: 8 times).
  it.each<[string, boolean]>([['(a+)+$', false], ['(a+)+', true], ['(a|aa)+$', false], ['(.*a){12}', true]])(
    'matches %s (whole: %s), which makes a backtracking engine hang, in time linear in the text',
    (pattern, whole) => {
      const re = compileRegex(pattern, whole);
      const texts = new Map<number, string>();
      const match = (n: number): void => {
        let text = texts.get(n);
        if (text === undefined) texts.set(n, (text = `${'a'.repeat(n)}!`));
        re.test(text);
      };
      expect(timeGrowth(match, 12, 24), '12 then 24 characters').toBeLessThan(20);
      expect(timeGrowth(match, 2_500, 20_000), '2,500 then 20,000 characters').toBeLessThan(20);
    },
  );
});
