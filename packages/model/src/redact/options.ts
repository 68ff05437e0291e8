import { DETECTOR_NAMES, type DetectorName } from './detectors.js';

/**
 * What happens to a finding: `mask` writes `[REDACTED:<name>]`; `hash` writes
 * `[<name>:<12 hex>]` so equal values still correlate; `drop` removes the whole attribute or
 * field (inside a log message, which cannot be removed, it masks instead).
 */
export type RedactMode = 'mask' | 'hash' | 'drop';

/**
 * A pattern compiled by an engine other than JavaScript's backtracking one, such as RE2, whose
 * time grows with the text whatever the pattern. Spoor's server compiles the patterns of masking
 * policies so, as one project's `^(a+)+$` would otherwise hold every project's ingest; an app that
 * takes patterns from users can do the same. Stateless: one serves every string.
 *
 * @example
 * const re = RE2JS.compile('\\d{3}-\\d{2}-\\d{4}'); // the re2js package
 * const ssn: TextPattern = {
 *   source: re.pattern(),
 *   find: (text, from) => { const m = re.matcher(text); return m.find(from) ? { start: m.start(), end: m.end() } : null; },
 * };
 */
export interface TextPattern {
  /** The pattern as written, for messages. */
  readonly source: string;
  /** The first match that starts at or after `from` (0 to `text.length`), as `[start, end)`; `null` when there is none. */
  find(text: string, from: number): { start: number; end: number } | null;
}

/** A user-defined finding: by value pattern, by key name, or both. */
export interface RedactRule {
  /** Label used in the replacement, e.g. 'ssn' -> "[REDACTED:ssn]". */
  name: string;
  /** Mask every match of this pattern inside string values (a RegExp gets the g flag when missing). */
  pattern?: RegExp | TextPattern;
  /** Treat values of keys with this exact name (case-insensitive string), or that this pattern finds a match in, as secret. */
  key?: string | RegExp | TextPattern;
  /** Overrides RedactOptions.mode for this rule. */
  mode?: RedactMode;
}

/**
 * How telemetry is masked before it leaves the process. Every field is optional.
 *
 * @example
 * { mode: 'hash', hashSalt: process.env.SPOOR_SALT, rules: [{ name: 'ssn', pattern: /\b\d{3}-\d{2}-\d{4}\b/ }] }
 */
export interface RedactOptions {
  /** Built-in detectors to run. Default: all of them. [] turns the value detectors off (key names still apply). */
  detectors?: DetectorName[];
  /** What to do with a finding. Default 'mask'. */
  mode?: RedactMode;
  /** Extra rules by pattern or key name. */
  rules?: RedactRule[];
  /** Salt for hash mode, so hashes cannot be looked up across deployments. Default ''. */
  hashSalt?: string;
}

const MODES: readonly RedactMode[] = ['mask', 'hash', 'drop'];
const OPTION_NAMES = ['detectors', 'mode', 'rules', 'hashSalt'];
const RULE_FIELDS = ['name', 'pattern', 'key', 'mode'];

/**
 * Validates options and throws an Error whose message says how to fix it (e.g. unknown detector
 * name, rule with neither pattern nor key, bad mode). createRedactor calls it.
 */
export function validateRedactOptions(options: unknown): asserts options is RedactOptions | undefined {
  if (options === undefined) return;
  if (!isRecord(options)) fail(`must be an object such as { mode: 'mask' }, not ${describe(options)}`);
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.includes(name)) fail(`has no option '${name}'; the options are ${OPTION_NAMES.join(', ')}`);
  }
  const { detectors, mode, rules, hashSalt } = options;
  if (detectors !== undefined) {
    if (!Array.isArray(detectors)) fail(`detectors must be an array of detector names, not ${describe(detectors)}`);
    detectors.forEach((name, i) => {
      if (!(DETECTOR_NAMES as readonly unknown[]).includes(name)) {
        fail(`detectors[${i}] is ${describe(name)}; use any of ${DETECTOR_NAMES.join(', ')} (or [] for none)`);
      }
    });
  }
  if (mode !== undefined) checkMode(mode, 'mode');
  if (hashSalt !== undefined && typeof hashSalt !== 'string') fail(`hashSalt must be a string, not ${describe(hashSalt)}`);
  if (rules !== undefined) {
    if (!Array.isArray(rules)) fail(`rules must be an array such as [{ name: 'ssn', pattern: /\\d{3}-\\d{2}-\\d{4}/ }], not ${describe(rules)}`);
    rules.forEach(checkRule);
  }
}

function checkRule(rule: unknown, i: number): void {
  const at = `rules[${i}]`;
  if (!isRecord(rule)) fail(`${at} must be an object with a name and a pattern or key, not ${describe(rule)}`);
  for (const field of Object.keys(rule)) {
    if (!RULE_FIELDS.includes(field)) fail(`${at} has no field '${field}'; a rule has ${RULE_FIELDS.join(', ')}`);
  }
  const { name, pattern, key, mode } = rule;
  if (typeof name !== 'string' || name === '') fail(`${at}.name must be a non-empty label such as 'ssn', not ${describe(name)}`);
  const label = `${at} ('${name}')`;
  if (pattern === undefined && key === undefined) fail(`${label} needs a pattern (to find values) or a key (to hide a field), or both`);
  if (pattern !== undefined) {
    if (!(pattern instanceof RegExp) && !isTextPattern(pattern)) fail(`${label}.pattern must be a RegExp (or a TextPattern), not ${describe(pattern)}`);
    // An empty match would mark nothing and, unguarded, loop forever; say so at setup instead.
    const matchesEmpty = pattern instanceof RegExp ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')).test('') : pattern.find('', 0) !== null;
    if (matchesEmpty) {
      fail(
        `${label}.pattern ${pattern instanceof RegExp ? String(pattern) : `'${pattern.source}'`} matches the empty string; make it require at least one character`,
      );
    }
  }
  if (key !== undefined && !(key instanceof RegExp) && !isTextPattern(key) && (typeof key !== 'string' || key === '')) {
    fail(`${label}.key must be a non-empty key name or a RegExp (or a TextPattern), not ${describe(key)}`);
  }
  if (mode !== undefined) checkMode(mode, `${label}.mode`);
}

function checkMode(mode: unknown, at: string): void {
  if (!(MODES as readonly unknown[]).includes(mode)) fail(`${at} is ${describe(mode)}; use 'mask', 'hash' or 'drop'`);
}

/** A {@link TextPattern}: a `source` text and a `find` function. */
export function isTextPattern(value: unknown): value is TextPattern {
  return isRecord(value) && typeof value.source === 'string' && typeof value.find === 'function';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${String(value)}`;
}

function fail(problem: string): never {
  throw new Error(`Invalid redact options: ${problem}.`);
}
