/** The raw message an occurrence keeps, and the longest grouping key. */
const MAX_MESSAGE_CHARS = 2000;
const MAX_KEY_CHARS = 300;

// Quoted values go first (they may hold anything), then the shapes that contain separators the
// token pass would split (URLs, UUIDs, emails, timestamps), then one pass over word-like tokens
// for hex, numbers and ids.
const QUOTED = /(?<!\w)(?:'([^'\n]*)'|"((?:[^"\\\n]|\\.)*)"|`([^`\n]*)`)(?!\w)/g;
const KEY_FOLLOWS = /\s*:/y;
/** A quoted snake_case word names a kind of error (`'rate_limit_error'`, `'context_length_exceeded'`), not data. */
const CODE_WORD = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/;
const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi;
const URL_TRAILING = /[.,;:!?)\]}]+$/;
const URL_ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const EMAIL = /(?<![\w.+-])[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/gi;
const TIMESTAMP = /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d)/g;
const TOKEN = /\d{1,3}(?:,\d{3})+(?:\.\d+)?\w*|\w(?:[\w.-]*\w)?/g;
const HEX = /^(?:0x[0-9a-f]+|(?=[0-9]*[a-f])[0-9a-f]{8,})$/i;
/** Numbers, versions, ranges, and numbers with a short unit: `2.4s`, `600ms`, `1m20s`, `128k`. */
const NUMBER = /^\d+(?:[.,-]\d+)*(?:[a-z]{1,3}(?:\d+(?:\.\d+)?[a-z]{1,3})*)?$/i;
const NEGATIVE = /(?<![\w>)\]])-(?=<n>)/g;

/**
 * The grouping key of an error message: the words that say what went wrong, with the values
 * that change from one occurrence to the next replaced, in this order:
 *
 * 1. quoted values (`'…'`, `"…"`, `` `…` ``) → `<str>`, except dictionary/JSON keys and quoted
 *    snake_case codes, which name the kind of error (`{'type': 'overloaded_error', …}`);
 * 2. URLs keep their scheme and host; a path, query or fragment becomes `/<path>`;
 * 3. UUIDs → `<uuid>`; 4. emails → `<email>`; 5. ISO-8601 dates and timestamps → `<time>`;
 * 6. each word-like token with a digit: hex (`0x…`, or 8+ hex digits with a letter) → `<hex>`;
 *    numbers, with an optional short unit (`2.4s`), → `<n>`; anything else mixing letters and
 *    digits → `<id>` (`req_8fK2x9`, `org-AbC123`, and model names like `gpt-4o`: the provider
 *    and status group LLM errors, and a rate limit is the same failure for every model);
 * 7. a minus sign before a number folds in; whitespace collapses; the key is cut to 300 chars.
 *
 * @example normalizeMessage('Used 29876 of 30000 for req_8fK2x9') === 'Used <n> of <n> for <id>'
 */
export function normalizeMessage(message: string): string {
  const key = clip(message, MAX_MESSAGE_CHARS)
    .replace(QUOTED, (match: string, single?: string, double?: string, backtick?: string, offset = 0, whole = '') => {
      KEY_FOLLOWS.lastIndex = offset + match.length;
      if (KEY_FOLLOWS.test(whole) || CODE_WORD.test(single ?? double ?? backtick ?? '')) return match;
      return '<str>';
    })
    .replace(URL_PATTERN, (match) => {
      const trailing = URL_TRAILING.exec(match)?.[0] ?? '';
      const url = match.slice(0, match.length - trailing.length);
      const origin = URL_ORIGIN.exec(url)?.[0] ?? url;
      return origin.length < url.length ? `${origin}/<path>${trailing}` : match;
    })
    .replace(UUID, '<uuid>')
    .replace(EMAIL, '<email>')
    .replace(TIMESTAMP, '<time>')
    .replace(TOKEN, (token) => (!/\d/.test(token) ? token : HEX.test(token) ? '<hex>' : NUMBER.test(token) ? '<n>' : '<id>'))
    .replace(NEGATIVE, '')
    .replace(/\s+/g, ' ')
    .trim();
  return clip(key, MAX_KEY_CHARS).trimEnd();
}

/** The message an occurrence keeps: its first 2,000 UTF-16 units, no surrogate pair split. */
export function clipMessage(message: string): string {
  return clip(message, MAX_MESSAGE_CHARS);
}

/** Cuts `value` to `max` UTF-16 units without splitting a surrogate pair. */
function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  const code = value.charCodeAt(max - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
