import type { SpanRecord } from '@spoor/model';

/** How many spans per project the receiver remembers (some 5 MB). */
export const RECENT_SPANS_PER_PROJECT = 100_000;

type SpanIds = Pick<SpanRecord, 'traceId' | 'spanId'>;

/**
 * The last `capacity` spans claimed, so that a request sent again (an exporter that timed out
 * waiting for an answer that did come, and retried) is not stored twice. A request claims its
 * spans under its ticket as it is decoded, before it is spooled, so a copy that arrives meanwhile
 * finds them too; a request refused after that releases them, so that its retry is taken. It is
 * filled at start-up with the spans stored last.
 *
 * Ids are kept as numbers, not strings: each span as six 32-bit words (`ID_WORDS`: its trace id's
 * 16 bytes, then its span id's 8, big-endian), which the column path reads straight from the
 * body, so nothing the ring holds is an object for the garbage collector to copy and promote
 * (holding the id strings, it doubled the decode thread's young-generation collections). Ids
 * compare whole (emitters that count ids up differ only in a few digits). The spans sit in a ring
 * of `capacity` slots, found through an open-addressed index over a typed array (linear probing,
 * deletion by backward shift), so claiming and forgetting allocate nothing.
 */
export class RecentSpans {
  /** Each slot's `ID_WORDS` words. */
  private readonly ids: Int32Array;
  /** Each slot's span id hash, so the index is kept without hashing an id again. */
  private readonly hashes: Int32Array;
  /** Each slot's claiming ticket; 0 for spans remembered from the store. */
  private readonly tickets: Float64Array;
  /** Span id -> 1 + the slot of its newest claim; 0 is an empty entry. At most 40% full. */
  private readonly index: Int32Array;
  private readonly mask: number;
  private next = 0;
  /** Slots that ever held a span: the ring is full once `next` wrapped. */
  private filled = 0;
  /** One span's words, for the calls that take id strings. */
  private readonly scratch = new Int32Array(ID_WORDS);

  constructor(private readonly capacity: number) {
    this.ids = new Int32Array(capacity * ID_WORDS);
    this.hashes = new Int32Array(capacity);
    this.tickets = new Float64Array(capacity);
    let size = 8;
    while (size < capacity * 2.5) size *= 2;
    this.index = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The ticket that claimed the span (0: one remembered from the store), or -1 when it was not seen. */
  claimOf(span: SpanIds): number {
    idWordsOf(span.traceId, span.spanId, this.scratch, 0);
    return this.claimOfWords(this.scratch, 0, wordsHash(this.scratch, 0));
  }

  /** `claimOf` of the span whose words are `words[at ..]`, `hash` its `wordsHash`. */
  claimOfWords(words: Int32Array, at: number, hash: number): number {
    const entry = this.find(words, at, hash);
    if (entry === -1) return -1;
    const slot = this.index[entry]! - 1;
    return this.sameTrace(slot, words, at) ? this.tickets[slot]! : -1;
  }

  has(span: SpanIds): boolean {
    return this.claimOf(span) !== -1;
  }

  /** Claims spans for `ticket`'s request (0: spans already stored), forgetting the oldest beyond capacity. */
  add(spans: readonly SpanIds[], ticket = 0): void {
    for (const span of spans) {
      idWordsOf(span.traceId, span.spanId, this.scratch, 0);
      this.addOne(this.scratch, 0, wordsHash(this.scratch, 0), ticket);
    }
  }

  /** `add` of spans as words (`count` spans' `ID_WORDS` each), with their `wordsHash`es. */
  addWords(words: Int32Array, hashes: Int32Array, count: number, ticket = 0): void {
    for (let i = 0; i < count; i++) this.addOne(words, i * ID_WORDS, hashes[i]!, ticket);
  }

  private addOne(words: Int32Array, at: number, hash: number, ticket: number): void {
    const slot = this.forgetSlot();
    this.index[this.entryFor(words, at, hash)] = slot + 1;
    const ids = this.ids;
    const to = slot * ID_WORDS;
    for (let k = 0; k < ID_WORDS; k++) ids[to + k] = words[at + k]!;
    this.hashes[slot] = hash;
    this.tickets[slot] = ticket;
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.filled < this.capacity) this.filled++;
  }

  /** The next slot, its span forgotten where the slot holds its newest claim (one released and claimed again has two). */
  private forgetSlot(): number {
    const slot = this.next;
    if (this.filled < this.capacity) return slot;
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
    for (const span of spans) {
      idWordsOf(span.traceId, span.spanId, this.scratch, 0);
      this.releaseOne(this.scratch, 0, wordsHash(this.scratch, 0), ticket);
    }
  }

