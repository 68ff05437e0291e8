import type { OutboundBody } from '../ingest/outbound.js';
import { type SpoolEntry, type SpoolPosition, comparePositions } from '../pipeline/spool.js';
import type { ForwardDestination, ForwardSignal } from './destinations.js';
import type { ForwardPositions } from './positions.js';
import { Poster } from './post.js';
import { answerKind, backoffMs, retryAfterMs } from './retry.js';
import type { SpoolTail } from './spool-tail.js';

/** What a destination reports, for `/metrics` and the log. */
export interface DestinationEvents {
  /** Where it is, the receive time of the oldest entry it has not sent (`null`: none), and the bytes after it. */
  progress(name: string, position: SpoolPosition, oldestUnsentUs: number | null, unsentBytes: number): void;
  /**
   * Records sent (2xx: one request), failed (refused by a 4xx, or not sendable) or dropped (past
   * the cap). One message a request: the thread posts the fewer, the less it costs.
   */
  records(name: string, signal: ForwardSignal, outcome: 'sent' | 'failed' | 'dropped', count: number): void;
  /** Requests to be tried again (`retry`: 429, 5xx, no answer), or refused (another 4xx); sent ones are told by `records`. */
  requests(name: string, outcome: 'retry' | 'refused'): void;
  log(level: 'info' | 'warn' | 'error', message: string, data: Record<string, unknown>): void;
}

export interface DestinationOptions {
  destination: ForwardDestination;
  spool: SpoolTail;
  positions: ForwardPositions;
  /** Where it resumes: its durable position. */
  start: SpoolPosition;
  /** Whether an entry is for this destination at all (its signals, its project filters); the others are skipped. */
  wants: (entry: SpoolEntry) => boolean;
  /** What of an entry to send (masked, filtered), or `null` for nothing; throws when it cannot be sent. */
  prepare: (entry: SpoolEntry) => OutboundBody | null;
  /** Records of an entry, for those dropped or failed; 0 when it cannot tell. */
  recordsOf: (entry: SpoolEntry) => number;
  /** Unsent bytes past which the oldest are dropped. */
  capBytes: number;
  events: DestinationEvents;
  /** Bytes of entries in one request. Default 4 MiB (below the 4 MiB a Collector's gRPC receiver takes). */
  maxRequestBytes?: number;
  /** A request unanswered this long is tried again. Default 30 s. */
  timeoutMs?: number;
  random?: () => number;
}

/** Entries of one signal, as one request: OTLP bodies of one type concatenated are one body holding all their resources. */
interface Batch {
  signal: ForwardSignal;
  bodies: Uint8Array[];
  bytes: number;
  records: number;
  entries: number;
  /** Where the destination is once the batch is sent (skipped entries after it included). */
  end: SpoolPosition;
  firstReceivedUs: number;
}

/** Between two lines about the same trouble of one destination: a destination down for hours logs a line a minute. */
const LOG_EVERY_MS = 60_000;
/** The shortest wait before trying again, whatever `Retry-After` says: never a busy loop. */
const MIN_RETRY_MS = 50;

/**
 * One destination: reads the spool from its position, sends what it finds a request at a time
 * (one in flight, so the destination gets the entries in order), and moves its durable position
 * on once a request is answered 2xx, or refused for good (another 4xx). 429, 5xx and no answer
 * at all are tried again after `Retry-After`, or a backoff; meanwhile, past `capBytes` unsent,
 * the oldest entries are dropped and counted.
 */
export class Destination {
  readonly name: string;
  private position: SpoolPosition;
  private pending: Batch | null = null;
  private retryAtMs = 0;
  private attempt = 0;
  /** Entries per request after a 413: halved until one fits, back to no limit after a success. */
  private entryLimit = Number.POSITIVE_INFINITY;
  private closed = false;
  private wakeUp: (() => void) | null = null;
  private readonly abort = new AbortController();
  private readonly loggedAt = new Map<string, number>();
  private readonly maxRequestBytes: number;
  private readonly timeoutMs: number;
  private running: Promise<void> | null = null;
  private reported: { position: SpoolPosition; oldest: number | null; atMs: number } | null = null;
  private readonly poster: Poster;
  private readonly targets: Record<ForwardSignal, URL>;
  private prepareAgain = false;

  constructor(private readonly options: DestinationOptions) {
    this.name = options.destination.name;
    this.position = options.start;
    this.maxRequestBytes = options.maxRequestBytes ?? 4 * 1024 * 1024;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const { destination } = options;
    this.poster = new Poster(destination.baseUrl, destination.headers);
    this.targets = { traces: new URL(destination.urls.traces), logs: new URL(destination.urls.logs), metrics: new URL(destination.urls.metrics) };
  }

