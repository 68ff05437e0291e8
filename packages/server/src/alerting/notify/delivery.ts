import { parseDurationUs } from '../../duration.js';
import type { DeliveryResult, Notification } from '../notification.js';
import { RefusedAddressError, type ResolveHost, checkedDispatcher } from './receiver-addresses.js';

/** The part of a pino logger the notifiers use; the server passes Fastify's logger. */
export interface NotifyLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What every notifier is built with. Only `onResult` and `logger` are required. */
export interface NotifierDeps {
  /** Called once per notification, after its last attempt (or when it is dropped). */
  onResult: (result: DeliveryResult) => void;
  logger: NotifyLogger;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Waits between attempts; must resolve early when `signal` aborts. Default: a timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** In [0, 1), for the backoff jitter. Default `Math.random`. */
  random?: () => number;
  /** Notifications waiting per notifier; past it the oldest is dropped. Default 1,000. */
  maxQueueSize?: number;
  /**
   * Set for a receiver made through the API: each connection resolves the host once and connects
   * only to an address `refusedAddress` allows (`receiver-addresses.ts`); `resolve` for tests.
   */
  checkAddresses?: { resolve?: ResolveHost };
}

export const DELIVERY_DEFAULTS = {
  timeoutMs: 10_000,
  maxAttempts: 5,
  maxQueueSize: 1000,
  maxInFlight: 4,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
} as const;

/** Longest part of a receiver's error body kept in `DeliveryResult.error`, in characters. */
const MAX_ERROR_TEXT = 200;
const MAX_ERROR_BODY_BYTES = 1024;

/**
 * The wait before attempt `attempt + 1`: "full jitter" (AWS Architecture Blog, "Exponential Backoff
 * And Jitter"), a uniform draw below `base * 2^(attempt-1)`, capped, which spreads the retries of
 * many notifiers that failed together.
 */
export function backoffDelayMs(
  attempt: number,
  random: () => number,
  baseMs: number = DELIVERY_DEFAULTS.baseDelayMs,
  capMs: number = DELIVERY_DEFAULTS.maxDelayMs,
): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** (attempt - 1)));
}

