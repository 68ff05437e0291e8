import { DETECTOR_NAMES, type DetectorName } from './detectors.js';

/**
 * What happens to a finding: `mask` writes `[REDACTED:<name>]`; `hash` writes
 * `[<name>:<12 hex>]` so equal values still correlate; `drop` removes the whole attribute or
 * field (inside a log message, which cannot be removed, it masks instead).
 */
export type RedactMode = 'mask' | 'hash' | 'drop';

/** A user-defined finding: by value pattern, by key name, or both. */
export interface RedactRule {
  /** Label used in the replacement, e.g. 'ssn' -> "[REDACTED:ssn]". */
  name: string;
  /** Mask every match of this pattern inside string values (the g flag is added when missing). */
  pattern?: RegExp;
  /** Treat values of keys with this exact name (case-insensitive string) or matching this RegExp as secret. */
  key?: string | RegExp;
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
    if (!(pattern instanceof RegExp)) fail(`${label}.pattern must be a RegExp, not ${describe(pattern)}`);
    // An empty match would mark nothing and, unguarded, loop forever; say so at setup instead.
    if (new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')).test('')) {
      fail(`${label}.pattern ${String(pattern)} matches the empty string; make it require at least one character`);
    }
  }
  if (key !== undefined && !(key instanceof RegExp) && (typeof key !== 'string' || key === '')) {
    fail(`${label}.key must be a non-empty key name or a RegExp, not ${describe(key)}`);
  }
  if (mode !== undefined) checkMode(mode, `${label}.mode`);
}

function checkMode(mode: unknown, at: string): void {
  if (!(MODES as readonly unknown[]).includes(mode)) fail(`${at} is ${describe(mode)}; use 'mask', 'hash' or 'drop'`);
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
