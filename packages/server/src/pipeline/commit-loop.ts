import type { BatchKey, StoreWriter, WriteBatch } from '../store/store.js';
import type { CommitLoopOptions } from './commit-loop-options.js';
import { CommitFailure, EntryFailure, messageOf } from './commit-failures.js';
import { CommitLinger } from './commit-linger.js';
import { isLackOfSpace } from './lack-of-space.js';
import { type QuarantineReason, keepDamaged, quarantineEntry, quarantineIdOf } from './quarantine.js';
import { SpoolReadBack } from './read-back.js';
import { type SpoolEntry, type SpoolPosition, comparePositions, positionFromString, positionToString, readSpool } from './spool.js';

export type { CommitLoopOptions, EntryDecoder } from './commit-loop-options.js';

interface Queued {
  /** The batch the receiver decoded, until it is handed to the store. */
  batch?: WriteBatch;
  /** The spooled request, when it was read back from the spool (to decode, or to quarantine). */
  entry?: SpoolEntry;
  position: SpoolPosition;
  seq: number;
  /** Records it decoded to, once it has been. */
  records?: number;
}

/** What the open store transaction holds. */
interface OpenWrite {
  records: number;
  firstSeq: number;
  position: SpoolPosition;
  seq: number;
  openedAt: number;
  /** The entry, when it holds exactly one: a failure of the transaction is that entry's. */
  only: Queued | null;
}

const RETRY_DELAYS_MS = [100, 500, 2000, 5000];
/**
 * The longest wait between tries while the disk is full: room freed is used within a second (and
 * `/ready` says so), and a try refused for lack of space costs some 25 ms of CPU (measured on a
 * full tmpfs: 0.7 s over 29 tries beyond an idle server's).
 */
const LACK_OF_SPACE_RETRY_MS = 1000;

/**
 * The single writer in front of the store. Each spooled entry's batch (decoded by the receiver,
 * or from the spool when read back) is handed to the store's open transaction as soon as the
 * writer gets to it, so records do not wait in memory;
 * the transaction is committed every `maxRecordsPerCommit` records, after `lingerMs`, or at
 * once when a reader waits, together with the spool position it covers. A failed commit is
 * rolled back and its entries are read back from the spool.
 */
export class CommitLoop {
  private readonly maxRecordsPerCommit: number;
  private readonly linger: CommitLinger;
  private queue: Queued[] = [];
  private openWrite: OpenWrite | null = null;
  /** The last entry handed to the store, committed or not. */
  private lastAppended: { position: SpoolPosition; seq: number } | null = null;
  /** A commit that failed, and the records its transaction held; the loop recovers before it appends again. */
  private failed: { error: unknown; records?: number } | null = null;
  /**
   * Records a transaction may hold (at least one entry) since a commit failed for lack of space,
   * until the loop has caught up: each such failure halves it, so a backlog is committed in
   * pieces that fit in the room there is. `null`: `maxRecordsPerCommit`.
   */
  private spaceCap: number | null = null;
  private committedPosition: SpoolPosition | null = null;
  private committedSeq = 0;
  private wantedSeq = 0;
  private running = false;
  private closing = false;
  /** Set by `close` after it gave up for lack of space: the loop tries nothing more. */
  private stopped = false;
  /** Whether the last failure was for lack of space, and no commit has succeeded since. */
  private lackingSpace = false;
  /** Ends `close`'s wait, when it gives up for lack of space. */
  private giveUp: (() => void) | null = null;
  /** Ends the wait between tries at once (when `close` stops the loop). */
  private wakeUp: (() => void) | null = null;
  private runEnded: Promise<void> = Promise.resolve();
  private waitingFrom = performance.now();
  private failures = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly maxAttempts: number;
  private readonly serverId: string;
  /** The entry being appended: an append that fails is its failure. */
  private appending: Queued | null = null;
  /**
   * After a failure, entries up to this position are committed one per transaction, each
   * awaited, so the next failure names the entry that causes it.
   */
  private isolateUntil: SpoolPosition | null = null;
  /** Failed tries per entry (by quarantine id) that is not yet committed. */
  private readonly attempts = new Map<string, number>();
  /** Entries read back from the spool: left on disk, or lost by a failed commit. */
  private readonly readBack: SpoolReadBack;
  /** Entries quarantined and not yet behind the committed position: skipped when read again. */
  private readonly quarantined = new Set<string>();

