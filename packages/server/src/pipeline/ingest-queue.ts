import { AppError } from '../errors.js';
import { isLackOfSpace } from './lack-of-space.js';
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
   * the store keeps up with commits, and go to the spool alone while it does not. Default 200,000.
   */
  maxQueuedRecords?: number;
  /**
   * Milliseconds without a finished commit, while records wait, after which the store counts as
   * stalled (a checkpoint, a merge, a slow disk): past `maxQueuedRecords`, requests then go to the
   * spool alone instead of getting 503. Default 2,000 (commits take well under a second).
   */
  stallMs?: number;
  /** A clock that only goes forward, in microseconds, for stalls. Default `performance.now()`. */
  nowUs?: () => number;
  /** Told of each request acknowledged into the spool alone, and why. */
  onSpilled?: (reason: SpillReason) => void;
  /** Bytes acknowledged into the spool and not yet committed before requests get 503. Default 1 GiB. */
  maxSpoolBytes?: number;
  /** Seconds a refused client is told to wait (`Retry-After`). Default 1. */
  retryAfterSeconds?: number;
  /** Room kept on the spool's disk for what is acknowledged to be committed (`DiskReserve`). Default: none. */
  reserve?: Reserve;
}

/** What the queue asks of a disk reserve: whether a request fits, and what was spooled. */
export interface Reserve {
  /** Why a request of `bytes` is refused with `pendingBytes` not yet committed before it; `null` when it fits. */
  refusal(bytes: number, pendingBytes: number): string | null;
  spooledBytes(bytes: number): void;
  /** Told after a commit: the room of what it committed may be free now. */
  refresh(): void;
}

/** What the queue keeps of an accepted entry until its commit. */
interface InFlight {
  records: number;
  bytes: number;
  receivedUs: number;
  /** When it was accepted, by the queue's clock. */
  queuedUs: number;
  /** Whether its batch went to the sink in memory (else the sink reads it from the spool). */
  inMemory: boolean;
}

/** Why an accepted entry's batch was left on disk. */
export type SpillReason = 'store_down' | 'store_stalled';

/** Where an accepted entry's batch goes: to the sink in memory, or left on disk, and why. */
type Placement = 'memory' | 'store_down' | 'stall' | 'after_stall';

/**
 * The accepting side of ingest. `submit` writes the request body to the spool and resolves once
 * it is on disk: that is what an HTTP 200 waits for. Its decoded batch then goes to the commit
 * sink. Memory stays bounded at `maxQueuedRecords` in batches; past it:
 * - while the store is down (and until what piled up meanwhile is committed), requests are
 *   acknowledged into the spool alone, their batches not kept, up to `maxSpoolBytes`; the sink
 *   reads them back from disk in order;
 * - while the store takes commits but none has finished for `stallMs` (DuckDB checkpointing
 *   inside a commit takes seconds), requests past the limit go to the spool alone the same way;
 *   after the stall the overflow goes on to disk until what the stall left there is committed,
 *   with at most `maxQueuedRecords` records on disk;
 * - otherwise the store is slower than the load, and requests get 503.
 * A request whose body alone would not give its batch again (`fromBody` false: the receiver
 * dropped spans of it already stored, or a running snapshot of a span that had ended) is not left
 * on disk for a stall: it gets 503 instead. (While the store is down it is, as any: what a failed
 * commit or a crash reads back is decoded from the body alone too.)
 */
export class IngestQueue {
  private readonly maxQueuedRecords: number;
  private readonly maxSpoolBytes: number;
  private readonly retryAfterSeconds: number;
  private readonly stallUs: number;
  private readonly nowUs: () => number;
  private queuedRecords = 0;
  /** Records of in-flight entries whose batches the sink holds in memory. */
  private memoryRecords = 0;
  private spooledBytes = 0;
  /** In-flight entries whose batches were left on disk, and their records. */
  private spilled = 0;
  private spilledRecords = 0;
  private storeTakesCommits = true;
  /**
   * Whether requests are refused because the store lacked room on the spool's own disk: from its
   * failure until every entry accepted before it (`noRoomUntil`) is committed.
   */
  private noRoom = false;
  private noRoomUntil = 0;
  /** Whether what the store missed while it was down is still being committed (all goes to disk). */
  private outageBacklog = false;
  /** When the sink last told of a commit (or the queue was made). */
  private lastCommitUs: number;
  /** The last entry left on disk while a commit stalled: until it is committed, overflow goes on to disk. */
  private stallSeq = 0;
  private acceptedSeq = 0;
  private committedSeq = 0;
  private readonly inFlight = new Map<number, InFlight>();
  private closed = false;
  /** Whether the store's last commit failed for lack of space, on whatever disk. */
  private storeLacksSpace = false;
  /** Ends `close`'s wait when the store lacks space. */
  private giveUp: (() => void) | null = null;

