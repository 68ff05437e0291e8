import type { TextPattern } from '@spoor/model';
import { RE2JS } from 're2js';

/**
 * Every regular expression a user writes (alert matchers, silences, masking rules, `regex`
 * evaluators) is matched by RE2's linear-time engine (the `re2js` port): the time a match takes
 * grows with the text, whatever the pattern. JavaScript's backtracking engine took 53 s on `(a+)+$` against 29
 * characters, stalling the thread that ran it (for a masking rule, the decode thread of every
 * project). RE2 is also what DuckDB matches `=~` in SQL with, so a pattern means the same
 * everywhere; lookarounds and back-references are refused.
 */

/** Longest pattern accepted, in characters. */
export const MAX_REGEX_LENGTH = 1024;

/**
 * What bounds a pattern's time. Linear is not cheap: `(.*a){20}` keeps some 40 NFA threads alive
 * at every character and took 2-6 µs a character, so one 4M-character attribute held the decode
 * thread (every project's ingest) for 23 s. So a pattern reads at most `maxChars` characters of a
 * value (`--regex-max-chars`), and a pattern whose matcher does more than `maxStepsPerChar` steps a
 * character on a fixed probe text (`--regex-max-cost`) is refused when it is made. The heaviest
 * allowed patterns measured (`[a-f0-9]{64}` on hex, `(.*a){10}` on `aaaa…`, `[ab]*a[ab]{58}[^ab]`
 * on random a/b, whose DFA runs out of states) masked a 4M-character value in 0.2-0.6 s reading
 * its first 131,072 characters, against 7-8 s reading it whole, on a busy 2-core machine.
 */
export interface RegexLimits {
  maxChars: number;
  maxStepsPerChar: number;
}

export const DEFAULT_REGEX_LIMITS: RegexLimits = { maxChars: 131_072, maxStepsPerChar: 64 };

/** The variables the limits are read from, in a thread started after `setRegexLimits` (see `regexLimitsEnv`). */
export const REGEX_LIMIT_ENV = { maxChars: 'SPOOR_REGEX_MAX_CHARS', maxStepsPerChar: 'SPOOR_REGEX_MAX_COST' } as const;

function limitsFrom(env: NodeJS.ProcessEnv): RegexLimits {
  const read = (key: keyof RegexLimits): number => {
    const value = Number(env[REGEX_LIMIT_ENV[key]]);
    return Number.isInteger(value) && value > 0 ? value : DEFAULT_REGEX_LIMITS[key];
  };
  return { maxChars: read('maxChars'), maxStepsPerChar: read('maxStepsPerChar') };
}

// Process-wide, as every thread compiles patterns (masking runs on the decode, database and
// forward threads): a thread reads them from the environment `startWorker` gives it.
let limits = limitsFrom(process.env);

/** Sets the limits of this thread and of the threads started after (the server does, from its flags). */
export function setRegexLimits(next: RegexLimits): void {
  limits = { ...next };
  costs.clear();
}

export function regexLimits(): RegexLimits {
  return limits;
}

/** The limits as environment variables, for a thread about to start. */
export function regexLimitsEnv(): Record<string, string> {
  return { [REGEX_LIMIT_ENV.maxChars]: String(limits.maxChars), [REGEX_LIMIT_ENV.maxStepsPerChar]: String(limits.maxStepsPerChar) };
}

export interface Regex {
  /**
   * Whether the pattern matches (the whole value with `whole`) the value's first
   * `regexLimits().maxChars` characters; a value longer than that never matches whole.
   */
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
 * matchers do); else it is searched for. Throws `RegexError` for a pattern RE2 refuses, one
 * longer than `MAX_REGEX_LENGTH`, or one that costs more than `--regex-max-cost`.
 */
