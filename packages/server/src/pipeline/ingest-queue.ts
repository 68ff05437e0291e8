import { AppError } from '../errors.js';
import type { WriteBatch } from '../store/tables.js';
import type { Spool, SpoolEntry, SpoolPosition } from './spool.js';

/** Where accepted entries' batches go to be committed: a `CommitLoop`, in this thread or another. */
export interface CommitSink {
  push(batch: WriteBatch, position: SpoolPosition, seq: number): void;
  /** Resolves once every entry up to `seq` is committed. */
  commitUpTo(seq: number): Promise<void>;
}

export interface IngestQueueOptions {
  /** Records accepted but not yet committed before new requests get 503. Default 200,000. */
  maxQueuedRecords?: number;
  /** Seconds a refused client is told to wait (`Retry-After`). Default 1. */
  retryAfterSeconds?: number;
}

/**
 * The accepting side of ingest. `submit` writes the request body to the spool and resolves once
 * it is on disk: that is what an HTTP 200 waits for. Its decoded batch then goes to the commit
 * sink. The
 * queue stays bounded: when the store falls `maxQueuedRecords` behind, requests get 503.
 */
export class IngestQueue {
  private readonly maxQueuedRecords: number;
  private readonly retryAfterSeconds: number;
  private queuedRecords = 0;
  private acceptedSeq = 0;
  private committedSeq = 0;
  /** Records per accepted entry, until its commit. */
  private readonly inFlight = new Map<number, number>();
  private closed = false;

  constructor(
    private readonly spool: Spool,
    private readonly sink: CommitSink,
    options: IngestQueueOptions = {},
  ) {
    this.maxQueuedRecords = options.maxQueuedRecords ?? 200_000;
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
      throw new AppError('ERR_STORE_UNAVAILABLE', 'the request could not be stored; retry later', {
        cause,
        retryAfterSeconds: this.retryAfterSeconds,
      });
    }
    const seq = ++this.acceptedSeq;
    this.inFlight.set(seq, records);
    this.sink.push(batch, position, seq);
  }

  /** Called by the sink's commit notifications: entries up to `seq` are committed. */
  committed(seq: number, position: SpoolPosition): void {
    this.committedSeq = Math.max(this.committedSeq, seq);
    for (const [s, records] of this.inFlight) {
      if (s > seq) break;
      this.queuedRecords -= records;
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

  queued(): number {
    return this.queuedRecords;
  }

  /** Refuses new requests and resolves once everything accepted is committed. */
  async close(): Promise<void> {
    this.closed = true;
    await this.whenVisible();
  }
}
