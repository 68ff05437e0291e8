import { ID_WORDS } from './recent-spans.js';

/**
 * What the column path (`decode-columns.ts`) checks of a request's spans beside their own fields:
 * a span twice in the request, and what the rejected ones are answered with.
 */

/**
 * The span ids of the request being decoded, to find one twice: an open-addressed table of rows
 * by `wordsHash`, reused from request to request (a generation stamp empties it).
 */
export class RequestSpans {
  private rows = new Int32Array(0);
  private stamps = new Int32Array(0);
  private mask = 0;
  private stamp = 0;

  reset(count: number): this {
    let size = 16;
    while (size < count * 2) size *= 2;
    if (size > this.rows.length) {
      this.rows = new Int32Array(size);
      this.stamps = new Int32Array(size);
    }
    this.mask = this.rows.length - 1;
    if (++this.stamp === 0x7fffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
    return this;
  }

  /** Whether a row holds the ids at `words[row * ID_WORDS ..]`, adding none. */
  has(words: Int32Array, row: number, hash: number): boolean {
    const { rows, stamps, mask, stamp } = this;
    const mine = row * ID_WORDS;
    for (let at = hash & mask; stamps[at] === stamp; at = (at + 1) & mask) {
      const other = rows[at]! * ID_WORDS;
      if (words[other + 4] === words[mine + 4] && words[other + 5] === words[mine + 5] && sameTrace(words, other, mine)) return true;
    }
    return false;
  }

  /** Adds `row`'s ids (`words[row * ID_WORDS ..]`); false when an earlier row holds them (a span id may recur in another trace). */
  add(words: Int32Array, row: number, hash: number): boolean {
    const { rows, stamps, mask, stamp } = this;
    const mine = row * ID_WORDS;
    let at = hash & mask;
    for (; stamps[at] === stamp; at = (at + 1) & mask) {
      const other = rows[at]! * ID_WORDS;
      if (words[other + 4] === words[mine + 4] && words[other + 5] === words[mine + 5] && sameTrace(words, other, mine)) return false;
    }
    stamps[at] = stamp;
    rows[at] = row;
    return true;
  }
}

function sameTrace(words: Int32Array, a: number, b: number): boolean {
  return words[a] === words[b] && words[a + 1] === words[b + 1] && words[a + 2] === words[b + 2] && words[a + 3] === words[b + 3];
}

/** What a request's spans were rejected for, kept as `decodeRequest` keeps it: a reason about ids before any other. */
export class Rejected {
  count = 0;
  duplicates = 0;
  private idReason: string | null = null;
  private otherReason: string | null = null;

  ids(reason: string): void {
    this.count++;
    this.idReason ??= reason;
  }

  /** Spans a reader rejected for their ids before any came here (the record path's readers), `reason` the first's. */
  idsBefore(count: number, reason: string | null): void {
    this.count += count;
    if (count > 0) this.idReason ??= reason;
  }

  add(reason: string, duplicate: boolean): void {
    this.count++;
    if (duplicate) this.duplicates++;
    this.otherReason ??= reason;
  }

  reason(): string | null {
    return this.idReason ?? this.otherReason;
  }
}
