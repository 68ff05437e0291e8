import type { SpanRecord } from '@spoor/model';

/** How many spans per project the receiver remembers (some 13.5 MB, ids included). */
export const RECENT_SPANS_PER_PROJECT = 100_000;

type SpanIds = Pick<SpanRecord, 'traceId' | 'spanId'>;

/**
 * The last `capacity` spans claimed, so that a request sent again (an exporter that timed out
 * waiting for an answer that did come, and retried) is not stored twice. A request claims its
 * spans under its ticket as it is decoded, before it is spooled, so a copy that arrives meanwhile
 * finds them too; a request refused after that releases them, so that its retry is taken. Keyed by
 * the span id strings the decoder already made, holding their trace ids: no string is built per
 * span, and ids compare whole (emitters that count ids up differ only in a few digits). It is
 * filled at start-up with the spans stored last.
 */
export class RecentSpans {
  /** Span id -> the slot of its newest claim. */
  private readonly slotOf = new Map<string, number>();
  private readonly spanIds: string[];
  private readonly traceIds: string[];
  /** Each slot's claiming ticket; 0 for spans remembered from the store. */
  private readonly tickets: Float64Array;
  private next = 0;

  constructor(private readonly capacity: number) {
    this.spanIds = new Array<string>(capacity);
    this.traceIds = new Array<string>(capacity);
    this.tickets = new Float64Array(capacity);
  }

  /** The ticket that claimed the span (0: one remembered from the store), or -1 when it was not seen. */
  claimOf(span: SpanIds): number {
    const slot = this.slotOf.get(span.spanId);
    return slot !== undefined && this.traceIds[slot] === span.traceId ? this.tickets[slot]! : -1;
  }

  has(span: SpanIds): boolean {
    return this.claimOf(span) !== -1;
  }

  /** Claims spans for `ticket`'s request (0: spans already stored), forgetting the oldest beyond capacity. */
  add(spans: readonly SpanIds[], ticket = 0): void {
    for (const span of spans) this.addOne(span.traceId, span.spanId, ticket);
  }

  /** `add` of ids kept as columns, `traceIds[i]` with `spanIds[i]`. */
  addIds(traceIds: readonly string[], spanIds: readonly string[], count: number, ticket = 0): void {
    for (let i = 0; i < count; i++) this.addOne(traceIds[i]!, spanIds[i]!, ticket);
  }

  private addOne(traceId: string, spanId: string, ticket: number): void {
    const slot = this.next;
    const oldest = this.spanIds[slot];
    // Forgotten only where this slot holds its newest claim (one released and claimed again has two).
    if (oldest !== undefined && this.slotOf.get(oldest) === slot) this.slotOf.delete(oldest);
    this.slotOf.set(spanId, slot);
    this.spanIds[slot] = spanId;
    this.traceIds[slot] = traceId;
    this.tickets[slot] = ticket;
    this.next = (slot + 1) % this.capacity;
  }

  /** Forgets the spans `ticket` claimed: its request was refused, and a retry of it is to be stored. */
  release(spans: readonly SpanIds[], ticket: number): void {
    for (const span of spans) this.releaseOne(span.traceId, span.spanId, ticket);
  }

  /** `release` of ids kept as columns. */
  releaseIds(traceIds: readonly string[], spanIds: readonly string[], count: number, ticket: number): void {
    for (let i = 0; i < count; i++) this.releaseOne(traceIds[i]!, spanIds[i]!, ticket);
  }

  private releaseOne(traceId: string, spanId: string, ticket: number): void {
    const slot = this.slotOf.get(spanId);
    if (slot !== undefined && this.tickets[slot] === ticket && this.traceIds[slot] === traceId) this.slotOf.delete(spanId);
  }
}
