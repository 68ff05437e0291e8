import { AppError } from '../errors.js';
import type { Store, WriteBatch } from '../store/store.js';
import {
  type Spool,
  type SpoolEntry,
  type SpoolPosition,
  comparePositions,
  positionFromString,
  positionToString,
  readSpool,
} from './spool.js';

export interface IngestQueueOptions {
  /** Records accepted but not yet committed before new requests get 503. Default 200,000. */
  maxQueuedRecords?: number;
  /** Records in one store transaction at most. Default 50,000. */
  maxRecordsPerCommit?: number;
  /**
   * How long accepted records may wait to be batched before a commit starts, when no reader is
   * waiting for them. Default 500 ms. Larger transactions cost DuckDB far less per record.
   */
  lingerMs?: number;
  /** Seconds a refused client is told to wait (`Retry-After`). Default 1. */
  retryAfterSeconds?: number;
  /** Called when a commit fails; the records stay queued and are tried again. */
  onError?: (error: unknown, records: number) => void;
}

interface Pending {
  batch: WriteBatch;
  records: number;
  /** Spool position just after this batch's entry. */
  position: SpoolPosition;
  seq: number;
}

export interface IngestQueueStats {
  queuedRecords: number;
  commits: number;
  committedRecords: number;
  failedCommits: number;
  replayedEntries: number;
}

/** Turns a spooled request back into records (the same decoding that accepted it). */
export type ReplayDecoder = (entry: SpoolEntry) => WriteBatch;

const RETRY_DELAYS_MS = [100, 500, 2000, 5000];

/**
 * Between ingest and the store. `submit` writes the request body to the spool and resolves once
 * it is on disk: that is what an HTTP 200 waits for. Records are committed to the store from
 * memory by one writer, in transactions of up to `maxRecordsPerCommit` records, each carrying
 * the spool position it covers, so start-up replays exactly what the store lacks.
 */
export class IngestQueue {
  private readonly maxQueuedRecords: number;
  private readonly maxRecordsPerCommit: number;
  private readonly lingerMs: number;
  private readonly retryAfterSeconds: number;
  private readonly onError: (error: unknown, records: number) => void;
  private pending: Pending[] = [];
  private pendingRecords = 0;
  private queuedRecords = 0;
  private acceptedSeq = 0;
  private committedSeq = 0;
  private visibilityWaiters: Array<{ seq: number; resolve: () => void }> = [];
  private writing: Promise<void> | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  private urgent = false;
  private closed = false;
  private failures = 0;
  private readonly stats = { commits: 0, committedRecords: 0, failedCommits: 0, replayedEntries: 0 };

  constructor(
    private readonly store: Store,
    private readonly spool: Spool,
    options: IngestQueueOptions = {},
  ) {
    this.maxQueuedRecords = options.maxQueuedRecords ?? 200_000;
    this.maxRecordsPerCommit = options.maxRecordsPerCommit ?? 50_000;
    this.lingerMs = options.lingerMs ?? 500;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
    this.onError = options.onError ?? (() => {});
  }

  /**
   * Commits every spooled entry the store has not committed yet (after a crash). Call once,
   * before accepting requests.
   */
  async replay(spoolDir: string, decode: ReplayDecoder): Promise<number> {
    const from = positionFromString(await this.store.readPosition());
    let entries = 0;
    for (const item of readSpool(spoolDir, from)) {
      if ('tornBytes' in item) continue; // a write the crash interrupted was never acknowledged
      if (from !== null && comparePositions(item.position, from) <= 0) continue;
      const batch = decode(item.entry);
      const records = countOf(batch);
      this.queuedRecords += records;
      this.push(batch, item.position, records);
      entries++;
      if (this.pendingRecords >= this.maxRecordsPerCommit) await this.whenVisible();
    }
    await this.whenVisible();
    this.stats.replayedEntries += entries;
    return entries;
  }

