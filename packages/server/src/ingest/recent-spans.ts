import type { SpanRecord } from '@spoor/model';

/** 52 bits of a lowercase hex id, its last 13 digits (where ids counted up by an emitter differ), as an exact number. */
function bits52(hex: string, at: number): number {
  let value = 0;
  for (let i = at; i < at + 13; i++) {
    const c = hex.charCodeAt(i);
    value = value * 16 + (c <= 57 ? c - 48 : c - 87);
  }
  return value;
}

/**
 * The spans of the last `capacity` acknowledged requests' spans, so that a request sent again (an
 * exporter that timed out waiting for an answer that did come, and retried) is not stored twice.
 * Kept as numbers: the last 52 bits of the span id and of the trace id (the chance that two
 * different spans share both is nil); no string is built per span. It starts empty on each start of the
 * server, so a retry across a restart is stored again.
 */
export class RecentSpans {
  /** Span bits -> trace bits of the span last added with those span bits. */
  private readonly traceOf = new Map<number, number>();
  private readonly order: Float64Array;
  private next = 0;
  private size = 0;

  constructor(private readonly capacity: number) {
    this.order = new Float64Array(capacity);
  }

  has(span: SpanRecord): boolean {
    const trace = this.traceOf.get(bits52(span.spanId, 3));
    return trace !== undefined && trace === bits52(span.traceId, 19);
  }

  add(spans: readonly SpanRecord[]): void {
    for (const span of spans) {
      const key = bits52(span.spanId, 3);
      if (this.size === this.capacity) this.traceOf.delete(this.order[this.next]!);
      else this.size++;
      this.traceOf.set(key, bits52(span.traceId, 19));
      this.order[this.next] = key;
      this.next = (this.next + 1) % this.capacity;
    }
  }
}