  /** `release` of spans as words, with their `wordsHash`es (`addWords`). */
  releaseWords(words: Int32Array, hashes: Int32Array, count: number, ticket: number): void {
    for (let i = 0; i < count; i++) this.releaseOne(words, i * ID_WORDS, hashes[i]!, ticket);
  }

  private releaseOne(words: Int32Array, at: number, hash: number, ticket: number): void {
    const entry = this.find(words, at, hash);
    if (entry === -1) return;
    const slot = this.index[entry]! - 1;
    if (this.tickets[slot] === ticket && this.sameTrace(slot, words, at)) this.remove(entry);
  }

  /** The index entry of a span id, or -1. */
  private find(words: Int32Array, at: number, hash: number): number {
    const entry = this.entryFor(words, at, hash);
    return this.index[entry] === 0 ? -1 : entry;
  }

  /** The index entry of a span id, or the empty entry it would take: one probe for a lookup and an insert. */
  private entryFor(words: Int32Array, at: number, hash: number): number {
    const { index, mask, ids } = this;
    const span0 = words[at + 4]!;
    const span1 = words[at + 5]!;
    for (let entry = hash & mask; ; entry = (entry + 1) & mask) {
      const slot = index[entry]! - 1;
      if (slot === -1) return entry;
      const from = slot * ID_WORDS;
      if (ids[from + 4] === span0 && ids[from + 5] === span1) return entry;
    }
  }

  private sameTrace(slot: number, words: Int32Array, at: number): boolean {
    const from = slot * ID_WORDS;
    const ids = this.ids;
    return ids[from] === words[at] && ids[from + 1] === words[at + 1] && ids[from + 2] === words[at + 2] && ids[from + 3] === words[at + 3];
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

/** Words per span: a trace id's 16 bytes and a span id's 8, as big-endian 32-bit words. */
export const ID_WORDS = 6;

/**
 * Writes the words of a span's hex ids at `out[at ..]`, the trace id's four, then the span id's
 * two. Ids come lowercase and checked (a malformed one reads as garbage or zeros: it is refused
 * before it is claimed); a hex digit is read by a table, not `parseInt` of a substring.
 */
export function idWordsOf(traceId: string, spanId: string, out: Int32Array, at: number): Int32Array {
  for (let k = 0; k < 4; k++) out[at + k] = hexWord(traceId, 8 * k);
  out[at + 4] = hexWord(spanId, 0);
  out[at + 5] = hexWord(spanId, 8);
  return out;
}

/** The 32-bit word of the 8 hex digits at `text[from ..]`; a digit missing or not hex counts as 0. */
function hexWord(text: string, from: number): number {
  let word = 0;
  for (let i = from; i < from + 8; i++) word = (word << 4) | (HEX_VALUES[text.charCodeAt(i)] ?? 0);
  return word | 0;
}

/** Each character code's value as a hex digit (either case), 0 for any other. */
const HEX_VALUES = Uint8Array.from({ length: 128 }, (_, code) => {
  const digit = parseInt(String.fromCharCode(code), 16);
  return Number.isNaN(digit) ? 0 : digit;
});

/** A request's span ids as `RecentSpans` keeps them: each span's `ID_WORDS` words, and their `wordsHash`. */
export interface SpanIdWords {
  words: Int32Array;
  hashes: Int32Array;
}

/** The `SpanIdWords` of spans decoded as records (the column path reads them from the body as it goes). */
export function idWordsOfSpans(spans: readonly SpanIds[]): SpanIdWords {
  const words = new Int32Array(spans.length * ID_WORDS);
  const hashes = new Int32Array(spans.length);
  for (let i = 0; i < spans.length; i++) {
    idWordsOf(spans[i]!.traceId, spans[i]!.spanId, words, i * ID_WORDS);
    hashes[i] = wordsHash(words, i * ID_WORDS);
  }
  return { words, hashes };
}

/** The index's hash of a span: of its span id's two words. */
export function wordsHash(words: Int32Array, at: number): number {
  let hash = Math.imul(words[at + 4]! ^ Math.imul(words[at + 5]!, 0x9e3779b1), 0x85ebca6b);
  hash ^= hash >>> 15;
  return Math.imul(hash, 0xc2b2ae35) ^ (hash >>> 13);
}

/** `wordsHash` of a span id's hex. */
export function spanIdHash(spanId: string): number {
  const words = idWordsOf('', spanId, new Int32Array(ID_WORDS), 0);
  return wordsHash(words, 0);
}