  constructor(
    private readonly store: StoreWriter,
    private readonly options: CommitLoopOptions,
  ) {
    this.readBack = new SpoolReadBack(options.spoolDir);
    this.maxRecordsPerCommit = options.maxRecordsPerCommit ?? 50_000;
    this.linger = new CommitLinger(options.lingerMs ?? 500, options.wholeRecords);
    this.maxAttempts = options.maxAttempts ?? 3;
    this.serverId = options.serverId ?? 'server-1';
  }

  private keyOf(position: SpoolPosition): BatchKey {
    return { serverId: this.serverId, position: positionToString(position) };
  }

  /**
   * Commits every spooled entry after the store's last committed position (what a crash left
   * behind), numbering them from 1. Returns how many entries were replayed.
   */
  async replay(): Promise<number> {
    this.committedPosition = positionFromString(await this.store.readPosition(this.serverId));
    let seq = 0;
    for (const item of readSpool(this.options.spoolDir, this.committedPosition)) {
      if ('tornBytes' in item) continue; // a write the crash interrupted was never acknowledged
      if ('damaged' in item) {
        if (this.options.quarantineDir !== undefined) {
          try {
            keepDamaged(this.options.quarantineDir, item.segment, item.offset, item.damaged);
          } catch (error) {
            // Kept for whoever wants to look (a full disk refuses it): no reason not to start.
            this.options.onError?.(error, 0);
          }
        }
        this.options.onDamaged?.(item.segment, item.offset, item.damaged.byteLength);
        continue;
      }
      this.queue.push({ entry: item.entry, position: item.position, seq: ++seq });
    }
    if (seq > 0) await this.commitUpTo(seq);
    return seq;
  }

  /** The spool segment of the last committed position (0 when nothing is committed yet). */
  committedSegment(): number {
    return this.committedPosition?.segment ?? 0;
  }

