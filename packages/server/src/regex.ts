import type { TextPattern } from '@spoor/model';
import { RE2JS } from 're2js';

/**
 * Every regular expression a user writes (alert matchers, silences, masking rules) is matched by
 * RE2's linear-time engine (the `re2js` port): the time a match takes grows with the text,
 * whatever the pattern. JavaScript's backtracking engine took 53 s on `(a+)+$` against 29
 * characters, stalling the thread that ran it (for a masking rule, the decode thread of every
 * project). RE2 is also what DuckDB matches `=~` in SQL with, so a pattern means the same
 * everywhere; lookarounds and back-references are refused.
 */

/** Longest pattern accepted, in characters. */
export const MAX_REGEX_LENGTH = 1024;

export interface Regex {
  test(text: string): boolean;
}

/** Lookarounds and back-references, which RE2 refuses less plainly. */
const NOT_RE2 = /\(\?<?[=!]|\\[1-9]|\\k</;

/** Why a pattern cannot be used, said to the user. */
export class RegexError extends Error {
  override name = 'RegexError';
}

/**
 * Compiles `pattern`. With `whole`, it must match the whole text (as Prometheus and Alertmanager
 * matchers do); else it is searched for. Throws `RegexError` for a pattern RE2 refuses or one
 * longer than `MAX_REGEX_LENGTH`.
 */
export function compileRegex(pattern: string, whole = false): Regex {
  checkPattern(pattern);
  const compiled = compileRe2(pattern, 0);
  return whole ? { test: (text) => compiled.matches(text) } : { test: (text) => compiled.matcher(text).find() };
}

/** JavaScript's flags as RE2 takes them; `u` changes nothing, as RE2 always reads code points. */
const FLAGS: ReadonlyMap<string, number> = new Map([
  ['i', RE2JS.CASE_INSENSITIVE],
  ['m', RE2JS.MULTILINE],
  ['s', RE2JS.DOTALL],
  ['u', 0],
]);

/**
 * Compiles a masking rule's pattern, written as JavaScript writes one (`\u00e9`, `(?<name>…)` and
 * `\cJ` are turned into RE2's spelling) with JavaScript's flags `i`, `m`, `s` and `u`, into a
 * `TextPattern` for `@spoor/model`'s redactor. Throws `RegexError` as `compileRegex` does, and for
 * another flag.
 */
export function compileTextPattern(source: string, flags = ''): TextPattern {
  let bits = 0;
  for (const flag of flags) {
    const bit = FLAGS.get(flag);
    if (bit === undefined) throw new RegexError(`'${flag}' is not a flag; use i, m, s or u`);
    bits |= bit;
  }
  // The check for lookarounds and back-references reads the pattern as written: the translation
  // would turn `\k<name>` into a literal `k<name>`.
  checkPattern(source);
  const compiled = compileRe2(RE2JS.translateRegExp(source), bits);
  return {
    source,
    find: (text, from) => {
      // Most values hold no match: the DFA says so without the matcher's allocations (twice as
      // fast on a 200-character attribute).
      if (from === 0 && !compiled.test(text)) return null;
      const matcher = compiled.matcher(text);
      return matcher.find(from) ? { start: matcher.start(), end: matcher.end() } : null;
    },
  };
}

function checkPattern(pattern: string): void {
  if (pattern.length > MAX_REGEX_LENGTH) throw new RegexError(`the pattern is longer than ${MAX_REGEX_LENGTH} characters`);
  if (NOT_RE2.test(pattern)) throw new RegexError('lookarounds and back-references are not supported (patterns are matched with RE2)');
}

function compileRe2(pattern: string, flags: number): RE2JS {
  try {
    return RE2JS.compile(pattern, flags);
  } catch (error) {
    // re2js says "error parsing regexp: invalid or unsupported Perl syntax: `(?=`".
    throw new RegexError((error as Error).message.replace(/^error parsing regexp: /, ''));
  }
}