/** `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms; `null` when absent or unreadable. */
export function parseRetryAfterMs(value: string | null, nowMs: number = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP-dates begin with the day's name; without that check Date.parse reads `-5` as a year.
  const at = /^[A-Za-z]{3}/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** A receiver URL as it may be logged: webhook URLs (Slack's above all) carry their secret in the path. */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}/…`;
}

/** A per-attempt timeout written `10s`, `500ms`, ... in milliseconds; throws saying which field is wrong. */
export function timeoutMsFrom(text: string | undefined, field: string): number {
  if (text === undefined) return DELIVERY_DEFAULTS.timeoutMs;
  const us = typeof text === 'string' ? parseDurationUs(text) : null;
  if (us === null || us < 1000) throw new Error(`${field} must be a duration of at least 1ms, such as 10s or 500ms`);
  return us / 1000;
}

export function maxAttemptsFrom(value: number | undefined, field: string): number {
  if (value === undefined) return DELIVERY_DEFAULTS.maxAttempts;
  if (!Number.isInteger(value) || value < 1 || value > 20) throw new Error(`${field} must be an integer from 1 to 20`);
  return value;
}

/** One HTTP receiver: where to POST, and how to turn a notification into a request. */
export interface HttpTarget {
  /** The receiver's name, as `DeliveryResult.receiver` and log lines carry it. */
  receiver: string;
  /** http(s); userinfo becomes a Basic `authorization` header (fetch refuses URLs with credentials). */
  url: string;
  timeoutMs: number;
  maxAttempts: number;
  /** The body, built once per notification. */
  encode(notification: Notification): string;
  /** The headers, built per attempt so a signature's timestamp is fresh on each retry. */
  headers(body: string): Record<string, string>;
  /** Strings (a signing secret, header values) to keep out of logs and errors besides the URL's path, query and userinfo. */
  secrets: readonly string[];
}

type AttemptOutcome = { ok: true } | { ok: false; retry: boolean; retryAfterMs: number | null; error: string };

/**
 * The delivery machinery of the HTTP notifiers. `send` enqueues; up to four deliveries run at once,
 * one per group at a time so that a group's notifications arrive in order; each is retried with
 * backoff and ends in exactly one `onResult`.
 */
export class HttpDelivery {
  private readonly url: string;
  private readonly logUrl: string;
  private readonly basicAuth: Record<string, string>;
  private readonly redact: (text: string) => string;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly maxQueueSize: number;
  private readonly queue: Notification[] = [];
  /** Groups with a delivery in flight: their later notifications wait. */
  private readonly busyGroups = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly abort = new AbortController();
  /** The checked connections of an API receiver (`NotifierDeps.checkAddresses`); `null`: the default pool. */
  private readonly dispatcher: ReturnType<typeof checkedDispatcher> | null;
  private closing = false;

  constructor(
    private readonly target: HttpTarget,
    private readonly deps: NotifierDeps,
  ) {
    const url = parseHttpUrl(target.url);
    if (url === null) throw new Error(`receiver '${target.receiver}': url must be an http(s) URL`);
    this.logUrl = redactUrl(url);
    const credentials = url.username === '' && url.password === '' ? null : Buffer.from(`${decoded(url.username)}:${decoded(url.password)}`).toString('base64');
    this.basicAuth = credentials === null ? {} : { authorization: `Basic ${credentials}` };
    this.redact = redactor(url, credentials === null ? target.secrets : [...target.secrets, credentials]);
    url.username = '';
    url.password = '';
    this.url = url.href;
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.sleep = deps.sleep ?? sleepUnlessAborted;
    this.random = deps.random ?? Math.random;
    this.maxQueueSize = deps.maxQueueSize ?? DELIVERY_DEFAULTS.maxQueueSize;
    this.dispatcher = deps.checkAddresses === undefined ? null : checkedDispatcher(deps.checkAddresses.resolve);
  }

  send(notification: Notification): void {
    if (this.closing) {
      this.report(notification, false, 0, 'dropped: notifier closed');
      return;
    }
    this.queue.push(notification);
    this.pump();
    if (this.queue.length > this.maxQueueSize) {
      const dropped = this.queue.shift()!;
      this.deps.logger.warn(
        { receiver: this.target.receiver, groupKey: dropped.groupKey, maxQueueSize: this.maxQueueSize },
        'notification queue full; dropped the oldest',
      );
      this.report(dropped, false, 0, 'dropped: queue full');
    }
  }

  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    });
    const idle = new Promise<boolean>((resolve) => this.whenIdle(() => resolve(false)));
    const late = await Promise.race([idle, timedOut]);
    clearTimeout(timer);
    if (late) {
      this.abort.abort();
      for (const notification of this.queue.splice(0)) this.report(notification, false, 0, 'dropped: notifier closed');
      // Aborted fetches and sleeps settle at once; waiting for them means every result is reported when `close` resolves.
      await Promise.allSettled([...this.inFlight]);
    }
    await this.dispatcher?.destroy();
  }

  /** Starts the oldest waiting notification of each idle group while fewer than the limit are in flight. */
  private pump(): void {
    for (let i = 0; i < this.queue.length && this.inFlight.size < DELIVERY_DEFAULTS.maxInFlight && !this.abort.signal.aborted; ) {
      const notification = this.queue[i]!;
      if (this.busyGroups.has(notification.groupKey)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.start(notification);
    }
  }

  private start(notification: Notification): void {
    this.busyGroups.add(notification.groupKey);
    const task: Promise<void> = this.deliver(notification).finally(() => {
      this.busyGroups.delete(notification.groupKey);
      this.inFlight.delete(task);
      this.pump();
      if (this.queue.length === 0 && this.inFlight.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
    this.inFlight.add(task);
  }

  private whenIdle(wake: () => void): void {
    if (this.queue.length === 0 && this.inFlight.size === 0) wake();
    else this.idleWaiters.push(wake);
  }

  /** Never rejects: whatever happens ends in one `report`. */
  private async deliver(notification: Notification): Promise<void> {
    const { receiver, maxAttempts } = this.target;
    let attempt = 0;
    let error = '';
    try {
      const body = this.target.encode(notification);
      while (attempt < maxAttempts) {
        attempt++;
        const outcome = await this.attempt(body);
        if (outcome.ok) return this.report(notification, true, attempt, null);
        error = outcome.error;
        if (!outcome.retry || attempt === maxAttempts) break;
        const delayMs = outcome.retryAfterMs === null ? backoffDelayMs(attempt, this.random) : Math.min(outcome.retryAfterMs, DELIVERY_DEFAULTS.maxDelayMs);
        this.deps.logger.info(
          { receiver, url: this.logUrl, groupKey: notification.groupKey, attempt, delayMs, error },
          'notification delivery failed; retrying',
        );
        await this.sleep(delayMs, this.abort.signal);
        if (this.abort.signal.aborted) {
          error = `${error} (not retried: notifier closed)`;
          break;
        }
      }
    } catch (cause) {
      error = this.redact(`could not deliver: ${describe(cause)}`);
    }
    this.deps.logger.warn({ receiver, url: this.logUrl, groupKey: notification.groupKey, attempts: attempt, error }, 'notification delivery failed');
    this.report(notification, false, attempt, error);
  }

  private async attempt(body: string): Promise<AttemptOutcome> {
    const timeout = AbortSignal.timeout(this.target.timeoutMs);
    const { signal, dispose } = eitherSignal(timeout, this.abort.signal);
    try {
      const headers = { ...this.basicAuth, ...this.target.headers(body) };
      const init = { method: 'POST', headers, body, signal, ...(this.dispatcher === null ? {} : { dispatcher: this.dispatcher }) };
      const response = await this.fetch(this.url, init as RequestInit);
      // The body only explains a failure; one that cannot be read does not turn a 2xx into a failure.
      const text = await readStart(response, MAX_ERROR_BODY_BYTES).catch(() => '');
      if (response.ok) return { ok: true };
      const status = response.status;
      const retry = status === 408 || status === 429 || status >= 500;
      const detail = text.replace(/\s+/g, ' ').trim().slice(0, MAX_ERROR_TEXT);
      return {
        ok: false,
        retry,
        retryAfterMs: retry ? parseRetryAfterMs(response.headers.get('retry-after')) : null,
        error: this.redact(detail === '' ? `HTTP ${status}` : `HTTP ${status}: ${detail}`),
      };
    } catch (cause) {
      if (this.abort.signal.aborted) return { ok: false, retry: false, retryAfterMs: null, error: 'aborted: notifier closed' };
      if (timeout.aborted) return { ok: false, retry: true, retryAfterMs: null, error: `timeout after ${this.target.timeoutMs}ms` };
      // Asked again, the name would give the same address (until its owner changes it): not retried.
      if (cause instanceof Error && cause.cause instanceof RefusedAddressError)
        return { ok: false, retry: false, retryAfterMs: null, error: this.redact(cause.cause.message) };
      return { ok: false, retry: true, retryAfterMs: null, error: this.redact(describe(cause)) };
    } finally {
      dispose();
    }
  }

  private report(notification: Notification, ok: boolean, attempts: number, error: string | null): void {
    try {
      this.deps.onResult({ receiver: this.target.receiver, groupKey: notification.groupKey, ok, attempts, error });
    } catch (cause) {
      this.deps.logger.error({ receiver: this.target.receiver, err: describe(cause) }, 'notification result handler failed');
    }
  }
}

/** The URL when it is an absolute http(s) URL, else `null`. */
export function parseHttpUrl(text: unknown): URL | null {
  if (typeof text !== 'string' || !URL.canParse(text)) return null;
  const url = new URL(text);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
}

/**
 * Replaces the URL's secret parts and the given secrets with `…`: receivers echo request paths in
 * error pages (Express: `Cannot POST /services/T0/B0/XXXX`), and network errors may name the URL.
 * Parts shorter than 4 characters are left: they cannot hide much and would mangle the text.
 */
function redactor(url: URL, secrets: readonly string[]): (text: string) => string {
  const parts = [url.href, url.pathname + url.search, url.pathname, url.search.slice(1), url.username, url.password, ...secrets];
  const hidden = [...new Set([...parts, ...parts.map(decoded)])].filter((part) => part.length >= 4).sort((a, b) => b.length - a.length);
  return (text) => hidden.reduce((out, part) => out.replaceAll(part, '…'), text);
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // not valid percent-encoding: the text stands for itself
  }
}

/** An error's message with its `cause` (fetch reports `fetch failed`, the cause says why). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** The first `maxBytes` of a response body as text; the rest is not read. */
async function readStart(response: Response, maxBytes: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < maxBytes) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks).toString('utf8');
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel();
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

/**
 * A signal that aborts with either input. Not `AbortSignal.any`: a long-lived input (the close
 * signal) keeps every composite made from it on Node 20 and 22 (nodejs/node#54614, #55351).
 */
function eitherSignal(a: AbortSignal, b: AbortSignal): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  for (const input of [a, b]) {
    if (input.aborted) controller.abort();
    else input.addEventListener('abort', abort, { once: true });
  }
  return {
    signal: controller.signal,
    dispose: () => {
      a.removeEventListener('abort', abort);
      b.removeEventListener('abort', abort);
    },
  };
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    // `close` keeps the process alive while it waits; a retry alone need not.
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}
