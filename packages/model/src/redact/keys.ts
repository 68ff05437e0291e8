import type { RedactMode, RedactRule } from './options.js';
import { maskText } from './replacement.js';

// A key is judged by its last word or two: `db.password` and `OPENAI_API_KEY` are secrets, while
// `gen_ai.usage.input_tokens` and `token_count` are the counts every LLM span carries.
const SECRET_LAST_WORDS = new Set(['password', 'passwd', 'pwd', 'secret', 'token', 'authorization', 'cookie', 'credential', 'credentials', 'apikey']);
// Pairs ending in `token` or `secret` (auth token, session token, refresh token, client secret)
// are already caught by their last word, so only the `key` pairs need listing.
const SECRET_LAST_PAIRS = new Set(['api key', 'access key', 'private key', 'secret key']);

/** Label of values hidden because of their key name, as in `[REDACTED:secret]`. */
export const SECRET_LABEL = 'secret';

/**
 * The lower-case words of a key: split on `.`, `_`, `-`, whitespace and camelCase boundaries
 * (`XMLHttpRequest` gives xml, http, request).
 *
 * @example keySegments('http.request.header.x-api-key') // ['http', 'request', 'header', 'x', 'api', 'key']
 */
export function keySegments(key: string): string[] {
  return key
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[._\-\s]+/)
    .filter((segment) => segment !== '');
}

/** True when the key's name says its value is a credential (see {@link keySegments}). Uncached. */
export function isSensitiveKey(key: string): boolean {
  const segments = keySegments(key);
  const last = segments[segments.length - 1];
  if (last === undefined) return false;
  if (SECRET_LAST_WORDS.has(last)) return true;
  const previous = segments[segments.length - 2];
  return previous !== undefined && SECRET_LAST_PAIRS.has(`${previous} ${last}`);
}

/** How to replace the whole value of a sensitive key. */
export interface KeyVerdict {
  readonly label: string;
  readonly mode: RedactMode;
  /** Prebuilt `[REDACTED:<label>]`. */
  readonly maskText: string;
}

/**
 * Bound on remembered keys. Attribute keys come from a small, fixed vocabulary, so a few thousand
 * covers any real app; a flood of generated keys only costs a clear and a re-learn.
 */
const MAX_CACHED_KEYS = 4096;

/**
 * Returns the per-key decision used on every attribute: the first `key` rule that matches, else
 * the built-in names (label `secret`, mode `defaultMode`), else `undefined`. Decisions are cached
 * because the same keys repeat on every span.
 */
export function createKeyClassifier(rules: readonly RedactRule[], defaultMode: RedactMode): (key: string) => KeyVerdict | undefined {
  const keyRules = rules.flatMap((rule) => (rule.key === undefined ? [] : [keyRuleFrom(rule, rule.key, defaultMode)]));
  const builtIn: KeyVerdict = { label: SECRET_LABEL, mode: defaultMode, maskText: maskText(SECRET_LABEL) };
  // null marks "looked at, not sensitive" so that a miss and a clean key differ.
  const cache = new Map<string, KeyVerdict | null>();

  const decide = (key: string): KeyVerdict | null => {
    let lower: string | undefined;
    for (const rule of keyRules) {
      if (typeof rule.name === 'function' ? rule.name(key) : rule.name === (lower ??= key.toLowerCase())) {
        return rule.verdict;
      }
    }
    return isSensitiveKey(key) ? builtIn : null;
  };

  return (key) => {
    let verdict = cache.get(key);
    if (verdict === undefined) {
      verdict = decide(key);
      if (cache.size >= MAX_CACHED_KEYS) cache.clear();
      cache.set(key, verdict);
    }
    return verdict ?? undefined;
  };
}

interface KeyRule {
  /** Lower-cased exact name, or whether a key matches the rule's pattern. */
  readonly name: string | ((key: string) => boolean);
  readonly verdict: KeyVerdict;
}

function keyRuleFrom(rule: RedactRule, key: NonNullable<RedactRule['key']>, defaultMode: RedactMode): KeyRule {
  let name: KeyRule['name'];
  if (typeof key === 'string') name = key.toLowerCase();
  else if (key instanceof RegExp) {
    // A g or y flag would make test() resume from lastIndex and miss every other key.
    const pattern = new RegExp(key.source, key.flags.replace(/[gy]/g, ''));
    name = (text) => pattern.test(text);
  } else name = (text) => key.find(text, 0) !== null;
  return { name, verdict: { label: rule.name, mode: rule.mode ?? defaultMode, maskText: maskText(rule.name) } };
}
