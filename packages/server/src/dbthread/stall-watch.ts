import type { StoreWriter } from '../store/store.js';
import { sizeOf } from './checkpoints.js';

/**
 * What held the commits: a `checkpoint` the server ran (`checkpoints.ts`; one DuckDB runs inside a
 * commit on its own, with `SPOOR_CHECKPOINTS=commit`, counts as the `commit`), a `commit`, an
 * `append` of a batch, a `read` (no write in progress, a call of the API running on the thread), or
 * `waiting` (nothing of the store in progress: the writer itself waits, for a retry or a batch
 * read back from the spool).
 */
export type StallCause = 'checkpoint' | 'commit' | 'append' | 'read' | 'waiting';

export const STALL_CAUSES: readonly StallCause[] = ['checkpoint', 'commit', 'append', 'read', 'waiting'];

/** A second with no commit while records waited (`second`), or a commit that took over a second (`slow_commit`). */
export interface StallMarker {
  kind: 'second' | 'slow_commit';
  cause: StallCause;
  /** How long the step in progress had run (a second), or how long the commit took. */
  stepMs: number;
  /** The calls of the API in progress on the thread, by name (`traces.list`), with how many of each. */
  reads: Record<string, number>;
  /** The DuckDB write-ahead log's and file's bytes (`null` on ClickHouse). */
  walBytes: number | null;
  fileBytes: number | null;
  /** Entries waiting for a commit (queued, or in the open transaction). */
  waitingEntries: number;
  sinceCommitMs: number;
  /** How late the watch's own timer ran: the thread's event loop held by synchronous work for that long. */
  lateMs: number;
}

export interface StallWatchOptions {
  /** The DuckDB file, whose write-ahead log is read beside it; `null` for ClickHouse. */
  dbPath: string | null;
  /** Entries waiting for a commit now. */
  waiting: () => number;
  /** When the entries waiting now began to wait (`performance.now()`): a second is a stall only if they waited all of it. */
  waitingSince?: () => number;
  /** Whether the writer holds its open transaction by choice (its linger not up, nothing to append): records wait, nothing stalls. */
  lingering?: () => boolean;
  emit: (marker: StallMarker) => void;
  /** A second without a commit is a stall; a commit this long is slow. Default 1,000 ms. */
  stallMs?: number;
}

/**
 * Watches the database thread's writer: each tick (every `stallMs`) that finds records waiting and
 * no commit finished for `stallMs` marks a stalled second with what the writer and DuckDB were doing,
 * and every commit longer than `stallMs` is marked when it ends. Reading two file sizes a second
 * costs nothing the commits would feel.
 */
export class StallWatch {
  private readonly stallMs: number;
  private lastCommitAt = performance.now();
  /** Commits asked for and not settled, oldest first, with when each began and the log's size then. */
  private readonly commits: Array<{ since: number }> = [];
  /** The last checkpoint: when it began, and ended (`null` while it runs). */
  private lastCheckpoint: { since: number; ended: number | null } | null = null;
  private appendSince: number | null = null;
  private readonly reads = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private tickAt = 0;
  /** The last tick that found nothing waiting. */
  private quietSince = performance.now();

  constructor(private readonly options: StallWatchOptions) {
    this.stallMs = options.stallMs ?? 1000;
  }

