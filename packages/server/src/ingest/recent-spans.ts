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
 *
 * The spans sit in a ring of `capacity` slots, found through an open-addressed index over a typed
 * array (linear probing, deletion by backward shift), so claiming and forgetting allocate nothing:
 * as a `Map` from span id to slot, the index took 10% of the decode thread under bench:ingest.
 */
export class RecentSpans {
  private readonly spanIds: string[];
  private readonly traceIds: string[];
  /** Each slot's span id hash, so the index is kept without hashing an id again. */
  private readonly hashes: Int32Array;
  /** Each slot's claiming ticket; 0 for spans remembered from the store. */
  private readonly tickets: Float64Array;
  /** Span id -> 1 + the slot of its newest claim; 0 is an empty entry. At most 40% full. */
  private readonly index: Int32Array;
  private readonly mask: number;
  private next = 0;

  constructor(private readonly capacity: number) {
    this.spanIds = new Array<string>(capacity);
    this.traceIds = new Array<string>(capacity);
    this.hashes = new Int32Array(capacity);
    this.tickets = new Float64Array(capacity);
    let size = 8;
    while (size < capacity * 2.5) size *= 2;
    this.index = new Int32Array(size);
    this.mask = size - 1;
  }

  /**
   * The ticket that claimed the span (0: one remembered from the store), or -1 when it was not
   * seen. `hash` is `spanIdHash(span.spanId)`, for a caller that keeps it for `addNew`.
   */
  claimOf(span: SpanIds, hash = spanIdHash(span.spanId)): number {
    const at = this.find(span.spanId, hash);
    if (at === -1) return -1;
    const slot = this.index[at]! - 1;
    return this.traceIds[slot] === span.traceId ? this.tickets[slot]! : -1;
  }

  has(span: SpanIds): boolean {
    return this.claimOf(span) !== -1;
  }

  /** Claims spans for `ticket`'s request (0: spans already stored), forgetting the oldest beyond capacity. */
  add(spans: readonly SpanIds[], ticket = 0): void {
    for (const span of spans) this.addOne(span.traceId, span.spanId, ticket);
  }

  /** `add` of ids kept as columns, `traceIds[i]` with `spanIds[i]`, and their `spanIdHash`es when known. */
  addIds(traceIds: readonly string[], spanIds: readonly string[], count: number, ticket = 0, hashes: Int32Array | null = null): void {
    if (hashes === null) for (let i = 0; i < count; i++) this.addOne(traceIds[i]!, spanIds[i]!, ticket);
    else for (let i = 0; i < count; i++) this.addOne(traceIds[i]!, spanIds[i]!, ticket, hashes[i]!);
  }

  private addOne(traceId: string, spanId: string, ticket: number, hash = spanIdHash(spanId)): void {
    const slot = this.forgetSlot();
    this.index[this.entryFor(spanId, hash)] = slot + 1;
    this.spanIds[slot] = spanId;
    this.traceIds[slot] = traceId;
    this.hashes[slot] = hash;
    this.tickets[slot] = ticket;
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
  }

  /** The next slot, its span forgotten where the slot holds its newest claim (one released and claimed again has two). */
  private forgetSlot(): number {
    const slot = this.next;
    if (this.spanIds[slot] === undefined) return slot;
    // Its entry, if it still points here, lies on the probe from its hash: found by slot, no id compared.
    const { index, mask } = this;
    for (let at = this.hashes[slot]! & mask; index[at] !== 0; at = (at + 1) & mask) {
      if (index[at] === slot + 1) {
        this.remove(at);
        break;
      }
    }
    return slot;
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
    const at = this.find(spanId, spanIdHash(spanId));
    if (at === -1) return;
    const slot = this.index[at]! - 1;
    if (this.tickets[slot] === ticket && this.traceIds[slot] === traceId) this.remove(at);
  }

  /** The index entry of a span id, or -1. */
  private find(spanId: string, hash: number): number {
    const { index, mask } = this;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const entry = index[at]!;
      if (entry === 0) return -1;
      if (this.spanIds[entry - 1] === spanId) return at;
    }
  }

  /** The index entry of a span id, or the empty entry it would take: one probe for a lookup and an insert. */
  private entryFor(spanId: string, hash: number): number {
    const { index, mask } = this;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const entry = index[at]!;
      if (entry === 0 || this.spanIds[entry - 1] === spanId) return at;
    }
  }

  /** Empties an index entry, moving back the entries after it that would no longer be found. */
  private remove(at: number): void {
    const { index, mask } = this;
    let hole = at;
    index[hole] = 0;
    for (let next = (hole + 1) & mask; index[next] !== 0; next = (next + 1) & mask) {
      const home = this.hashes[index[next]! - 1]! & mask;
      // The entry stays when its home lies cyclically in (hole, next]: it is found from there.
      const stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (stays) continue;
      index[hole] = index[next]!;
      index[next] = 0;
      hole = next;
    }
  }
}

/** FNV-1a over a span id's characters: `RecentSpans`' hash. */
export function spanIdHash(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 16777619);
  return hash;
}
