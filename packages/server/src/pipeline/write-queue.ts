import { AppError } from '../errors.js';
import type { Store, WriteBatch } from '../store/store.js';

export interface WriteQueueOptions {
  /** Records (spans + logs + points) waiting or being written before new batches are refused. Default 200,000. */
  maxQueuedRecords?: number;
  /** Records committed in one transaction at most. Default 50,000. */
  maxRecordsPerCommit?: number;
  /**
   * Commits in flight at once. Default 2: while one transaction commits (on DuckDB's threads),
   * the next is filled on the event loop, so neither waits for the other.
   */
  maxConcurrentCommits?: number;
  /** Seconds a refused client is told to wait (`Retry-After`). Default 1. */
  retryAfterSeconds?: number;
  /** Called when a commit fails; the batches in it are rejected to their senders. */
  onError?: (error: unknown, records: number) => void;
}

interface Pending {
  batch: WriteBatch;
  records: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface WriteQueueStats {
  queuedRecords: number;
  commits: number;
  committedRecords: number;
  failedCommits: number;
}

/**
 * A bounded group-commit queue in front of the store. `submit` resolves only after the batch is
 * committed, so an HTTP 200 means durable. Batches that arrive while a commit runs are merged into
 * the next one: under load, one transaction carries many requests, and the store never sees a
 * per-request write.
 */
export class WriteQueue {
  private readonly maxQueuedRecords: number;
  private readonly maxRecordsPerCommit: number;
  private readonly retryAfterSeconds: number;
  private readonly maxConcurrentCommits: number;
  private readonly onError: (error: unknown, records: number) => void;
  private pending: Pending[] = [];
  private queuedRecords = 0;
  private activeCommits = 0;
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  private readonly stats = { commits: 0, committedRecords: 0, failedCommits: 0 };

  constructor(
    private readonly store: Store,
    options: WriteQueueOptions = {},
  ) {
    this.maxQueuedRecords = options.maxQueuedRecords ?? 200_000;
    this.maxRecordsPerCommit = options.maxRecordsPerCommit ?? 50_000;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
    this.maxConcurrentCommits = options.maxConcurrentCommits ?? 2;
    this.onError = options.onError ?? (() => {});
  }

  /**
   * Queues a batch and resolves once it is committed. Throws at once (no await needed) with
   * `ERR_INGEST_QUEUE_FULL` when the queue is full and `ERR_SHUTTING_DOWN` after `close()`.
   */
  submit(batch: WriteBatch): Promise<void> {
    if (this.closed) throw new AppError('ERR_SHUTTING_DOWN', 'the server is shutting down', { retryAfterSeconds: this.retryAfterSeconds });
    const records = batch.spans.length + batch.logs.length + batch.metricPoints.length;
    if (records === 0) return Promise.resolve();
    // A batch larger than the whole queue is still accepted when the queue is empty, or it could never be.
    if (this.queuedRecords > 0 && this.queuedRecords + records > this.maxQueuedRecords) {
      throw new AppError('ERR_INGEST_QUEUE_FULL', `the write queue is full (${this.queuedRecords} records waiting)`, {
        retryAfterSeconds: this.retryAfterSeconds,
      });
    }
    this.queuedRecords += records;
    const done = new Promise<void>((resolve, reject) => {
      this.pending.push({ batch, records, resolve, reject });
    });
    this.schedule();
    return done;
  }

  getStats(): WriteQueueStats {
    return { queuedRecords: this.queuedRecords, ...this.stats };
  }

  /** Refuses new batches and resolves when everything accepted so far is committed. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pending.length === 0 && this.activeCommits === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Let the requests decoded in the same turn of the event loop join one commit.
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.activeCommits < this.maxConcurrentCommits && this.pending.length > 0) {
      const group = this.takeGroup();
      const records = countOf(group);
      this.activeCommits++;
      void this.store.write(mergeBatches(group)).then(
        () => {
          this.stats.commits++;
          this.stats.committedRecords += records;
          for (const p of group) p.resolve();
        },
        (error: unknown) => {
          this.stats.failedCommits++;
          this.onError(error, records);
          for (const p of group) p.reject(error);
        },
      ).finally(() => {
        this.activeCommits--;
        this.queuedRecords -= records;
        this.pump();
        if (this.pending.length === 0 && this.activeCommits === 0) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      });
    }
  }

  private takeGroup(): Pending[] {
    let records = 0;
    let n = 0;
    while (n < this.pending.length && (n === 0 || records + this.pending[n]!.records <= this.maxRecordsPerCommit)) {
      records += this.pending[n]!.records;
      n++;
    }
    const group = this.pending.slice(0, n);
    this.pending = this.pending.slice(n);
    return group;
  }
}

function countOf(group: Pending[]): number {
  let n = 0;
  for (const p of group) n += p.records;
  return n;
}

function mergeBatches(group: Pending[]): WriteBatch {
  if (group.length === 1) return group[0]!.batch;
  const merged: WriteBatch = { spans: [], logs: [], metricPoints: [] };
  for (const { batch } of group) {
    for (const s of batch.spans) merged.spans.push(s);
    for (const l of batch.logs) merged.logs.push(l);
    for (const m of batch.metricPoints) merged.metricPoints.push(m);
  }
  return merged;
}