  /**
   * Queues a spooled entry's batch; `seq` numbers entries in spool order. Without a batch (the
   * receiver left it on disk), the entry is read back from the spool when its turn comes.
   */
  push(batch: WriteBatch | null, position: SpoolPosition, seq: number): void {
    if (this.waitingEntries() === 0) this.waitingFrom = performance.now();
    this.queue.push(batch === null ? { position, seq } : { batch, position, seq });
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

  /**
   * Commits everything queued; later pushes are still taken. Gives up, and stops trying, once a
   * commit fails for lack of space: what is not committed stays in the spool for the next start,
   * and waiting would hold a stop until someone frees room. Resolves once the loop has stopped.
   */
  async close(): Promise<void> {
    this.closing = true;
    const last = this.queue.at(-1)?.seq ?? this.lastAppended?.seq ?? this.committedSeq;
    await new Promise<void>((resolve) => {
      this.giveUp = resolve;
      if (this.lackingSpace) resolve();
      void this.commitUpTo(last).then(resolve);
    });
    this.giveUp = null;
    if (this.committedSeq < last) {
      this.stopped = true;
      this.wakeUp?.();
      await this.runEnded;
    }
    this.linger.clear();
  }

  /** Entries received and not yet handed to the store: the backlog. */
  queuedEntries(): number {
    return this.queue.length;
  }

  /** Entries not yet committed: queued, appended, or in a commit not yet durable (entries are numbered one by one). */
  waitingEntries(): number {
    const last = this.queue.at(-1)?.seq ?? this.lastAppended?.seq ?? this.committedSeq;
    return Math.max(0, last - this.committedSeq);
  }

  /** When the entries waiting now began to wait (`performance.now()`): the push that found none waiting. */
  waitingSince(): number {
    return this.waitingFrom;
  }

  /** Whether the last commit failed for lack of space (and none has succeeded since). */
  lacksSpace(): boolean {
    return this.lackingSpace;
  }

  private kick(): void {
    if (!this.running && !this.stopped) this.runEnded = this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped && (this.failed !== null || this.queue.length > 0 || this.commitDue())) {
        try {
          if (this.failed !== null) {
            const { error, records } = this.failed;
            this.failed = null;
            throw records === undefined ? error : new CommitFailure(error, records);
          }
          const next = this.queue.shift();
          if (next !== undefined) {
            const previous = this.lastAppended?.position ?? this.committedPosition;
            // Counted as handed over before the append: if it fails, recovery reads it back too.
            this.lastAppended = { position: next.position, seq: next.seq };
            const batch = this.quarantined.size > 0 && this.quarantined.has(quarantineIdOf(next.position)) ? null : this.decode(next, previous);
            if (batch !== null) {
              this.appending = next;
              await this.store.append(batch, this.keyOf(next.position));
              this.appending = null;
            }
            // A quarantined entry adds no records, but the next commit's position covers it.
            this.cover(next, batch === null ? 0 : batch.records);
          }
          if (this.isolateUntil !== null && this.openWrite !== null) await this.commitAlone();
          else if (this.commitDue()) this.startCommit();
        } catch (error) {
          await this.recover(error).catch(async (failure: unknown) => {
            // Recovering failed before it queued the lost entries again (reading the spool back):
            // the next turn recovers again. Nothing here may end the loop, or the thread.
            this.failed = { error: failure };
            await this.wait(failure);
          });
        }
      }
    } finally {
      this.running = false;
    }
    if (this.openWrite !== null) this.linger.arm(this.openWrite.openedAt, this.openWrite.records, () => this.kick());
  }

  /**
   * Decodes an entry. The same decoder accepted it before it was spooled, so a failure here
   * (a bug, or a spool written by another version) will not pass by retrying: the entry is
   * quarantined at once and `null` returned. Throws when even that fails (the disk is full).
   */
  private decode(item: Queued, previous: SpoolPosition | null): WriteBatch | null {
    let batch: WriteBatch;
    if (item.batch !== undefined) {
      batch = item.batch;
      // Handed over once: if it fails, the entry is read back from the spool.
      delete item.batch;
      item.records = batch.records;
      return batch;
    }
    item.entry ??= this.readBack.read(item.position, previous) ?? undefined;
    if (item.entry === undefined) {
      // The spool no longer has it: nothing to write, and nothing to do about it but say so.
      this.options.onError?.(new Error(`spooled entry ${positionToString(item.position)} is gone from the spool`), 0);
      return null;
    }
    try {
      batch = this.options.decode(item.entry, item.seq);
    } catch (error) {
      this.options.onError?.(error, 0);
      if (this.options.quarantineDir === undefined) return { records: 0, tables: [] };
      this.quarantine(item, `the entry cannot be decoded: ${messageOf(error)}`, 1);
      return null;
    }
    item.records = batch.records;
    return batch;
  }

  /** Adds an entry handed to the store (or skipped) to the open write. */
  private cover(item: Queued, records: number): void {
    const open = (this.openWrite ??= { records: 0, firstSeq: item.seq, position: item.position, seq: item.seq, openedAt: Date.now(), only: item });
    if (open.only !== item) open.only = null;
    open.records += records;
    open.position = item.position;
    open.seq = item.seq;
  }

  /**
   * Commits the open write and waits until it is durable: while isolating, each entry is its own
   * transaction, so a failure belongs to it.
   */
  private async commitAlone(): Promise<void> {
    const open = this.openWrite!;
    await this.startCommit();
    if (comparePositions(open.position, this.isolateUntil!) >= 0) this.isolateUntil = null;
  }

  /**
   * Writes an entry to the quarantine; the next commit moves the store's position past it. Throws
   * when the disk refuses (the entry then stays in the spool).
   */
  private quarantine(item: Queued, error: string, attempts: number): void {
    const reason: QuarantineReason = { records: item.records ?? null, attempts, error, quarantinedAtMs: Date.now() };
    const entry = item.entry ?? entryAt(this.options.spoolDir, item.position);
    if (entry === null) return;
    const id = quarantineEntry(this.options.quarantineDir!, item.position, entry, reason);
    this.quarantined.add(id);
    this.attempts.delete(id);
    this.options.onQuarantine?.(id, reason);
  }

  /**
   * Whether the store takes a write at all: a transaction that records again the position it
   * has committed. A store that refuses it is down (full disk, lost file); an entry that
   * fails while it passes is the entry's fault.
   */
  private async storeTakesWrites(): Promise<boolean> {
    try {
      // The store's own position: committing it again moves nothing.
      const stored = await this.store.readPosition(this.serverId);
      await this.store.commit(stored === null ? null : { serverId: this.serverId, position: stored });
      return true;
    } catch {
      await this.store.rollback().catch(() => {
        // As in recover: the next append starts a new transaction.
      });
      return false;
    }
  }

  private commitDue(): boolean {
    const open = this.openWrite;
    if (open === null) return false;
    // Entries a reader (or close) waits for go into one transaction, not one commit each.
    const next = this.queue[0];
    const waited = this.closing || this.wantedSeq >= open.firstSeq;
    const joining = next !== undefined && (this.closing || next.seq <= this.wantedSeq);
    return open.records >= (this.spaceCap ?? this.maxRecordsPerCommit) || (waited && !joining) || Date.now() >= this.linger.dueAt(open.openedAt, open.records);
  }

  /** Whether the open transaction is held for more records: nothing to append or recover, its linger not up. */
  lingering(): boolean {
    return !this.running && this.failed === null && this.queue.length === 0 && this.openWrite !== null && !this.commitDue();
  }

  /** Records per transaction now: fewer than `maxRecordsPerCommit` while a backlog is committed in pieces. */
  recordsPerCommit(): number {
    return this.spaceCap ?? this.maxRecordsPerCommit;
  }

  /**
   * Commits the open transaction. The loop goes on without waiting for it to be durable (the next
   * batches go to the store's next transaction meanwhile) unless it awaits the returned promise;
   * a failure it does not await is taken up by the loop. Commits finish in order.
   */
  private startCommit(): Promise<void> {
    const open = this.openWrite!;
    this.openWrite = null;
    // The timer was this transaction's: the next one's linger starts from its own first record.
    this.linger.clear();
    const began = performance.now();
    const durable = this.store.commit(this.keyOf(open.position)).then(() => {
      const commitMs = performance.now() - began;
      if (open.seq <= this.committedSeq) return;
      this.failures = 0;
      this.lackingSpace = false;
      this.committedSeq = open.seq;
      this.committedPosition = open.position;
      this.forgetBefore(open.position);
      // Caught up: what comes now is no backlog, and goes in transactions of the usual size.
      if (this.spaceCap !== null && this.queue.length === 0 && this.openWrite === null) this.spaceCap = null;
      this.options.onCommit(open.seq, open.position, open.records, commitMs);
      for (const waiter of this.idleWaiters.splice(0)) waiter();
    });
    if (this.isolateUntil !== null) return durable.catch((error: unknown) => Promise.reject(new EntryFailure(error, open.only, open.records)));
    durable.catch((error: unknown) => {
      // The first failure's transaction: the ones after it fail with it, whatever their size.
      this.failed ??= { error, records: open.records };
      this.kick();
    });
    return Promise.resolve();
  }

  /** Drops what is kept about entries the store has now committed. */
  private forgetBefore(position: SpoolPosition): void {
    if (this.quarantined.size === 0 && this.attempts.size === 0) return;
    const last = quarantineIdOf(position);
    for (const id of this.quarantined) if (id <= last) this.quarantined.delete(id);
    for (const id of this.attempts.keys()) if (id <= last) this.attempts.delete(id);
  }

  /**
   * Rolls back everything not yet durable and queues those entries again from the spool (their
   * records were handed to the store, not kept), then waits before the next try.
   */
  private async recover(failure: unknown): Promise<void> {
    // Whose failure it was, when one entry's: the one being appended, or alone in its commit.
    const culprit = failure instanceof EntryFailure ? (failure as EntryFailure<Queued>).entry : this.appending;
    const error = failure instanceof EntryFailure || failure instanceof CommitFailure ? failure.cause : failure;
    // The records of the transaction that failed (an append's: what it held, and the entry).
    const failedRecords =
      failure instanceof EntryFailure || failure instanceof CommitFailure ? failure.records : (this.openWrite?.records ?? 0) + (this.appending?.records ?? 0);
    const noSpace = isLackOfSpace(error);
    // Half as many records a transaction, at least one entry: a transaction's write-ahead log needs
    // room for all of it at once, while pieces let the store checkpoint in between. Measured on a
    // 40 MiB tmpfs: the backlog of 50 requests of 1,000 spans failed whole for minutes.
    if (noSpace && failedRecords > 0) this.spaceCap = Math.max(1, Math.floor(Math.min(this.recordsPerCommit(), failedRecords) / 2));
    this.lackingSpace = noSpace;
    if (noSpace) this.giveUp?.();
    this.appending = null;
    this.readBack.reset();
    const lost = this.lastAppended;
    this.options.onError?.(error, this.openWrite?.records ?? 0);
    await this.store.rollback().catch(() => {
      // Rolling back a broken transaction may fail too; the next append starts a new one.
    });
    // A commit that settled while rolling back is reported by its own callback.
    this.failed = null;
    this.openWrite = null;
    // The store knows best what it committed (a commit's callback may not have run yet).
    const stored = positionFromString(await this.store.readPosition(this.serverId).catch(() => null)) ?? this.committedPosition;
    if (lost !== null && (stored === null || comparePositions(lost.position, stored) > 0)) {
      const again: Queued[] = [];
      for (const item of readSpool(this.options.spoolDir, stored)) {
        // Torn tails and damage were reported when the spool was replayed.
        if (!('entry' in item)) continue;
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
    // A lack of space is no entry's fault: there is no culprit to find, the pieces are halved instead.
    if (lost !== null && !noSpace && (this.isolateUntil === null || comparePositions(lost.position, this.isolateUntil) > 0)) this.isolateUntil = lost.position;
    const id = culprit === null ? null : quarantineIdOf(culprit.position);
    // A lack of space is never the entry's fault, even when a smaller write (the probe) still fits.
    if (culprit !== null && id !== null && this.options.quarantineDir !== undefined && !this.quarantined.has(id) && !noSpace) {
      const attempts = (this.attempts.get(id) ?? 0) + 1;
      this.attempts.set(id, attempts);
      // Given up on only while the store takes other writes: during an outage every entry fails.
      if (attempts >= this.maxAttempts && (await this.storeTakesWrites())) {
        try {
          this.quarantine(culprit, `the store refused it ${attempts} times: ${messageOf(error)}`, attempts);
          return;
        } catch (failure) {
          // The quarantine could not be written (a full disk): the entry stays in the spool, is
          // tried again, and quarantined at its next failure.
          this.options.onError?.(failure, 0);
          await this.wait(failure);
          return;
        }
      }
    }
    await this.wait(error);
  }

  /** Waits before the next try: longer after each failure in a row, at most a second for lack of space. */
  private async wait(error: unknown): Promise<void> {
    const delay = RETRY_DELAYS_MS[Math.min(this.failures++, RETRY_DELAYS_MS.length - 1)]!;
    if (this.stopped) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, isLackOfSpace(error) ? Math.min(delay, LACK_OF_SPACE_RETRY_MS) : delay);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = null;
  }
}

/** The entry spooled at `position`, or `null` when the spool no longer has it. */
function entryAt(spoolDir: string, position: SpoolPosition): SpoolEntry | null {
  for (const item of readSpool(spoolDir, { segment: position.segment, offset: 0 })) {
    if ('entry' in item && comparePositions(item.position, position) === 0) return item.entry;
  }
  return null;
}
