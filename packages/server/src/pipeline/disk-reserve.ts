import { statSync, statfsSync } from 'node:fs';
import { stat, statfs } from 'node:fs/promises';
import { defaultSegmentBytes } from './spool.js';

/**
 * Bytes a store may need on the spool's disk to commit each byte of request body it has not yet
 * committed: its write-ahead log and the blocks its checkpoint writes, both on disk at the moment
 * of the checkpoint. Measured with DuckDB on bodies of 1,000 spans (OTLP JSON, 40 per run):
 * 0.79 with random hex prompts, 0.83 with English ones; 1 leaves a fifth for what the sampling
 * missed.
 */
export const RESERVE_PER_PENDING_BYTE = 1;

/** How often free space is read while nothing is committed (a commit reads it too). */
const REFRESH_MS = 250;

/**
 * The reserve's floor when none is given: two of the spool's segments (64 MiB each, a 32nd of a
 * disk under 2 GiB), room for the spool to start a new segment while the last one waits to be
 * deleted, and for the store's fixed costs of a checkpoint.
 */
export function defaultReserveBytes(dir: string): number {
  return 2 * defaultSegmentBytes(dir);
}

/**
 * The reserve a server keeps: `floorBytes` (`null`: `defaultReserveBytes`), and, when the store's
 * file (`storeFile`, DuckDB's) is on the spool's disk, as much again as is pending and as its
 * write-ahead log holds (a store elsewhere takes no room there to commit); `null` when the floor is
 * 0 (turned off).
 */
export function diskReserveOf(spoolDir: string, floorBytes: number | null, storeFile: string | null, onError: (error: unknown) => void): DiskReserve | null {
  const floor = floorBytes ?? defaultReserveBytes(spoolDir);
  if (floor === 0) return null;
  if (storeFile === null) return new DiskReserve(spoolDir, { floorBytes: floor, perPendingByte: 0, onError });
  return new DiskReserve(spoolDir, { floorBytes: floor, walPath: `${storeFile}.wal`, onError });
}

export interface DiskReserveOptions {
  /** Bytes kept free whatever is pending. */
  floorBytes: number;
  /** Bytes kept free per byte acknowledged and not yet committed. Default `RESERVE_PER_PENDING_BYTE`. */
  perPendingByte?: number;
  /**
   * The store's write-ahead log on this disk, if it has one: what it holds was committed, but its
   * checkpoint still needs room for it in the file (about as much again: measured 7.1 MB of file
   * for 6.8 MB of log). Without it, a disk filled to the floor with committed data refused the
   * checkpoint, and with it every commit after, while acknowledged requests waited in the spool.
   */
  walPath?: string;
  /** Told when reading free space fails (it is read again at the next tick). */
  onError?: (error: unknown) => void;
}

/**
 * Keeps room on the spool's disk for what was acknowledged to be committed: a request is refused
 * while what would be free after spooling it is below the floor plus what the store needs to
 * commit everything pending with it. Without it, requests taken while a backlog commits take the
 * room that backlog's write-ahead log needs (measured on a 40 MiB disk: 16 acknowledged requests
 * stayed uncommitted for over a minute under a client posting at full speed).
 *
 * Free space is read with `statfs` on a timer and after commits, never per request; bytes spooled
 * since the last reading are taken off it.
 */
export class DiskReserve {
  private readonly perPendingByte: number;
  private freeBytes: number;
  /** Bytes spooled in all, and as of the reading `freeBytes` came from. */
  private spooled = 0;
  private spooledAtReading = 0;
  private reading = false;
  /** The store's write-ahead log as last read: what its next checkpoint writes into the file. */
  private walBytes: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly dir: string,
    private readonly options: DiskReserveOptions,
  ) {
    this.perPendingByte = options.perPendingByte ?? RESERVE_PER_PENDING_BYTE;
    this.freeBytes = freeOf(statfsSync(dir));
    this.walBytes = walBytesSync(options.walPath);
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  /** Reads free space (and the write-ahead log's size) again, at most one reading at a time. */
  refresh(): void {
    if (this.reading) return;
    this.reading = true;
    const spooled = this.spooled;
    Promise.all([statfs(this.dir), walBytesOf(this.options.walPath)])
      .then(([stats, wal]) => {
        this.freeBytes = freeOf(stats);
        this.walBytes = wal;
        this.spooledAtReading = spooled;
      })
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => (this.reading = false));
  }

  /** Told of `bytes` written to the spool. */
  spooledBytes(bytes: number): void {
    this.spooled += bytes;
  }

  /** Free bytes on the disk as last read, less what was spooled since. */
  free(): number {
    return this.freeBytes - (this.spooled - this.spooledAtReading);
  }

  /** Bytes that must stay free while `pendingBytes` are acknowledged and not committed. */
  needed(pendingBytes: number): number {
    return this.options.floorBytes + Math.ceil((pendingBytes + this.walBytes) * this.perPendingByte);
  }

  /**
   * Why a request of `bytes` is refused, with `pendingBytes` acknowledged before it and not yet
   * committed; `null` when there is room for it.
   */
  refusal(bytes: number, pendingBytes: number): string | null {
    const free = this.free() - bytes;
    const needed = this.needed(pendingBytes + bytes);
    if (free >= needed) return null;
    const pending = `${mib(pendingBytes + bytes)} pending${this.walBytes > 0 ? `, ${mib(this.walBytes)} of write-ahead log` : ''}`;
    return `too little free space on the disk of the data directory: ${mib(Math.max(0, free))} would be left, and ${mib(needed)} is kept to commit what was acknowledged (--disk-reserve ${mib(this.options.floorBytes)} plus ${pending})`;
  }

  close(): void {
    clearInterval(this.timer);
  }
}

async function walBytesOf(path: string | undefined): Promise<number> {
  if (path === undefined) return 0;
  try {
    return (await stat(path)).size;
  } catch {
    // No log (checkpointed and removed, or not made yet): nothing to checkpoint.
    return 0;
  }
}

function walBytesSync(path: string | undefined): number {
  if (path === undefined) return 0;
  try {
    return statSync(path).size;
  } catch {
    // As in walBytesOf.
    return 0;
  }
}

function freeOf(stats: { bavail: number | bigint; bsize: number | bigint }): number {
  return Number(stats.bavail) * Number(stats.bsize);
}

function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