  /**
   * Accepts a decoded request: resolves once its body is durably spooled. Throws at once with
   * `ERR_INGEST_QUEUE_FULL` when the store is too far behind and `ERR_SHUTTING_DOWN` after
   * `close()`.
   */
  async submit(entry: SpoolEntry, batch: WriteBatch): Promise<void> {
    if (this.closed) throw new AppError('ERR_SHUTTING_DOWN', 'the server is shutting down', { retryAfterSeconds: this.retryAfterSeconds });
    const records = countOf(batch);
    if (records === 0) return;
    if (this.queuedRecords > 0 && this.queuedRecords + records > this.maxQueuedRecords) {
      throw new AppError('ERR_INGEST_QUEUE_FULL', `the write queue is full (${this.queuedRecords} records waiting)`, {
        retryAfterSeconds: this.retryAfterSeconds,
      });
    }
    this.queuedRecords += records;
    let position: SpoolPosition;
    try {
      position = await this.spool.append(entry);
    } catch (cause) {
      this.queuedRecords -= records;
      throw new AppError('ERR_STORE', `the request could not be written to the spool: ${(cause as Error).message}`, {
        cause,
        retryAfterSeconds: this.retryAfterSeconds,
      });
    }
    this.push(batch, position, records);
  }

  /** Resolves when everything accepted before the call is committed and visible to queries. */
  whenVisible(): Promise<void> {
    const seq = this.acceptedSeq;
    if (this.committedSeq >= seq) return Promise.resolve();
    return new Promise((resolve) => {
      this.visibilityWaiters.push({ seq, resolve });
      this.urgent = true;
      this.kick();
    });
  }

  getStats(): IngestQueueStats {
    return { queuedRecords: this.queuedRecords, ...this.stats };
  }

  /** Refuses new requests and resolves once everything accepted is committed. */
  async close(): Promise<void> {
    this.closed = true;
    await this.whenVisible();
  }

  private push(batch: WriteBatch, position: SpoolPosition, records: number): void {
    this.pending.push({ batch, records, position, seq: ++this.acceptedSeq });
    this.pendingRecords += records;
    this.kick();
  }

  private kick(): void {
    if (this.writing !== null || this.pending.length === 0) return;
    if (this.urgent || this.closed || this.pendingRecords >= this.maxRecordsPerCommit) {
      if (this.lingerTimer !== null) clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
      this.writing = this.writeLoop();
      return;
    }
    this.lingerTimer ??= setTimeout(() => {
      this.lingerTimer = null;
      this.urgent = true;
      this.kick();
    }, this.lingerMs);
  }

  private async writeLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.takeGroup();
      const records = recordsIn(group);
      const last = group.at(-1)!;
      const position = last.position;
      try {
        await this.store.write(mergeBatches(group), positionToString(position));
      } catch (error) {
        this.stats.failedCommits++;
        this.onError(error, records);
        // Put the group back and wait; the spool still has it, so nothing is lost meanwhile.
        this.pending = [...group, ...this.pending];
        this.pendingRecords += records;
        const delay = RETRY_DELAYS_MS[Math.min(this.failures++, RETRY_DELAYS_MS.length - 1)]!;
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
        continue;
      }
      this.failures = 0;
      this.stats.commits++;
      this.stats.committedRecords += records;
      this.queuedRecords -= records;
      this.committedSeq = last.seq;
      this.spool.release(position);
      this.resolveVisible();
    }
    this.writing = null;
    this.urgent = this.visibilityWaiters.length > 0;
    if (this.pending.length > 0) this.kick();
  }

  private resolveVisible(): void {
    if (this.visibilityWaiters.length === 0) return;
    const still: typeof this.visibilityWaiters = [];
    for (const waiter of this.visibilityWaiters) {
      if (waiter.seq <= this.committedSeq) waiter.resolve();
      else still.push(waiter);
    }
    this.visibilityWaiters = still;
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
    this.pendingRecords -= records;
    return group;
  }
}

function countOf(batch: WriteBatch): number {
  return batch.spans.length + batch.logs.length + batch.metricPoints.length;
}

function recordsIn(group: Pending[]): number {
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