  constructor(
    private readonly spool: Spool,
    private readonly sink: CommitSink,
    private readonly options: IngestQueueOptions = {},
  ) {
    this.maxQueuedRecords = options.maxQueuedRecords ?? 200_000;
    this.maxSpoolBytes = options.maxSpoolBytes ?? 1024 ** 3;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
    this.stallUs = (options.stallMs ?? 2_000) * 1000;
    this.nowUs = options.nowUs ?? ((): number => performance.now() * 1000);
    this.lastCommitUs = this.nowUs();
  }

  /** Continues numbering after the entries replayed at start-up, which the database thread committed before it was ready. */
  startAfter(seq: number): void {
    this.acceptedSeq = seq;
    this.committedSeq = seq;
  }

  /**
   * Accepts a request and the batch it decoded to: resolves once its body is durably spooled.
   * `fromBody` false says decoding the body again would not give this batch (see the class).
   * Throws `ERR_INGEST_QUEUE_FULL` when the store is too far behind and `ERR_SHUTTING_DOWN`
   * after `close()`.
   */
  async submit(entry: SpoolEntry, batch: WriteBatch, fromBody = true): Promise<void> {
    const { records } = batch;
    if (this.closed) throw new AppError('ERR_SHUTTING_DOWN', 'the server is shutting down', { retryAfterSeconds: this.retryAfterSeconds });
    if (records === 0) return;
    if (this.noRoom) {
      throw new AppError(
        'ERR_STORE_UNAVAILABLE',
        'the store cannot commit: no space left on the disk of the data directory; requests are refused until what was acknowledged is committed, retry later',
        {
          retryAfterSeconds: this.retryAfterSeconds,
        },
      );
    }
    const bytes = entry.body.byteLength;
    if (this.spooledBytes > 0 && this.spooledBytes + bytes > this.maxSpoolBytes) {
      throw new AppError('ERR_SPOOL_FULL', `the spool holds ${this.spooledBytes} bytes not yet in the store, its limit (--spool-max)`, {
        retryAfterSeconds: this.retryAfterSeconds,
      });
    }
    const reserve = this.options.reserve;
    if (reserve !== undefined) {
      const refusal = reserve.refusal(bytes, this.spooledBytes);
      if (refusal !== null) throw new AppError('ERR_SPOOL_FULL', `${refusal}; retry later`, { retryAfterSeconds: this.retryAfterSeconds });
    }
    const placement = this.place(records, fromBody);
    // Counted before the write: requests spooled side by side each see the others' bytes.
    reserve?.spooledBytes(bytes);
    const inMemory = placement === 'memory';
    this.take(records, bytes, inMemory, 1);
    let position: SpoolPosition;
    try {
      position = await this.spool.append(entry);
    } catch (cause) {
      this.take(records, bytes, inMemory, -1);
      const why = isLackOfSpace(cause) ? ': no space left on the disk of the data directory' : '';
      throw new AppError('ERR_STORE_UNAVAILABLE', `the request could not be stored${why}; retry later`, {
        cause,
        retryAfterSeconds: this.retryAfterSeconds,
      });
    }
    const seq = ++this.acceptedSeq;
    if (placement === 'stall') this.stallSeq = seq;
    if (!inMemory) this.options.onSpilled?.(placement === 'store_down' ? 'store_down' : 'store_stalled');
    this.inFlight.set(seq, { records, bytes, receivedUs: entry.receivedUs, queuedUs: this.nowUs(), inMemory });
    this.sink.push(inMemory ? batch : null, position, seq);
  }

  /** Where a request of `records` goes; throws `ERR_INGEST_QUEUE_FULL` when it is to be refused. */
  private place(records: number, fromBody: boolean): Placement {
    // Entries go to disk alone while the store is down, and after it until those are committed, so
    // they are committed in order without holding the outage's records in memory.
    if (!this.storeTakesCommits || this.outageBacklog) return 'store_down';
    // It fits (or the queue is empty: one request larger than it is taken alone).
    if (this.memoryRecords === 0 || this.memoryRecords + records <= this.maxQueuedRecords) return 'memory';
    // Full. A store that stopped finishing commits (a checkpoint) is waited for on disk; once it
    // finishes them again, the overflow goes on to disk until what the stall left there is committed.
    if (fromBody && this.stalled()) return 'stall';
    if (fromBody && this.committedSeq < this.stallSeq && this.spilledRecords + records <= this.maxQueuedRecords) return 'after_stall';
    throw this.full();
  }

