import type { Store, WriteBatch } from '../store/store.js';
import { type SpoolEntry, type SpoolPosition, comparePositions, positionFromString, positionToString, readSpool } from './spool.js';

/** Turns a spooled request into records (the same decoding that accepted it). */
export type EntryDecoder = (entry: SpoolEntry) => WriteBatch;

export interface CommitLoopOptions {
  /** Where the spool keeps its segments, to re-read entries after a crash or a failed commit. */
  spoolDir: string;
  decode: EntryDecoder;
  /** Records in one store transaction before it is committed. Default 50,000. */
  maxRecordsPerCommit?: number;
  /**
   * How long a transaction may stay open collecting records when no reader is waiting for
   * them. Default 500 ms. Larger transactions cost DuckDB far less per record.
   */
  lingerMs?: number;
  /** Told after every commit: the last entry's sequence number and spool position, and how many records. */
  onCommit: (seq: number, position: SpoolPosition, records: number) => void;
  /** Told when an append or commit fails; the records are re-read from the spool and tried again. */
  onError?: (error: unknown, records: number) => void;
}

interface Queued {
  entry: SpoolEntry;
  position: SpoolPosition;
  seq: number;
}

/** What the open store transaction holds. */
interface OpenWrite {
  records: number;
  position: SpoolPosition;
  seq: number;
  openedAt: number;
}

const RETRY_DELAYS_MS = [100, 500, 2000, 5000];

/**
 * The single writer in front of the store. Each spooled entry is decoded and handed to the
 * store's open transaction as soon as the writer gets to it, so records do not wait in memory;
 * the transaction is committed every `maxRecordsPerCommit` records, after `lingerMs`, or at
 * once when a reader waits, together with the spool position it covers. A failed commit is
 * rolled back and its entries are read back from the spool.
 */
export class CommitLoop {
  private readonly maxRecordsPerCommit: number;
  private readonly lingerMs: number;
  private queue: Queued[] = [];
  private openWrite: OpenWrite | null = null;
  private committedPosition: SpoolPosition | null = null;
  private committedSeq = 0;
  private wantedSeq = 0;
  private running = false;
  private closing = false;
  private lingerTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly store: Store,
    private readonly options: CommitLoopOptions,
  ) {
    this.maxRecordsPerCommit = options.maxRecordsPerCommit ?? 50_000;
    this.lingerMs = options.lingerMs ?? 500;
  }

  /**
   * Commits every spooled entry after the store's last committed position (what a crash left
   * behind), numbering them from 1. Returns how many entries were replayed.
   */
  async replay(): Promise<number> {
    this.committedPosition = positionFromString(await this.store.readPosition());
    let seq = 0;
    for (const item of readSpool(this.options.spoolDir, this.committedPosition)) {
      if ('tornBytes' in item) continue; // a write the crash interrupted was never acknowledged
      this.queue.push({ entry: item.entry, position: item.position, seq: ++seq });
    }
    if (seq > 0) await this.commitUpTo(seq);
    return seq;
  }

  /** Queues a spooled entry; `seq` numbers entries in spool order. */
  push(entry: SpoolEntry, position: SpoolPosition, seq: number): void {
    this.queue.push({ entry, position, seq });
    this.kick();
  }

  /** Commits promptly and resolves once every entry up to `seq` is committed. */
  commitUpTo(seq: number): Promise<void> {
    if (this.committedSeq >= seq) return Promise.resolve();
    this.wantedSeq = Math.max(this.wantedSeq, seq);
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.committedSeq >= seq) resolve();
        else this.idleWaiters.push(check);
      };
      this.idleWaiters.push(check);
      this.kick();
    });
  }

  /** Commits everything queued; later pushes are still taken. */
  async close(): Promise<void> {
    this.closing = true;
    const last = this.queue.at(-1)?.seq ?? this.openWrite?.seq ?? this.committedSeq;
    await this.commitUpTo(last);
    if (this.lingerTimer !== null) clearTimeout(this.lingerTimer);
  }

  private kick(): void {
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0 || this.commitDue()) {
        try {
          const next = this.queue.shift();
          if (next !== undefined) {
            const batch = this.options.decode(next.entry);
            await this.store.append(batch);
            const open = (this.openWrite ??= { records: 0, position: next.position, seq: next.seq, openedAt: Date.now() });
            open.records += countOf(batch);
            open.position = next.position;
            open.seq = next.seq;
          }
          if (this.commitDue()) await this.commit();
        } catch (error) {
          await this.recover(error);
        }
      }
    } finally {
      this.running = false;
    }
    this.armLinger();
  }

  private commitDue(): boolean {
    const open = this.openWrite;
    if (open === null) return false;
    return (
      open.records >= this.maxRecordsPerCommit ||
      this.closing ||
      this.wantedSeq > this.committedSeq ||
      Date.now() - open.openedAt >= this.lingerMs
    );
  }

  private async commit(): Promise<void> {
    const open = this.openWrite!;
    await this.store.commit(positionToString(open.position));
    this.openWrite = null;
    this.failures = 0;
    this.committedSeq = open.seq;
    this.committedPosition = open.position;
    this.options.onCommit(open.seq, open.position, open.records);
    for (const waiter of this.idleWaiters.splice(0)) waiter();
  }

  /**
   * Rolls the open transaction back, queues its entries again from the spool (their records were
   * handed to the store, not kept), then waits before the next try.
   */
  private async recover(error: unknown): Promise<void> {
    const open = this.openWrite;
    this.options.onError?.(error, open?.records ?? 0);
    await this.store.rollback().catch(() => {
      // Rolling back a broken transaction may fail too; the next append starts a new one.
    });
    this.openWrite = null;
    if (open !== null) {
      const again: Queued[] = [];
      for (const item of readSpool(this.options.spoolDir, this.committedPosition)) {
        if ('tornBytes' in item) continue;
        if (comparePositions(item.position, open.position) > 0) break;
        // Re-read entries stand for the whole failed transaction.
        again.push({ entry: item.entry, position: item.position, seq: open.seq });
      }
      this.queue = [...again, ...this.queue];
    }
    const delay = RETRY_DELAYS_MS[Math.min(this.failures++, RETRY_DELAYS_MS.length - 1)]!;
    await new Promise((resolve) => setTimeout(resolve, delay).unref());
  }

  private armLinger(): void {
    if (this.openWrite === null || this.lingerTimer !== null) return;
    const wait = Math.max(0, this.openWrite.openedAt + this.lingerMs - Date.now());
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = null;
      this.kick();
    }, wait);
    this.lingerTimer.unref();
  }
}

function countOf(batch: WriteBatch): number {
  return batch.spans.length + batch.logs.length + batch.metricPoints.length;
}
