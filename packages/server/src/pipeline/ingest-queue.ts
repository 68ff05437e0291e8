import { AppError } from '../errors.js';
import type { WriteBatch } from '../store/tables.js';
import type { Spool, SpoolEntry, SpoolPosition } from './spool.js';

/** Where accepted entries' batches go to be committed: a `CommitLoop`, in this thread or another. */
export interface CommitSink {
  /** `batch` is `null` when it was left on disk: the sink reads the entry back from the spool. */
  push(batch: WriteBatch | null, position: SpoolPosition, seq: number): void;
  /** Resolves once every entry up to `seq` is committed. */
  commitUpTo(seq: number): Promise<void>;
}

export interface IngestQueueOptions {
  /**
   * Records handed to the sink in memory and not yet committed; past it, requests get 503 while
   * the store takes commits, and go to the spool alone while it does not. Default 200,000.
   */
  maxQueuedRecords?: number;
  /** Bytes acknowledged into the spool and not yet committed before requests get 503. Default 1 GiB. */
  maxSpoolBytes?: number;
  /** Seconds a refused client is told to wait (`Retry-After`). Default 1. */
  retryAfterSeconds?: number;
}

/** What the queue keeps of an accepted entry until its commit. */
interface InFlight {
  records: number;
  bytes: number;
  receivedUs: number;
  /** Whether its batch went to the sink in memory (else the sink reads it from the spool). */
  inMemory: boolean;
}

/**
 * The accepting side of ingest. `submit` writes the request body to the spool and resolves once
 * it is on disk: that is what an HTTP 200 waits for. Its decoded batch then goes to the commit
 * sink. Memory stays bounded: while the store takes commits and falls `maxQueuedRecords`
 * behind, requests get 503 (the store is slower than the load). While the store is down (and
 * until what piled up meanwhile is committed), requests are acknowledged into the spool alone,
 * their batches not kept, up to `maxSpoolBytes`; the sink reads them back from disk in order.
 */
export class IngestQueue {
  private readonly maxQueuedRecords: number;
  private readonly maxSpoolBytes: number;
  private readonly retryAfterSeconds: number;
  private queuedRecords = 0;
  /** Records of in-flight entries whose batches the sink holds in memory. */
  private memoryRecords = 0;
  private spooledBytes = 0;
  /** In-flight entries whose batches were left on disk. */
  private spilled = 0;
  private storeTakesCommits = true;
  private acceptedSeq = 0;
  private committedSeq = 0;
  private readonly inFlight = new Map<number, InFlight>();
  private closed = false;

  constructor(
    private readonly spool: Spool,
    private readonly sink: CommitSink,
    options: IngestQueueOptions = {},
  ) {
    this.maxQueuedRecords = options.maxQueuedRecords ?? 200_000;
    this.maxSpoolBytes = options.maxSpoolBytes ?? 1024 ** 3;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }

  /** Continues numbering after the entries replayed at start-up. */
  startAfter(seq: number): void {
    this.acceptedSeq = seq;
  }

  /**
   * Accepts a request and the batch it decoded to: resolves once its body is durably spooled.
   * Throws `ERR_INGEST_QUEUE_FULL` when the store is too far behind and `ERR_SHUTTING_DOWN`
   * after `close()`.
   */
  async submit(entry: SpoolEntry, batch: WriteBatch): Promise<void> {
    const { records } = batch;
    if (this.closed) throw new AppError('ERR_SHUTTING_DOWN', 'the server is shutting down', { retryAfterSeconds: this.retryAfterSeconds });
    if (records === 0) return;
    const bytes = entry.body.byteLength;
    if (this.spooledBytes > 0 && this.spooledBytes + bytes > this.maxSpoolBytes) {
      throw new AppError('ERR_SPOOL_FULL', `the spool holds ${this.spooledBytes} bytes not yet in the store, its limit (--spool-max)`, {
        retryAfterSeconds: this.retryAfterSeconds,
      });
    }
    // Entries go to disk alone while the store is down, and after it until those are committed, so
    // they are committed in order without holding the outage's records in memory.
    const spill = !this.storeTakesCommits || this.spilled > 0;
    if (!spill && this.memoryRecords > 0 && this.memoryRecords + records > this.maxQueuedRecords) {
      throw new AppError('ERR_INGEST_QUEUE_FULL', `the write queue is full (${this.memoryRecords} records waiting)`, {
        retryAfterSeconds: this.retryAfterSeconds,
      });
    }
    // Not spilling, it fits (or the queue is empty: one request larger than it is taken alone).
    const inMemory = !spill;
    this.take(records, bytes, inMemory, 1);
    let position: SpoolPosition;
    try {
      position = await this.spool.append(entry);
    } catch (cause) {
      this.take(records, bytes, inMemory, -1);
      throw new AppError('ERR_STORE_UNAVAILABLE', 'the request could not be stored; retry later', {
        cause,
        retryAfterSeconds: this.retryAfterSeconds,
      });
    }
    const seq = ++this.acceptedSeq;
    this.inFlight.set(seq, { records, bytes, receivedUs: entry.receivedUs, inMemory });
    this.sink.push(inMemory ? batch : null, position, seq);
  }

  /** Counts an entry in (`sign` 1) or out (-1). */
  private take(records: number, bytes: number, inMemory: boolean, sign: 1 | -1): void {
    this.queuedRecords += sign * records;
    this.spooledBytes += sign * bytes;
    if (inMemory) this.memoryRecords += sign * records;
    else this.spilled += sign;
  }

  /** Told whether the store takes commits: while it does not, requests go to the spool alone. */
  setStoreHealthy(healthy: boolean): void {
    this.storeTakesCommits = healthy;
  }

  /** Called by the sink's commit notifications: entries up to `seq` are committed. */
  committed(seq: number, position: SpoolPosition): void {
    this.committedSeq = Math.max(this.committedSeq, seq);
    for (const [s, entry] of this.inFlight) {
      if (s > seq) break;
      this.take(entry.records, entry.bytes, entry.inMemory, -1);
      this.inFlight.delete(s);
    }
    this.spool.release(position);
  }

  /** Resolves when everything accepted before the call is committed and visible to queries. */
  whenVisible(): Promise<void> {
    // Nothing outstanding: no need to ask the writer (whose thread may be busy appending).
    if (this.committedSeq >= this.acceptedSeq) return Promise.resolve();
    return this.sink.commitUpTo(this.acceptedSeq);
  }

  /** Bytes of request bodies acknowledged and not yet committed to the store. */
  spoolBytes(): number {
    return this.spooledBytes;
  }

  /** Seconds since the oldest acknowledged entry not yet committed was received; 0 when none. */
  oldestUnsentSeconds(nowUs: number): number {
    const oldest = this.inFlight.values().next();
    return oldest.done === true ? 0 : Math.max(0, (nowUs - oldest.value.receivedUs) / 1e6);
  }

  queued(): number {
    return this.queuedRecords;
  }

  /** Refuses new requests and resolves once everything accepted is committed. */
  async close(): Promise<void> {
    this.closed = true;
    await this.whenVisible();
  }
}
