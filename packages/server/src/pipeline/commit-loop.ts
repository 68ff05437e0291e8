import type { StoreWriter, WriteBatch } from '../store/store.js';
import { type SpoolEntry, type SpoolPosition, comparePositions, positionFromString, positionToString, readSpool } from './spool.js';

/**
 * Turns a spooled request into records (the same decoding that accepted it). `seq` numbers the
 * entry in spool order; an entry read back after a failed commit is decoded again with the
 * same or a lower number.
 */
export type EntryDecoder = (entry: SpoolEntry, seq: number) => WriteBatch;

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
  /**
   * Told after every commit: the last entry's sequence number and spool position, how many
   * records, and how long the store took to make them durable.
   */
  onCommit: (seq: number, position: SpoolPosition, records: number, commitMs: number) => void;
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
  firstSeq: number;
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
  /** The last entry handed to the store, committed or not. */
  private lastAppended: { position: SpoolPosition; seq: number } | null = null;
  /** A commit that failed; the loop recovers before it appends again. */
  private failed: { error: unknown } | null = null;
  private committedPosition: SpoolPosition | null = null;
  private committedSeq = 0;
  private wantedSeq = 0;
  private running = false;
  private closing = false;
  private lingerTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly store: StoreWriter,
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

  /** The spool segment of the last committed position (0 when nothing is committed yet). */
  committedSegment(): number {
    return this.committedPosition?.segment ?? 0;
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
    const last = this.queue.at(-1)?.seq ?? this.lastAppended?.seq ?? this.committedSeq;
    await this.commitUpTo(last);
    if (this.lingerTimer !== null) clearTimeout(this.lingerTimer);
  }

  private kick(): void {
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.failed !== null || this.queue.length > 0 || this.commitDue()) {
        try {
          if (this.failed !== null) {
            const { error } = this.failed;
            this.failed = null;
            throw error;
          }
          const next = this.queue.shift();
          if (next !== undefined) {
            // Counted as handed over before the append: if it fails, recovery reads it back too.
            this.lastAppended = { position: next.position, seq: next.seq };
            const batch = this.decode(next.entry, next.seq);
            await this.store.append(batch);
            const open = (this.openWrite ??= { records: 0, firstSeq: next.seq, position: next.position, seq: next.seq, openedAt: Date.now() });
            open.records += countOf(batch);
            open.position = next.position;
            open.seq = next.seq;
          }
          if (this.commitDue()) this.startCommit();
        } catch (error) {
          await this.recover(error);
        }
      }
    } finally {
      this.running = false;
    }
    this.armLinger();
  }

  /**
   * Decodes an entry. The same decoder accepted it before it was spooled, so a failure here is
   * a bug; the entry is reported and skipped rather than retried for ever.
   */
  private decode(entry: SpoolEntry, seq: number): WriteBatch {
    try {
      return this.options.decode(entry, seq);
    } catch (error) {
      this.options.onError?.(error, 0);
      return { spans: [], logs: [], metricPoints: [] };
    }
  }

  private commitDue(): boolean {
    const open = this.openWrite;
    if (open === null) return false;
    // Entries a reader (or close) waits for go into one transaction, not one commit each.
    const next = this.queue[0];
    const waited = this.closing || this.wantedSeq >= open.firstSeq;
    const joining = next !== undefined && (this.closing || next.seq <= this.wantedSeq);
    return open.records >= this.maxRecordsPerCommit || (waited && !joining) || Date.now() - open.openedAt >= this.lingerMs;
  }

  /**
   * Commits the open transaction without waiting for it to be durable: the next batches go to
   * the store's next transaction meanwhile. Commits finish in order.
   */
  private startCommit(): void {
    const open = this.openWrite!;
    this.openWrite = null;
    const began = performance.now();
    this.store.commit(positionToString(open.position)).then(
      () => {
        const commitMs = performance.now() - began;
        if (open.seq <= this.committedSeq) return;
        this.failures = 0;
        this.committedSeq = open.seq;
        this.committedPosition = open.position;
        this.options.onCommit(open.seq, open.position, open.records, commitMs);
        for (const waiter of this.idleWaiters.splice(0)) waiter();
      },
      (error: unknown) => {
        this.failed ??= { error };
        this.kick();
      },
    );
  }

  /**
   * Rolls back everything not yet durable and queues those entries again from the spool (their
   * records were handed to the store, not kept), then waits before the next try.
   */
  private async recover(error: unknown): Promise<void> {
    const lost = this.lastAppended;
    this.options.onError?.(error, this.openWrite?.records ?? 0);
    await this.store.rollback().catch(() => {
      // Rolling back a broken transaction may fail too; the next append starts a new one.
    });
    // A commit that settled while rolling back is reported by its own callback.
    this.failed = null;
    this.openWrite = null;
    // The store knows best what it committed (a commit's callback may not have run yet).
    const stored = positionFromString(await this.store.readPosition().catch(() => null)) ?? this.committedPosition;
    if (lost !== null && (stored === null || comparePositions(lost.position, stored) > 0)) {
      const again: Queued[] = [];
      for (const item of readSpool(this.options.spoolDir, stored)) {
        if ('tornBytes' in item) continue;
        if (comparePositions(item.position, lost.position) > 0) break;
        again.push({ entry: item.entry, position: item.position, seq: 0 });
      }
      // Entries are numbered one by one in spool order, so the re-read ones end at `lost.seq`.
      // (One spooled but never numbered, its fdatasync failed, numbers those before it low: a
      // reader waits a little longer, never too little.)
      again.forEach((item, i) => (item.seq = lost.seq - (again.length - 1 - i)));
      this.queue = [...again, ...this.queue];
    }
    this.lastAppended = null;
    const delay = RETRY_DELAYS_MS[Math.min(this.failures++, RETRY_DELAYS_MS.length - 1)]!;
    await new Promise((resolve) => setTimeout(resolve, delay));
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
