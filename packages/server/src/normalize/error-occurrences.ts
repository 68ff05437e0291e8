import type { AttributeValue, Attributes, ErrorOccurrenceRecord, ErrorParts, LlmFields, LogRecordData, SpanEventRecord, SpanRecord } from '@spoor/model';
import { appFrame } from './app-frame.js';
import { TOOL_NAME_KEYS } from './category.js';
import { fingerprintOf } from './error-fingerprint.js';
import { clipMessage, normalizeMessage } from './error-message.js';
import { first, text } from './llm.js';

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
    const message = clipMessage(exceptionMessage ?? bodyText(log.body));
    const parts: ErrorParts = {
      exceptionType: type ?? '',
      messageKey: normalizeMessage(message),
      frame: appFrame(text(attributes['exception.stacktrace']) ?? ''),
      provider: null,
      httpStatus: null,
      errorType: null,
      finishReason: null,
      toolName: null,
    };
    found.push({
      projectId: log.projectId,
      fingerprint: fingerprintOf(parts),
      timeUs: log.timeUs,
      traceId: log.traceId,
      spanId: log.spanId,
      parentSpanId: null,
      serviceName: log.serviceName,
      spanName: log.eventName,
      message,
      source: 'log',
      ...parts,
    });
  }
  return found;
}

/** The reason an LLM call's output was cut short (its token limit, a content filter), or `null`: such a call is an error occurrence. */
export function cutShortBy(llm: LlmFields | null): FinishReason | null {
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
  const message = clipMessage(text(thrown['exception.message']) ?? (span.status.message || (finishReason === null ? '' : FINISH_MESSAGES[finishReason])));
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
    projectId: span.projectId,
    fingerprint: fingerprintOf(parts),
    timeUs: exception === null ? span.endTimeUs : exception.timeUs,
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    serviceName: span.serviceName,
    spanName: span.name,
    message,
    source: 'span',
    ...parts,
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
  return (
    first(attributes, HTTP_STATUS_KEYS, statusCode) ??
    first(thrown, HTTP_STATUS_KEYS, statusCode) ??
    statusCode(errorType ?? undefined) ??
    statusCode(STATUS_IN_MESSAGE.exec(message)?.[1])
  );
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
