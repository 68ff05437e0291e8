/**
 * When to try a destination again. OTLP/HTTP says a client retries 429, 502, 503 and 504 and
 * waits what `Retry-After` says; Spoor retries every 5xx and every request that got no answer
 * (refused, reset, timed out) too, and takes any other 4xx as a refusal of the data.
 */

/** Status classes of an answer, as forwarding acts on them. */
export type AnswerKind = 'sent' | 'retry' | 'refused';

export function answerKind(status: number): AnswerKind {
  if (status >= 200 && status < 300) return 'sent';
  if (status === 429 || status >= 500) return 'retry';
  return 'refused';
}

/** The longest wait a `Retry-After` is taken for: one that asks for more is taken as this. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * Milliseconds a `Retry-After` asks for (seconds, or an HTTP date), or `null` for none or one
 * that does not parse. Capped at `MAX_RETRY_AFTER_MS`; never below 0.
 */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(MAX_RETRY_AFTER_MS, Math.round(Number(text) * 1000));
  // An HTTP date names its day and month (`Wed, 21 Oct 2026 07:28:00 GMT`); `Date.parse` also reads `-1` as a year.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(date)) return null;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, date - nowMs));
}

/** First wait after a failure without `Retry-After`, and the longest: the OpenTelemetry exporters' 5 s ceiling. */
export const BACKOFF_FIRST_MS = 250;
export const BACKOFF_MAX_MS = 5_000;

/**
 * The wait before try `attempt + 2` (attempt 0 failed first): doubling from 250 ms up to 5 s,
 * each drawn between half and all of that (`random` in [0, 1)), so destinations that went down
 * together are not all tried again at the same instant.
 */
export function backoffMs(attempt: number, random: number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling * (0.5 + random / 2));
}
