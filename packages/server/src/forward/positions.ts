import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type SpoolPosition, positionFromString, positionToString } from '../pipeline/spool.js';

/**
 * Each destination's durable position in the spool, `forward/NAME.position` in the data
 * directory: the place just after the last entry it received (or was refused, or dropped). A
 * restarted Spoor resumes each destination there. Written to a new file that then replaces the
 * old one, so a crash leaves one or the other, never half of one; not fsynced: a position lost to
 * a power cut is an older one, and what lies after it is sent again (delivery is at least once).
 * At most one write per destination every `WRITE_EVERY_MS`: a destination that keeps up is sent
 * a request per append, and a write per request was an eighth of the forward thread's time.
 */
/** The least time between two writes of one destination's position; a crash sends at most this much again. */
const WRITE_EVERY_MS = 250;

export class ForwardPositions {
  private writing = new Map<string, Promise<void>>();
  private latest = new Map<string, SpoolPosition>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** The position kept for `name`, or `null` for a destination that has none yet. */
  read(name: string): SpoolPosition | null {
    try {
      return positionFromString(readFileSync(this.fileOf(name), 'utf8').trim());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Keeps `position` for `name` now (at start, for a new destination). */
  writeNow(name: string, position: SpoolPosition): void {
    const file = this.fileOf(name);
    writeFileSync(`${file}.new`, `${positionToString(position)}\n`);
    renameSync(`${file}.new`, file);
  }

  /** Keeps `position` for `name`; writes of one name follow one another, the last one wins. */
  write(name: string, position: SpoolPosition): Promise<void> {
    this.latest.set(name, position);
    const running = this.writing.get(name);
    if (running !== undefined) return running;
    const run = this.drain(name);
    this.writing.set(name, run);
    return run;
  }

  /** Writes the latest position of `name` until none newer came while it wrote. */
  private async drain(name: string): Promise<void> {
    try {
      for (let written: SpoolPosition | null = null; this.latest.get(name) !== written; ) {
        if (written !== null) await new Promise((resolve) => setTimeout(resolve, WRITE_EVERY_MS));
        written = this.latest.get(name)!;
        const file = this.fileOf(name);
        await writeFile(`${file}.new`, `${positionToString(written)}\n`);
        await rename(`${file}.new`, file);
      }
    } finally {
      // Nothing awaits between the last check and this: a position given after it starts a write of its own.
      this.writing.delete(name);
    }
  }

  /** Resolves once every write asked for is on disk. */
  async flush(): Promise<void> {
    await Promise.all([...this.writing.values()]);
  }

  private fileOf(name: string): string {
    return join(this.dir, `${name}.position`);
  }
}