  get at(): SpoolPosition {
    return this.position;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** A masking policy changed: the batch waiting to be tried again is prepared anew, masked by it too. */
  maskingChanged(): void {
    this.prepareAgain = true;
    this.wake();
  }

  /** The spool's acknowledged end moved on: something may be there to send, or to drop. */
  wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = null;
    wake?.();
  }

  /** Stops after the request in flight is abandoned; the position is kept for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    this.wake();
    await this.running;
    this.poster.close();
  }

  /** Tries, waits and tries again until closed; an error (the spool unreadable) is logged and tried again a second later. */
  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        await this.step();
      } catch (error) {
        this.pending = null;
        this.logSometimes('error', 'error', 'forwarding to a destination failed; it tries again in a second from its position', {
          destination: this.name,
          error: String(error),
        });
        await this.wait(1000);
      }
    }
  }

  /** One turn: drop past the cap, read what comes next, wait for it or for the time to try again, or send it. */
  private async step(): Promise<void> {
    if (this.prepareAgain) {
      this.prepareAgain = false;
      this.pending = null;
    }
    this.enforceCap();
    if (this.pending === null) {
      if (this.options.spool.atEnd(this.position)) {
        this.report();
        await this.wait(null);
        return;
      }
      const from = this.position;
      this.pending = this.readBatch();
      if (this.pending === null) {
        // Nothing readable yet where the sizes said there was: look again shortly rather than spin.
        if (comparePositions(this.position, from) === 0) await this.wait(100);
        return;
      }
    }
    this.report();
    const waitMs = this.retryAtMs - Date.now();
    if (waitMs > 0) {
      await this.wait(waitMs);
      return;
    }
    await this.send(this.pending);
  }

  /** Says where it is when that changed, and at least once a second while it waits (the unsent bytes grow). */
  private report(): void {
    const oldest = this.pending?.firstReceivedUs ?? null;
    const now = Date.now();
    const last = this.reported;
    if (last !== null && last.position === this.position && last.oldest === oldest && now - last.atMs < 1000) return;
    this.reported = { position: this.position, oldest, atMs: now };
    this.options.events.progress(this.name, this.position, oldest, this.options.spool.bytesAfter(this.position));
  }

  /** Resolves after `ms` (`null`: no timer), on `wake()`, or on `close()`. */
  private wait(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === null ? null : setTimeout(() => this.wake(), ms);
      this.wakeUp = () => {
        if (timer !== null) clearTimeout(timer);
        resolve();
      };
      if (this.closed) this.wake();
    });
  }

  /** The entries from the position on that make one request; skipped entries move the position on. */
  private readBatch(): Batch | null {
    const { spool, wants, prepare } = this.options;
    let batch: Batch | null = null;
    let at = this.position;
    // Bounded, so a long stretch of entries for others (another signal, another project) does not hold up the thread.
    for (let full = false, scanned = 0; !full && scanned < 4 * this.maxRequestBytes; ) {
      const { items, next } = spool.read(at, batch === null ? this.maxRequestBytes : Math.max(1, this.maxRequestBytes - batch.bytes));
      if (items.length === 0 || !('entry' in items[0]!)) {
        // A torn tail or damage (the commit loop reports it): nothing to send there.
        if (comparePositions(next, at) === 0) break;
        at = next;
        continue;
      }
      for (const item of items) {
        if (!('entry' in item)) break;
        const { entry } = item;
        scanned += entry.body.byteLength;
        if (!wants(entry)) {
          at = item.position;
          continue;
        }
        if (
          batch !== null &&
          (entry.signal !== batch.signal || batch.bytes + entry.body.byteLength > this.maxRequestBytes || batch.entries >= this.entryLimit)
        ) {
          full = true;
          break;
        }
        let prepared: OutboundBody | null;
        try {
          prepared = prepare(entry);
        } catch (error) {
          // Not sendable (a policy this server cannot use, a body that does not read): never sent unmasked.
          this.options.events.records(this.name, entry.signal, 'failed', this.options.recordsOf(entry));
          this.logSometimes('unsendable', 'warn', 'an acknowledged request cannot be forwarded; it is counted as failed', {
            destination: this.name,
            project: entry.projectId,
            signal: entry.signal,
            error: String(error),
          });
          at = item.position;
          continue;
        }
        at = item.position;
        if (prepared === null) continue;
        batch ??= { signal: entry.signal, bodies: [], bytes: 0, records: 0, entries: 0, end: at, firstReceivedUs: entry.receivedUs };
        batch.bodies.push(prepared.body);
        batch.bytes += prepared.body.byteLength;
        batch.records += prepared.records;
        batch.entries++;
        if (batch.bytes >= this.maxRequestBytes || batch.entries >= this.entryLimit) full = true;
        if (full) break;
      }
    }
    if (batch !== null) batch.end = at;
    else if (comparePositions(at, this.position) > 0) this.advance(at);
    return batch;
  }

  private async send(batch: Batch): Promise<void> {
    const { destination, events } = this.options;
    let status: number;
    let retryAfter: string | null;
    let text: string;
    try {
      ({ status, retryAfter, text } = await this.poster.post(
        this.targets[batch.signal],
        batch.bodies,
        AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.timeoutMs)]),
      ));
    } catch (error) {
      if (this.closed) return;
      this.retryLater(null, { error: errorText(error) });
      return;
    }
    const kind = answerKind(status);
    if (kind === 'sent') {
      events.records(this.name, batch.signal, 'sent', batch.records);
      this.attempt = 0;
      this.entryLimit = Number.POSITIVE_INFINITY;
      this.pending = null;
      this.advance(batch.end);
      if (this.loggedAt.has('retry')) {
        this.loggedAt.delete('retry');
        events.log('info', 'forwarding to a destination works again', { destination: this.name });
      }
    } else if (kind === 'retry') {
      this.retryLater(retryAfter, { status, answer: this.redacted(text) });
    } else if (status === 413 && batch.entries > 1) {
      // Too large for it: the same entries again, fewer to a request.
      this.entryLimit = Math.ceil(batch.entries / 2);
      this.pending = null;
    } else {
      events.records(this.name, batch.signal, 'failed', batch.records);
      events.requests(this.name, 'refused');
      this.logSometimes('refused', 'warn', 'a destination refused forwarded data (a 4xx other than 429): it is counted as failed and not sent again', {
        destination: this.name,
        url: destination.urls[batch.signal],
        status,
        answer: this.redacted(text),
        records: batch.records,
      });
      this.pending = null;
      this.advance(batch.end);
    }
  }

  private retryLater(retryAfter: string | null, why: Record<string, unknown>): void {
    const now = Date.now();
    const asked = retryAfterMs(retryAfter, now);
    const waitMs = Math.max(MIN_RETRY_MS, asked ?? backoffMs(this.attempt, (this.options.random ?? Math.random)()));
    this.attempt++;
    this.retryAtMs = now + waitMs;
    this.options.events.requests(this.name, 'retry');
    this.logSometimes('retry', 'warn', 'a destination did not take forwarded data; it is tried again (what it has not received stays in the spool)', {
      destination: this.name,
      url: this.options.destination.baseUrl,
      ...why,
      retryInMs: waitMs,
    });
  }

  /** Past `capBytes` unsent: the oldest entries are dropped (and counted) until what is left fits. */
  private enforceCap(): void {
    const { spool, capBytes, wants, recordsOf, events } = this.options;
    if (spool.bytesAfter(this.position) <= capBytes) return;
    const dropped = new Map<ForwardSignal, number>();
    let at = this.position;
    while (spool.bytesAfter(at) > capBytes) {
      const { items, next } = spool.read(at, Math.min(4 * 1024 * 1024, spool.bytesAfter(at) - capBytes));
      if (items.length === 0 || !('entry' in items[0]!)) {
        if (comparePositions(next, at) === 0) break;
        at = next;
        continue;
      }
      for (const item of items) {
        if (!('entry' in item)) break;
        const { entry } = item;
        if (wants(entry)) dropped.set(entry.signal, (dropped.get(entry.signal) ?? 0) + recordsOf(entry));
        at = item.position;
        if (spool.bytesAfter(at) <= capBytes) break;
      }
    }
    this.pending = null;
    this.advance(at);
    let records = 0;
    for (const [signal, count] of dropped) {
      events.records(this.name, signal, 'dropped', count);
      records += count;
    }
    this.logSometimes('dropped', 'warn', 'a destination fell behind by more than --forward-spool-max: its oldest unsent records were dropped', {
      destination: this.name,
      records,
      capBytes,
    });
  }

  private advance(position: SpoolPosition): void {
    this.position = position;
    this.options.positions.write(this.name, position).catch((error: unknown) => {
      this.logSometimes(
        'position',
        'error',
        "a destination's position could not be written; after a restart it resumes from an older one (sending some again)",
        { destination: this.name, error: String(error) },
      );
    });
  }

  private logSometimes(what: string, level: 'info' | 'warn' | 'error', message: string, data: Record<string, unknown>): void {
    const now = Date.now();
    if (now - (this.loggedAt.get(what) ?? 0) < LOG_EVERY_MS) return;
    this.loggedAt.set(what, now);
    this.options.events.log(level, message, data);
  }

  /** A destination's answer for the log, cut short, with no header value in it (an echoed key). */
  private redacted(text: string): string {
    let short = text.slice(0, 300);
    for (const [, value] of this.options.destination.headers) if (value.length >= 4) short = short.split(value).join('[header]');
    return short;
  }
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