export function compileRegex(pattern: string, whole = false): Regex {
  checkPattern(pattern);
  const compiled = compileRe2(pattern, 0);
  checkCost(pattern, 're2', compiled);
  // `test` answers from RE2's DFA, without the matcher's captures: (.*a){20} read a 1M-character
  // text in 1-38 ms so, against 2.5-3.8 s through `matcher().find()`.
  return whole ? { test: (text) => text.length <= limits.maxChars && compiled.matches(text) } : { test: (text) => compiled.test(headOf(text)) };
}

/** The characters of `text` a pattern reads. */
const headOf = (text: string): string => (text.length > limits.maxChars ? text.slice(0, limits.maxChars) : text);

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
  checkCost(source, `js/${flags}`, compiled);
  return {
    source,
    find: (text, from) => {
      const max = limits.maxChars;
      // What the pattern does not read is not stored as it came: past the limit, a value is
      // masked as a finding of the rule (fail closed), so a secret cannot hide behind padding.
      if (text.length > max && from >= max) return from < text.length ? { start: from, end: text.length } : null;
      const head = text.length > max ? text.slice(0, max) : text;
      const tail = head === text ? null : { start: max, end: text.length };
      // Most values hold no match: the DFA says so without the matcher's allocations (twice as
      // fast on a 200-character attribute).
      if (from === 0 && !compiled.test(head)) return tail;
      const matcher = compiled.matcher(head);
      return matcher.find(from) ? { start: matcher.start(), end: matcher.end() } : tail;
    },
  };
}

function checkPattern(pattern: string): void {
  if (pattern.length > MAX_REGEX_LENGTH) throw new RegexError(`the pattern is longer than ${MAX_REGEX_LENGTH} characters`);
  if (NOT_RE2.test(pattern)) throw new RegexError('lookarounds and back-references are not supported (patterns are matched with RE2)');
}

/**
 * The typical text a pattern's cost is counted on: prose on short lines, then one long line of
 * runs of one letter, hex, digits, words, punctuation and other scripts. Fixed, so a pattern is
 * refused or taken alike on every machine and every start.
 */
const PROSE = (() => {
  const prose =
    'The assistant said: call 555-12-3456 or mail ann.lee@example.com; the token is sk-abc123.\nLorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n';
  const line = `${'a'.repeat(64)} ${'0123456789abcdef'.repeat(6)} {"user": "Zoë", "note": "price = 42.50 EUR"} 中文 テスト ${'banana '.repeat(12)}${'x='.repeat(16)} `;
  return prose.repeat(6) + line.repeat(4);
})();

/** Characters of each run of one character (a sender's cheapest attack: `aaaa…` for `(.*a){20}`, `0000…` for `[0-9]{500}`). */
const RUN = 256;

/** Runs counted at most: a pattern names few characters that matter, and a long class counts once. */
const MAX_RUNS = 24;

/** Steps per character by pattern and flags, as counting one costs milliseconds. */
const costs = new Map<string, number>();

/**
 * A pattern's cost: the NFA steps a character it takes on the prose probe, or on a run of any
 * one character its instructions name, whichever is most (counting stops past the limit).
 */
function costOf(compiled: RE2JS): number {
  const budget = limits.maxStepsPerChar;
  let worst = stepsPerChar(compiled, PROSE, budget);
  for (const rune of runesOf(compiled)) {
    if (worst > budget) break;
    worst = Math.max(worst, stepsPerChar(compiled, String.fromCodePoint(rune).repeat(RUN), budget));
  }
  return worst;
}

/** Refuses `compiled` (of `source`, written in `syntax`: RE2's, or JavaScript's with its flags) if it costs more than the limit. */
function checkCost(source: string, syntax: string, compiled: RE2JS): void {
  const key = `${syntax}\u0000${source}`;
  let steps = costs.get(key);
  if (steps === undefined) {
    steps = costOf(compiled);
    if (costs.size >= 1000) costs.clear();
    costs.set(key, steps);
  }
  if (steps > limits.maxStepsPerChar) {
    throw new RegexError(
      `/${source}/ costs more than ${limits.maxStepsPerChar} steps a character (--regex-max-cost), counted on a probe text: ` +
        'a repetition that keeps many matches alive at once, such as (.*a){20} or .{0,1000}x, costs a step per live one at every character; anchor it or bound its repeats',
    );
  }
}

