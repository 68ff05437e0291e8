import { FINGERPRINT_VERSION } from '@spoor/model';
import type { AttributeValue, Attributes, ErrorOccurrenceRecord, ErrorParts, LlmFields, LogRecordData, SpanEventRecord, SpanRecord } from '@spoor/model';
import { appFrame } from './app-frame.js';
import { TOOL_NAME_KEYS } from './category.js';
import { first, text } from './llm.js';

/** The raw message an occurrence keeps, and the longest grouping key. */
const MAX_MESSAGE_CHARS = 2000;
const MAX_KEY_CHARS = 300;

type FinishReason = 'length' | 'content_filter';

/** Raw finish reasons of every dialect that mean the output was cut short, by canonical reason. */
const CUT_SHORT = new Map<string, FinishReason>();
for (const [reason, raws] of [
  ['length', ['length', 'max_tokens', 'model_length']],
  // Gemini stops for SAFETY, RECITATION, ...; Anthropic's classifiers stop with `refusal`.
  ['content_filter', ['content_filter', 'content-filter', 'safety', 'recitation', 'prohibited_content', 'blocklist', 'spii', 'refusal']],
] as const) {
  for (const raw of raws) CUT_SHORT.set(raw, reason).set(raw.toUpperCase(), reason);
}

const FINISH_MESSAGES: Readonly<Record<FinishReason, string>> = {
  length: 'The model stopped at its output token limit (finish_reason length)',
  content_filter: "The provider's content filter stopped the output (finish_reason content_filter)",
};

const HTTP_STATUS_KEYS = ['http.response.status_code', 'http.status_code', 'error.status_code'];
/** The OpenAI and Anthropic SDKs start their API error messages with the status: `Error code: 429 - {…}` (Python), `429 Rate limit…` (JS). */
const STATUS_IN_MESSAGE = /^(?:Error code: )?([1-5]\d\d)\b/;

/**
 * The error occurrences of a batch of normalized spans (`llm` and `category` filled): one for
 * each span whose status is `error`, and one for each LLM call cut short by its token limit or a
 * content filter. A failed span that only passed on a child's failure is left out when the child
 * is in the same batch, so one exception thrown through three spans counts once: passing on is
 * failing with the child's type and message, or with no exception of its own (no `exception`
 * event, no `error.type`: a status, at most with a message like "step write failed"). Pure; a
 * span without an error costs two comparisons.
 */
export function errorsFromSpans(spans: readonly SpanRecord[]): ErrorOccurrenceRecord[] {
  const found: ErrorOccurrenceRecord[] = [];
  let bare: Set<ErrorOccurrenceRecord> | null = null;
  for (const span of spans) {
    const finish = cutShortBy(span.llm);
    if (span.status.code !== 'error' && finish === null) continue;
    const exception = lastException(span.events);
    const occurrence = spanOccurrence(span, finish, exception);
    found.push(occurrence);
    if (finish === null && exception === null && span.attributes['error.type'] === undefined) (bare ??= new Set()).add(occurrence);
  }
  return found.length > 1 ? withoutPassedOn(found, bare) : found;
}

/**
 * The error occurrences of a batch of log records: records at ERROR severity or above (17+)
 * that carry the OpenTelemetry exception attributes (`exception.type` / `exception.message`;
 * without a type, the exception type is empty).
 */
export function errorsFromLogs(logs: readonly LogRecordData[]): ErrorOccurrenceRecord[] {
  const found: ErrorOccurrenceRecord[] = [];
  for (const log of logs) {
    if (log.severityNumber < 17) continue;
    const attributes = log.attributes;
    const type = text(attributes['exception.type']);
    const exceptionMessage = text(attributes['exception.message']);
    if (type === null && exceptionMessage === null) continue;
    const message = clip(exceptionMessage ?? bodyText(log.body), MAX_MESSAGE_CHARS);
    const parts: ErrorParts = {
      exceptionType: type ?? '',
      messageKey: normalizeMessage(message),
      frame: appFrame(text(attributes['exception.stacktrace']) ?? ''),
      provider: null, httpStatus: null, errorType: null, finishReason: null, toolName: null,
    };
    found.push({
      projectId: log.projectId, fingerprint: fingerprintOf(parts), timeUs: log.timeUs, traceId: log.traceId, spanId: log.spanId,
      parentSpanId: null, serviceName: log.serviceName, spanName: log.eventName, message, source: 'log', ...parts,
    });
  }
  return found;
}

function cutShortBy(llm: LlmFields | null): FinishReason | null {
  const reasons = llm === null ? null : llm.finishReasons;
  if (reasons === null) return null;
  for (const reason of reasons) {
    const canonical = CUT_SHORT.get(reason);
    if (canonical !== undefined) return canonical;
  }
  return null;
}