  private full(): AppError {
    return new AppError('ERR_INGEST_QUEUE_FULL', `the write queue is full (${this.memoryRecords} records waiting)`, {
      retryAfterSeconds: this.retryAfterSeconds,
    });
  }

  /** Whether no commit has finished for `stallMs` while the oldest entry in flight waited. */
  private stalled(): boolean {
    const oldest = this.oldest();
    return oldest !== undefined && this.nowUs() - Math.max(this.lastCommitUs, oldest.queuedUs) >= this.stallUs;
  }

  /** The oldest entry not yet committed, if any (entries are kept in the order accepted). */
  private oldest(): InFlight | undefined {
    return this.inFlight.values().next().value;
  }

  /** Counts an entry in (`sign` 1) or out (-1). */
  private take(records: number, bytes: number, inMemory: boolean, sign: 1 | -1): void {
    this.queuedRecords += sign * records;
    this.spooledBytes += sign * bytes;
    if (inMemory) {
      this.memoryRecords += sign * records;
    } else {
      this.spilled += sign;
      this.spilledRecords += sign * records;
    }
  }

  /**
   * Told whether the store takes commits: while it does not, requests go to the spool alone. When
   * it does not for lack of room on the spool's own disk (`noRoom`), they are refused instead, and
   * until what was accepted before is committed: what the spool took would be the room the store
   * needs for that backlog (measured on a 40 MiB disk: the room freed went to new requests within
   * a second, and the backlog then never fitted). The spool starts a new segment meanwhile, so the
   * room its committed part holds comes back once the backlog is committed.
   */
  setStoreHealthy(healthy: boolean, noRoom = false, lacksSpace = noRoom): void {
    this.storeTakesCommits = healthy;
    this.storeLacksSpace = !healthy && lacksSpace;
    if (this.storeLacksSpace) this.giveUp?.();
    if (!healthy && noRoom) {
      this.noRoom = true;
      this.noRoomUntil = this.acceptedSeq;
      this.spool.rollSoon();
    }
    this.endNoRoom();
    if (!healthy) this.outageBacklog = true;
    else if (this.spilled === 0) this.outageBacklog = false;
  }

  /** Called by the sink's commit notifications: entries up to `seq` are committed. */
  committed(seq: number, position: SpoolPosition): void {
    this.lastCommitUs = this.nowUs();
    this.committedSeq = Math.max(this.committedSeq, seq);
    for (const [s, entry] of this.inFlight) {
      if (s > seq) break;
      this.take(entry.records, entry.bytes, entry.inMemory, -1);
      this.inFlight.delete(s);
    }
    if (this.spilled === 0 && this.storeTakesCommits) this.outageBacklog = false;
    this.endNoRoom();
    void this.spool.release(position);
    this.options.reserve?.refresh();
  }

  /** Takes requests again once the store commits and has committed what it lacked room for. */
  private endNoRoom(): void {
    if (this.noRoom && this.storeTakesCommits && this.committedSeq >= this.noRoomUntil) this.noRoom = false;
  }

  /** Whether requests are refused for lack of room (see `setStoreHealthy`): the server is not ready. */
  refusesForRoom(): boolean {
    return this.noRoom;
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
    const oldest = this.oldest();
    return oldest === undefined ? 0 : Math.max(0, (nowUs - oldest.receivedUs) / 1e6);
  }

  /** Seconds the oldest entry in flight has waited since it was accepted; 0 when none. */
  waitingSeconds(): number {
    const oldest = this.oldest();
    return oldest === undefined ? 0 : Math.max(0, (this.nowUs() - oldest.queuedUs) / 1e6);
  }

  queued(): number {
    return this.queuedRecords;
  }

  /**
   * Refuses new requests and resolves once everything accepted is committed, or once the store
   * fails to commit for lack of space (on any disk): what is left is in the spool, committed at the
   * next start, and a stop must not wait for someone to free room.
   */
  async close(): Promise<void> {
    this.closed = true;
    await new Promise<void>((resolve) => {
      this.giveUp = resolve;
      if (this.storeLacksSpace) resolve();
      // A database thread that closes first (after a stop for lack of space) will commit nothing more.
      void this.whenVisible().then(resolve, resolve);
    });
    this.giveUp = null;
  }

  /** Whether everything acknowledged is committed. */
  allCommitted(): boolean {
    return this.committedSeq >= this.acceptedSeq;
  }
}
