import { statSync } from 'node:fs';
import { type SpoolItem, type SpoolPosition, comparePositions, listSpoolSegments, readSpoolRange, segmentFile } from '../pipeline/spool.js';

/**
 * The spool as forwarding follows it: where its acknowledged end is (the main thread says, once
 * per group written), how many bytes each segment holds, and reading entries from a position up
 * to that end. Only what is acknowledged is read: an entry whose write failed is never sent.
 */
export class SpoolTail {
  private end: SpoolPosition;
  /** Bytes of each segment known: final for those before `end`'s, acknowledged so far for its. */
  private readonly sizes = new Map<number, number>();

  constructor(
    readonly dir: string,
    end: SpoolPosition,
  ) {
    this.end = end;
    for (const segment of listSpoolSegments(dir)) if (segment < end.segment) this.sizes.set(segment, sizeOf(dir, segment));
    this.sizes.set(end.segment, end.offset);
  }

  get tail(): SpoolPosition {
    return this.end;
  }

  /** The acknowledged end moved on (a group of appends is on disk). */
  advance(end: SpoolPosition): void {
    if (comparePositions(end, this.end) <= 0) return;
    if (end.segment > this.end.segment) {
      // The spool rolled: the segments before the new one are final (a torn tail included).
      for (const segment of listSpoolSegments(this.dir)) {
        if (segment >= this.end.segment && segment < end.segment) this.sizes.set(segment, sizeOf(this.dir, segment));
      }
    }
    this.sizes.set(end.segment, end.offset);
    this.end = end;
  }

  /** Whether nothing acknowledged lies after `from`. */
  atEnd(from: SpoolPosition): boolean {
    return this.bytesAfter(from) === 0;
  }

  /** Bytes acknowledged after `from`. */
  bytesAfter(from: SpoolPosition): number {
    let bytes = 0;
    for (const [segment, size] of this.sizes) {
      if (segment > from.segment) bytes += size;
      else if (segment === from.segment) bytes += Math.max(0, size - from.offset);
    }
    return bytes;
  }

  /** Forgets the segments before `segment`: no reader needs them, and the spool deletes them. */
  forget(segment: number): void {
    for (const known of this.sizes.keys()) if (known < segment) this.sizes.delete(known);
  }

  /**
   * Reads entries after `from`, about `maxBytes` of them (at least one), from one segment; moves
   * on to the next segment at the end of one. `next` is where the next read starts; no items and
   * `next` equal to `from` means nothing acknowledged is there yet.
   */
  read(from: SpoolPosition, maxBytes: number): { items: SpoolItem[]; next: SpoolPosition } {
    let at = from;
    for (;;) {
      const size = this.sizes.get(at.segment);
      const last = at.segment >= this.end.segment;
      if (size !== undefined && (last || at.offset < size)) {
        const stop = last ? this.end.offset : size;
        if (at.offset >= stop) return { items: [], next: at };
        let range: { items: SpoolItem[]; next: number };
        try {
          range = readSpoolRange(this.dir, at.segment, at.offset, stop, maxBytes);
        } catch (error) {
          // Deleted under us (the directory emptied by hand): what it held cannot be sent.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          range = { items: [], next: stop };
        }
        if (range.items.length > 0 || range.next > at.offset) return { items: range.items, next: { segment: at.segment, offset: range.next } };
        return { items: [], next: at };
      }
      // Past the end of a segment, or in one the spool no longer has: the next one it holds.
      const next = [...this.sizes.keys()].filter((s) => s > at.segment).sort((a, b) => a - b)[0];
      if (next === undefined) return { items: [], next: at };
      at = { segment: next, offset: 0 };
    }
  }
}

function sizeOf(dir: string, segment: number): number {
  try {
    return statSync(segmentFile(dir, segment)).size;
  } catch {
    return 0;
  }
}