/** RE2's program as re2js keeps it: enough of it to walk. */
interface Inst {
  op: number;
  out: number;
  arg: number;
  runes: Int32Array;
  matchRune(rune: number): boolean;
}
interface Prog {
  start: number;
  numInst(): number;
  getInst(pc: number): Inst;
}

// re2js's instruction codes (its `Inst`).
const ALT = 1;
const ALT_MATCH = 2;
const MATCH = 6;
const FAIL = 5;
const RUNE = 8;
const RUNE1 = 9;
const RUNE_ANY = 10;
const RUNE_ANY_NOT_NL = 11;

/**
 * The steps RE2's NFA takes a character on `text`, searching it whole: the instructions its
 * threads visit at each character, a new search starting at every one, as the Pike VM runs. This
 * is what a character costs when the DFA cannot answer alone (a match's bounds, a masking rule
 * that found something): measured on this machine, about 0.04 µs a step. An upper bound, made
 * deterministic: empty-width assertions pass and no thread is cut by an earlier match.
 */
function stepsPerChar(compiled: RE2JS, text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  const prog = programOf(compiled);
  const seen = new Int32Array(prog.numInst()).fill(-1);
  let steps = 0;
  let chars = 0;
  let carried: number[] = [];
  const stack: number[] = [];
  const runes: Inst[] = [];
  for (let pos = 0; ; ) {
    runes.length = 0;
    stack.push(...carried, prog.start);
    while (stack.length > 0) {
      const pc = stack.pop()!;
      if (seen[pc] === pos) continue;
      seen[pc] = pos;
      steps++;
      const inst = prog.getInst(pc);
      if (inst.op === ALT || inst.op === ALT_MATCH) stack.push(inst.arg, inst.out);
      else if (inst.op >= RUNE && inst.op <= RUNE_ANY_NOT_NL) runes.push(inst);
      else if (inst.op !== MATCH && inst.op !== FAIL) stack.push(inst.out);
    }
    if (pos >= text.length || steps > stopAbove * text.length) break;
    const rune = text.codePointAt(pos)!;
    carried = [];
    for (const inst of runes) {
      const takes = inst.op === RUNE_ANY || (inst.op === RUNE_ANY_NOT_NL ? rune !== 10 : inst.op === RUNE || inst.op === RUNE1 ? inst.matchRune(rune) : false);
      if (takes) carried.push(inst.out);
    }
    pos += rune > 0xffff ? 2 : 1;
    chars++;
  }
  return steps / Math.max(1, chars);
}

/** A character each instruction of the program takes (the first it names; `a` for any), at most `MAX_RUNS`. */
function runesOf(compiled: RE2JS): number[] {
  const prog = programOf(compiled);
  const runes = new Set<number>();
  for (let pc = 0; pc < prog.numInst() && runes.size < MAX_RUNS; pc++) {
    const inst = prog.getInst(pc);
    if ((inst.op === RUNE || inst.op === RUNE1) && inst.runes.length > 0) runes.add(inst.runes[0]!);
    else if (inst.op === RUNE_ANY || inst.op === RUNE_ANY_NOT_NL) runes.add(97);
  }
  return [...runes];
}

const programOf = (compiled: RE2JS): Prog => (compiled.re2Input as unknown as { prog: Prog }).prog;

function compileRe2(pattern: string, flags: number): RE2JS {
  try {
    return RE2JS.compile(pattern, flags);
  } catch (error) {
    // re2js says "error parsing regexp: invalid or unsupported Perl syntax: `(?=`".
    throw new RegexError((error as Error).message.replace(/^error parsing regexp: /, ''));
  }
}
