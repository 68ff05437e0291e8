import type { SpanRecord } from '@spoor/model';

/** How many acknowledged spans per project the receiver remembers (some 12 MB of ids). */
export const RECENT_SPANS_PER_PROJECT = 100_000;

/**
 * The last `capacity` acknowledged spans, so that a request sent again (an exporter that timed
 * out waiting for an answer that did come, and retried) is not stored twice. Keyed by the span
 * id strings the decoder already made, holding their trace ids: no string is built per span, and
 * ids compare whole (emitters that count ids up differ only in a few digits). It starts empty
 * on each start of the server, so a retry across a restart is stored again.
 */
export class RecentSpans {
  /** Span id -> trace id of the span last added with that id. */
  private readonly traceOf = new Map<string, string>();
  private readonly order: string[];
  private next = 0;

  constructor(private readonly capacity: number) {
    this.order = new Array<string>(capacity);
  }

  has(span: Pick<SpanRecord, 'traceId' | 'spanId'>): boolean {
    return this.traceOf.get(span.spanId) === span.traceId;
  }

  add(spans: ReadonlyArray<Pick<SpanRecord, 'traceId' | 'spanId'>>): void {
    for (const span of spans) {
      const oldest = this.order[this.next];
      if (oldest !== undefined && oldest !== span.spanId) this.traceOf.delete(oldest);
      this.traceOf.set(span.spanId, span.traceId);
      this.order[this.next] = span.spanId;
      this.next = (this.next + 1) % this.capacity;
    }
  }
}
