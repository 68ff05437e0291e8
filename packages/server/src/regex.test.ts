import { afterEach, describe, expect, it } from 'vitest';
import { timeGrowth } from '../../model/test/support/growth.js';
import { DEFAULT_REGEX_LIMITS, MAX_REGEX_LENGTH, RegexError, compileRegex, compileTextPattern, regexLimits, setRegexLimits } from './regex.js';

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
  it.each<[string, boolean]>([
    ['(a+)+$', false],
    ['(a+)+', true],
    ['(a|aa)+$', false],
    ['(.*a){12}', true],
  ])('matches %s (whole: %s), which makes a backtracking engine hang, in time linear in the text', (pattern, whole) => {
    const re = compileRegex(pattern, whole);
    const texts = new Map<number, string>();
    const match = (n: number): void => {
      let text = texts.get(n);
      if (text === undefined) texts.set(n, (text = `${'a'.repeat(n)}!`));
      re.test(text);
    };
    expect(timeGrowth(match, 12, 24), '12 then 24 characters').toBeLessThan(20);
    expect(timeGrowth(match, 2_500, 20_000), '2,500 then 20,000 characters').toBeLessThan(20);
  });
});

describe('what a pattern may cost', () => {
  afterEach(() => setRegexLimits(DEFAULT_REGEX_LIMITS));

  // Each keeps a thread per level (or per repeat) alive at every character: (.*a){20} took 2-6 µs
  // a character, and one 4M-character attribute held every project's ingest for 23 s.
  it.each(['(.*a){20}', '((.*a){10}){10}', '.{0,1000}x', '(.{0,100}a){3}', '[0-9]{500}', '[a-z]{200}'])(
    'refuses %s, naming it and the limit, wherever a pattern is made',
    (pattern) => {
      const message = `/${pattern}/ costs more than ${DEFAULT_REGEX_LIMITS.maxStepsPerChar} steps a character (--regex-max-cost)`;
      expect(() => compileRegex(pattern)).toThrow(message);
      expect(() => compileRegex(pattern, true)).toThrow(message);
      expect(() => compileTextPattern(pattern, 'i')).toThrow(message);
    },
  );

  it.each([
    String.raw`\b\d{3}-\d{2}-\d{4}\b`,
    '[a-f0-9]{64}',
    String.raw`\b(?:\d[ -]*?){13,16}\b`,
    '[A-Za-z0-9+/]{40,}={0,2}',
    String.raw`[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}`,
    String.raw`(?i)(api[_-]?key|token|secret)\s*[:=]\s*["']?[A-Za-z0-9_\-]{8,}`,
    String.raw`\p{L}{50}`,
    '(.*a){10}',
    '^(a+)+$',
    '.*',
  ])('takes %s, as heavy as a detector should be', (pattern) => {
    expect(() => compileRegex(pattern)).not.toThrow();
    expect(() => compileTextPattern(pattern)).not.toThrow();
  });

  it('takes a heavier pattern once --regex-max-cost allows it', () => {
    setRegexLimits({ ...DEFAULT_REGEX_LIMITS, maxStepsPerChar: 200 });
    expect(compileRegex('(.*a){20}').test('a'.repeat(25))).toBe(true);
  });
});

describe('what a pattern reads', () => {
  afterEach(() => setRegexLimits(DEFAULT_REGEX_LIMITS));

  it('reads the first --regex-max-chars characters of a value, and no more', () => {
    setRegexLimits({ ...regexLimits(), maxChars: 1000 });
    const search = compileRegex('z');
    expect(search.test(`${'a'.repeat(999)}z`)).toBe(true);
    expect(search.test(`${'a'.repeat(1000)}z`)).toBe(false);
    // A value longer than a whole match may read does not match: the pattern never read its end.
    const whole = compileRegex('a*', true);
    expect(whole.test('a'.repeat(1000))).toBe(true);
    expect(whole.test('a'.repeat(1001))).toBe(false);
  });

  it('has a masking rule find in the first --regex-max-chars characters, and the rest it did not read as one finding', () => {
    setRegexLimits({ ...regexLimits(), maxChars: 1000 });
    const ssn = compileTextPattern(String.raw`\d{3}-\d{2}-\d{4}`);
    const text = `${'x'.repeat(10)}123-45-6789${'x'.repeat(2000)}987-65-4321`;
    const found: Array<{ start: number; end: number }> = [];
    for (let range = ssn.find(text, 0); range !== null; range = ssn.find(text, range.end)) found.push(range);
    // The second number is past the limit: inside the unread rest, masked whole (fail closed).
    expect(found).toEqual([
      { start: 10, end: 21 },
      { start: 1000, end: text.length },
    ]);
    expect(ssn.find('x'.repeat(1000), 0)).toBeNull();
  });
});
