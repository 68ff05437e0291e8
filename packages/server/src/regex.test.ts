import { describe, expect, it } from 'vitest';
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

  it('matches the patterns that make a backtracking engine hang in linear time', () => {
    // JavaScript's RegExp took 53 s on the first at 29 characters; each doubling of the text
    // doubles its time.
    const cases: Array<[string, boolean]> = [['(a+)+$', false], ['(a+)+', true], ['(a|aa)+$', false], ['(.*a){12}', true]];
    for (const [pattern, whole] of cases) {
      const re = compileRegex(pattern, whole);
      const started = performance.now();
      re.test(`${'a'.repeat(20_000)}!`);
      // Generous for a loaded machine: a backtracking engine would take longer than the universe.
      expect(performance.now() - started, pattern).toBeLessThan(5_000);
    }
  });
});
