import { RE2JS } from 're2js';

/**
 * Every regular expression a user writes (alert matchers, silences) is matched by RE2's
 * linear-time engine (the `re2js` port): the time a match takes grows with the text, whatever
 * the pattern. JavaScript's backtracking engine took 53 s on `(a+)+$` against 29 characters,
 * stalling the thread that ran it. RE2 is also what DuckDB matches `=~` in SQL with, so a
 * pattern means the same everywhere; lookarounds and back-references are refused.
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
  if (pattern.length > MAX_REGEX_LENGTH) throw new RegexError(`the pattern is longer than ${MAX_REGEX_LENGTH} characters`);
  if (NOT_RE2.test(pattern)) throw new RegexError('lookarounds and back-references are not supported (patterns are matched with RE2)');
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    // re2js says "error parsing regexp: invalid or unsupported Perl syntax: `(?=`".
    throw new RegexError((error as Error).message.replace(/^error parsing regexp: /, ''));
  }
  return whole ? { test: (text) => compiled.matches(text) } : { test: (text) => compiled.matcher(text).find() };
}
