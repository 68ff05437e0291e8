import { describe, expect, it } from 'vitest';
import { timeGrowth } from '../../../model/test/support/growth.js';
import { regexLimits } from '../regex.js';
import { MaskingPolicyError, ProjectMasking, maskFileOf, redactOptionsOf, redactorOf } from './masking.js';

/**
 * Masking policies' own patterns are matched by RE2 (`regex.ts`): one project's pattern runs on
 * the thread that decodes every project's requests.
 */

const policyOf = (pattern: string, flags?: string) => ({ detectors: [], rules: [{ name: 'b', pattern, ...(flags === undefined ? {} : { flags }) }] });
const redactor = (pattern: string, flags?: string) => redactorOf(policyOf(pattern, flags), () => {});

describe('masking patterns', () => {
  it('masks with ^(a+)+$ in time linear in the value, where a backtracking engine doubles its time with each character', () => {
    const mask = redactor('^(a+)+$');
    // Timed side by side on values it does not match (a backtracking engine's worst): 12 then 24
    // characters, then 12,500 then 100,000; the longer may take at most 20 times as long (linear
    // work: 8). The short pair goes first: 32 characters held every project's ingest for 9 s
    // before, and JavaScript would not finish the long ones.
    const values = new Map<number, string>();
    const maskOne = (n: number): void => {
      let value = values.get(n);
      if (value === undefined) values.set(n, (value = `${'a'.repeat(n)}b`));
      mask.string(value);
    };
    expect(timeGrowth(maskOne, 12, 24), '12 then 24 characters').toBeLessThan(20);
    expect(timeGrowth(maskOne, 12_500, 100_000), '12,500 then 100,000 characters').toBeLessThan(20);
    expect(mask.string(`${'a'.repeat(32)}b`)).toBe(`${'a'.repeat(32)}b`);
    expect(mask.string(`${'a'.repeat(100_000)}b`)).toBe(`${'a'.repeat(100_000)}b`);
    expect(mask.string('a'.repeat(100_000))).toBe('[REDACTED:b]');
    const attributes: Record<string, unknown> = { long: 'a'.repeat(50_000), near: `${'a'.repeat(50_000)}!`, list: ['aaa', 'aab'] };
    mask.attributesInPlace(attributes);
    expect(attributes).toEqual({ long: '[REDACTED:b]', near: `${'a'.repeat(50_000)}!`, list: ['[REDACTED:b]', 'aab'] });
  });

  it('masks every match, as a JavaScript pattern with the g flag would', () => {
    expect(redactor(String.raw`\b\d{3}-\d{2}-\d{4}\b`).string('ssn 123-45-6789, 987-65-4321 and 1234-56-7890')).toBe(
      'ssn [REDACTED:b], [REDACTED:b] and 1234-56-7890',
    );
    expect(redactor(String.raw`\d+|\b`).string('a1b22 c')).toBe('a[REDACTED:b]b[REDACTED:b] c');
  });

  it("takes JavaScript's spelling and flags", () => {
    expect(redactor(String.raw`\u00e9t\u00e9`).string('un été chaud')).toBe('un [REDACTED:b] chaud');
    expect(redactor(String.raw`(?<year>\d{4})-\d{2}`).string('in 2026-11')).toBe('in [REDACTED:b]');
    expect(redactor('secret', 'i').string('a SeCrEt b')).toBe('a [REDACTED:b] b');
    expect(redactor('^b.*$', 'm').string('a\nbee\nc')).toBe('a\n[REDACTED:b]\nc');
    expect(redactor('x.y', 's').string('x\ny')).toBe('[REDACTED:b]');
    expect(redactor('😀+', 'u').string('ok 😀😀 ok')).toBe('ok [REDACTED:b] ok');
  });

  it('matches key patterns with RE2 too', () => {
    const mask = redactorOf({ detectors: [], rules: [{ name: 'k', key: '/^(a+)+$/' }] }, () => {});
    expect(mask.value('a'.repeat(64), 'v')).toBe('[REDACTED:k]');
    expect(mask.value(`${'a'.repeat(64)}b`, 'v')).toBe('v');
  });

  it.each([
    ['a lookbehind', '(?<=x)y', "rules[0] ('b').pattern cannot be used: lookarounds and back-references are not supported (patterns are matched with RE2)"],
    ['a lookahead', 'y(?!x)', "rules[0] ('b').pattern cannot be used: lookarounds and back-references are not supported"],
    ['a back-reference', String.raw`(a)\1`, "rules[0] ('b').pattern cannot be used: lookarounds and back-references are not supported"],
    ['a named back-reference', String.raw`(?<n>a)\k<n>`, "rules[0] ('b').pattern cannot be used: lookarounds and back-references are not supported"],
    ['a pattern that does not parse', '(', "rules[0] ('b').pattern cannot be used: missing closing )"],
    ['a pattern longer than 1024 characters', 'a'.repeat(1025), "rules[0] ('b').pattern cannot be used: the pattern is longer than 1024 characters"],
    [
      'a pattern whose cost a character is extreme',
      '(.*a){20}',
      "rules[0] ('b').pattern cannot be used: /(.*a){20}/ costs more than 64 steps a character (--regex-max-cost)",
    ],
  ])('refuses %s, naming the rule', (_what, pattern, message) => {
    expect(() => redactOptionsOf(policyOf(pattern), 'the masking policy')).toThrow(new MaskingPolicyError(`the masking policy: ${message}`).message);
  });

  it('masks what a rule did not read of a value longer than --regex-max-chars, and reads the rest as short values are', () => {
    const maxChars = regexLimits().maxChars;
    const mask = redactor(String.raw`\d{3}-\d{2}-\d{4}`);
    const huge = `ssn 123-45-6789 ${'x'.repeat(maxChars)} 987-65-4321`;
    expect(mask.string(huge)).toBe(`ssn [REDACTED:b] ${'x'.repeat(maxChars - 'ssn 123-45-6789 '.length)}[REDACTED:b]`);
    expect(mask.string(`${'x'.repeat(maxChars)}`)).toBe('x'.repeat(maxChars));
  });

  it('refuses a key pattern RE2 cannot run, naming the rule', () => {
    expect(() => redactOptionsOf({ rules: [{ name: 'note', key: '/^(?!public)/' }] }, 'the masking policy')).toThrow(
      "rules[0] ('note').key cannot be used: lookarounds",
    );
  });

  it('refuses a --mask file whose pattern RE2 cannot run, naming the file, the project and the rule', () => {
    expect(() => maskFileOf({ default: {}, projects: { shop: policyOf('(?<=card )\\d+') } }, 'the masking file mask.json')).toThrow(
      "the masking file mask.json (project shop): rules[0] ('b').pattern cannot be used: lookarounds",
    );
  });

  it('refuses the requests of a project whose stored policy RE2 cannot run, with a 503 that says what to do, and masks the others', () => {
    const masking = new ProjectMasking(null);
    masking.set('shop', policyOf('(?<=card )\\d+'));
    masking.set('blog', policyOf('\\d+'));
    const batch = { spans: [], logs: [], metricPoints: [], errors: [] };
    expect(() => masking.maskerFor('shop')!(batch)).toThrow(
      expect.objectContaining({
        status: 503,
        message: expect.stringContaining(
          "project 'shop' has a masking policy this server cannot use: the masking policy: rules[0] ('b').pattern cannot be used",
        ),
      }),
    );
    expect(() => masking.maskerFor('blog')!(batch)).not.toThrow();
    expect(masking.maskerFor('other')).toBeUndefined();
  });
});
