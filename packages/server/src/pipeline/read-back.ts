import { type SpoolEntry, type SpoolItem, type SpoolPosition, comparePositions, readSpool, readSpoolRange } from './spool.js';

/**
 * Entries read back from the spool by the commit loop: those handed over without their batches
 * (left on disk while the store was down or a commit stalled), and those a failed commit lost.
 */
export class SpoolReadBack {
  /** A reader going through the spool, kept while entries are asked for in its order. */
  private reader: Generator<SpoolItem> | null = null;

  constructor(private readonly spoolDir: string) {}

  /**
   * The entry that ends at `position`. Most often it starts where the entry before it ended
   * (`previous`): then its bytes alone are read, also in the segment the spool is writing (entries
   * left on disk while a commit stalls are read back seconds after). Else one reader goes through
   * the spool from the entry before; it starts again only when the entry asked for is not the
   * next one. `null` when the spool no longer has it.
   */
  read(position: SpoolPosition, previous: SpoolPosition | null): SpoolEntry | null {
    if (previous !== null && (previous.segment < position.segment || previous.offset < position.offset)) {
      // The entry right after `previous`: where it ended, or the start of the next segment.
      const entry = this.readAlone(position, previous.segment === position.segment ? previous.offset : 0);
      if (entry !== null) return entry;
    }
    for (let tries = 0; tries < 2; tries++) {
      // An entry lies within one segment: reading starts there at the earliest, not at the spool's
      // first segment, which may be far behind (segments kept for a --forward destination).
      this.reader ??= readSpool(this.spoolDir, tries === 0 && previous !== null ? previous : { segment: position.segment, offset: 0 });
      for (let next = this.reader.next(); next.done !== true; next = this.reader.next()) {
        const item = next.value;
        if (!('entry' in item)) continue;
        const order = comparePositions(item.position, position);
        if (order === 0) return item.entry;
        if (order > 0) break;
      }
      this.reader = null;
    }
    return null;
  }

  /** Forgets where the reader was: the next entry is read from the spool as it is now. */
  reset(): void {
    this.reader = null;
  }

  /**
   * The entry that ends at `position` when it starts at byte `from` of its segment, read alone;
   * `null` when it does not (or the segment cannot be read): the caller reads on from further back.
   */
  private readAlone(position: SpoolPosition, from: number): SpoolEntry | null {
    let items: SpoolItem[];
    try {
      items = readSpoolRange(this.spoolDir, position.segment, from, position.offset, position.offset - from).items;
    } catch {
      return null;
    }
    const [item] = items;
    if (items.length !== 1 || item === undefined || !('entry' in item) || comparePositions(item.position, position) !== 0) return null;
    // A reader left from further back is behind this entry now, and may hold segments since released.
    this.reader = null;
    return item.entry;
  }
}