  start(): void {
    this.quietSince = performance.now();
    this.tickAt = performance.now() + this.stallMs;
    this.timer = setInterval(() => this.tick(), this.stallMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The writer, its appends and commits watched. */
  watchWriter(writer: StoreWriter): StoreWriter {
    return {
      append: async (batch, key) => {
        this.appendSince = performance.now();
        try {
          await writer.append(batch, key);
        } finally {
          this.appendSince = null;
        }
      },
      commit: async (key) => {
        const step = { since: performance.now() };
        this.commits.push(step);
        try {
          await writer.commit(key);
          this.lastCommitAt = performance.now();
          const took = this.lastCommitAt - step.since;
          if (took >= this.stallMs) this.mark('slow_commit', this.heldByCheckpoint(step.since) ? 'checkpoint' : 'commit', took, 0);
        } finally {
          this.commits.splice(this.commits.indexOf(step), 1);
          // Commits finish in order: the next one's own time (and the log it found) starts now, not
          // while it waited behind this one.
          const next = this.commits[0];
          if (next !== undefined) next.since = Math.max(next.since, performance.now());
        }
      },
      rollback: () => writer.rollback(),
      write: (batch, key) => writer.write(batch, key),
      readPosition: (serverId) => writer.readPosition(serverId),
    };
  }

  /** A checkpoint the server runs, from now until `done` settles. */
  checkpoint(done: Promise<unknown>): void {
    const checkpoint: { since: number; ended: number | null } = { since: performance.now(), ended: null };
    this.lastCheckpoint = checkpoint;
    void done.finally(() => (checkpoint.ended = performance.now()));
  }

  /** The thread's calls, each counted as in progress until it settles (a call answered at once is not). */
  watchCalls<T extends Record<string, Record<string, unknown>>>(groups: T): T {
    const watched: Record<string, Record<string, unknown>> = {};
    for (const [group, calls] of Object.entries(groups)) {
      watched[group] = {};
      for (const [name, call] of Object.entries(calls)) {
        watched[group][name] = typeof call === 'function' ? this.watchCall(`${group}.${name}`, call as (...args: unknown[]) => unknown) : call;
      }
    }
    return watched as T;
  }

  private watchCall(name: string, call: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
    return (...args) => {
      const answer = call(...args);
      if (!(answer instanceof Promise)) return answer;
      this.reads.set(name, (this.reads.get(name) ?? 0) + 1);
      const done = (): void => {
        const left = (this.reads.get(name) ?? 1) - 1;
        if (left === 0) this.reads.delete(name);
        else this.reads.set(name, left);
      };
      answer.then(done, done);
      return answer;
    };
  }

  private tick(): void {
    const now = performance.now();
    const late = Math.max(0, now - this.tickAt);
    this.tickAt = now + this.stallMs;
    // Nothing waiting: the clock starts again, so the first request after a quiet spell is not a stall.
    // A transaction left open for more records (up to 2 s while a DuckDB row group fills) is no stall either.
    if (this.options.waiting() === 0 || (this.commits.length === 0 && this.options.lingering?.() === true)) this.quietSince = now;
    // Records that came after the last quiet tick waited only since they came: counting from the
    // tick marked the first moments of every load as a stalled second.
    // Records the thread took in only once it was free again (its event loop held past the tick's
    // time) may have come while it was held: they count from when the tick was due.
    const came = Math.min(this.options.waitingSince?.() ?? 0, now - late);
    const stalledSince = Math.max(this.lastCommitAt, this.quietSince, came);
    if (now - stalledSince < this.stallMs) return;
    const oldest = this.commits[0];
    // A checkpoint that ended since held this second too, when it took most of it: while DuckDB
    // checkpoints, the writer's synchronous appender calls wait for it, and with them this thread's timers.
    if (this.heldByCheckpoint(stalledSince)) this.mark('second', 'checkpoint', now - Math.max(stalledSince, this.lastCheckpoint!.since), late);
    else if (oldest !== undefined) this.mark('second', 'commit', now - oldest.since, late);
    else if (this.appendSince !== null) this.mark('second', 'append', now - this.appendSince, late);
    else this.mark('second', this.reads.size > 0 ? 'read' : 'waiting', now - stalledSince, late);
  }

  /** Whether a checkpoint ran for at least half the time from `since` to now. */
  private heldByCheckpoint(since: number): boolean {
    const checkpoint = this.lastCheckpoint;
    if (checkpoint === null) return false;
    const now = performance.now();
    const overlap = (checkpoint.ended ?? now) - Math.max(since, checkpoint.since);
    return overlap >= (now - since) / 2;
  }

  private mark(kind: StallMarker['kind'], cause: StallCause, stepMs: number, lateMs: number): void {
    this.options.emit({
      kind,
      cause,
      stepMs: Math.round(stepMs),
      reads: Object.fromEntries(this.reads),
      walBytes: this.walBytes(),
      fileBytes: this.options.dbPath === null ? null : sizeOf(this.options.dbPath),
      waitingEntries: this.options.waiting(),
      sinceCommitMs: Math.round(performance.now() - this.lastCommitAt),
      lateMs: Math.round(lateMs),
    });
  }

  private walBytes(): number | null {
    return this.options.dbPath === null ? null : sizeOf(`${this.options.dbPath}.wal`);
  }
}