function spanOccurrence(span: SpanRecord, finishReason: FinishReason | null, exception: SpanEventRecord | null): ErrorOccurrenceRecord {
  const attributes = span.attributes;
  const thrown = exception === null ? {} : exception.attributes;
  const errorType = text(attributes['error.type']);
  const failed = span.status.code === 'error';
  const message = clip(
    text(thrown['exception.message']) ?? (span.status.message || (finishReason === null ? '' : FINISH_MESSAGES[finishReason])),
    MAX_MESSAGE_CHARS,
  );
  const llm = span.llm;
  const parts: ErrorParts = {
    // Nothing thrown and no error.type: no type is made up (a status groups by its message), but
    // an LLM call that only stopped early is told by its finish reason.
    exceptionType: text(thrown['exception.type']) ?? errorType ?? (failed ? '' : 'FinishReason'),
    messageKey: normalizeMessage(message),
    frame: appFrame(text(thrown['exception.stacktrace']) ?? ''),
    provider: llm === null ? null : llm.provider,
    httpStatus: llm === null ? null : httpStatusOf(attributes, thrown, errorType, message),
    errorType: llm === null ? null : errorType,
    finishReason,
    toolName: span.category === 'tool' ? (first(attributes, TOOL_NAME_KEYS, text) ?? span.name) : null,
  };
  return {
    projectId: span.projectId, fingerprint: fingerprintOf(parts), timeUs: exception === null ? span.endTimeUs : exception.timeUs,
    traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId, serviceName: span.serviceName, spanName: span.name,
    message, source: 'span', ...parts,
  };
}

/** OpenTelemetry records each exception as an `exception` event; the last one is the one that ended the span. */
function lastException(events: readonly SpanEventRecord[]): SpanEventRecord | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (event !== undefined && event.name === 'exception') return event;
  }
  return null;
}

/** The span's status attribute, else the exception's, else a numeric `error.type` (the HTTP convention), else the SDK's message prefix. */
function httpStatusOf(attributes: Attributes, thrown: Attributes, errorType: string | null, message: string): number | null {
  return first(attributes, HTTP_STATUS_KEYS, statusCode) ?? first(thrown, HTTP_STATUS_KEYS, statusCode)
    ?? statusCode(errorType ?? undefined) ?? statusCode(STATUS_IN_MESSAGE.exec(message)?.[1]);
}

function statusCode(value: AttributeValue | undefined): number | null {
  const code = typeof value === 'number' ? value : typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(code) && code >= 100 && code <= 599 ? code : null;
}

/** `found` without the occurrences that passed on a child's; `bare` are those with no exception of their own. */
function withoutPassedOn(found: ErrorOccurrenceRecord[], bare: ReadonlySet<ErrorOccurrenceRecord> | null): ErrorOccurrenceRecord[] {
  const bySpan = new Map<string, ErrorOccurrenceRecord>();
  for (const occurrence of found) bySpan.set(`${occurrence.traceId}/${occurrence.spanId}`, occurrence);
  const passedOn = new Set<ErrorOccurrenceRecord>();
  for (const child of found) {
    if (child.parentSpanId === null) continue;
    const parent = bySpan.get(`${child.traceId}/${child.parentSpanId}`);
    if (parent === undefined) continue;
    const same = parent.exceptionType === child.exceptionType && parent.messageKey === child.messageKey;
    if (same || bare?.has(parent) === true) passedOn.add(parent);
  }
  return passedOn.size === 0 ? found : found.filter((occurrence) => !passedOn.has(occurrence));
}

function bodyText(body: AttributeValue): string {
  if (typeof body === 'string') return body;
  return body === null ? '' : JSON.stringify(body);
}

/** Cuts `value` to `max` UTF-16 units without splitting a surrogate pair. */
function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  const code = value.charCodeAt(max - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

// Message normalization. Quoted values go first (they may hold anything), then the shapes that
// contain separators the token pass would split (URLs, UUIDs, emails, timestamps), then one pass
// over word-like tokens for hex, numbers and ids.
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

const UTF8 = new TextEncoder();

/**
 * The fingerprint of an error group: 16 lowercase hex digits of a 64-bit FNV-1a hash over the
 * algorithm's version and every part. (normalize/ is pure and does not import `node:crypto`;
 * FNV-1a changes its output for any one-byte change, and 64 bits keep collisions out of reach of
 * one project's groups.) `version` is there so a test can show that it counts.
 */
export function fingerprintOf(parts: ErrorParts, version: number = FINGERPRINT_VERSION): string {
  const { exceptionType, messageKey, frame, provider, httpStatus, errorType, finishReason, toolName } = parts;
  const input = JSON.stringify([version, exceptionType, messageKey, frame, provider, httpStatus, errorType, finishReason, toolName]);
  // 64-bit arithmetic in two 32-bit halves: the FNV prime is 2^40 + 0x1b3.
  let high = 0xcbf29ce4;
  let low = 0x84222325;
  for (const byte of UTF8.encode(input)) {
    low = (low ^ byte) >>> 0;
    const lowProduct = low * 0x1b3;
    high = (high * 0x1b3 + Math.floor(lowProduct / 0x100000000) + ((low << 8) >>> 0)) >>> 0;
    low = lowProduct >>> 0;
  }
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}
