import { type StoreWriter, type WriteBatch, appendAndCommit } from '../../src/store/store.js';

/** One commit the fake store made durable. */
export interface FakeCommit {
  position: string | null;
  records: number;
}

export interface FakeStoreOptions {
  /** How long each commit takes to become durable. Default 0: the next turn of the event loop. */
  commitDelayMs?: number;
}

/**
 * The write side of the `Store` port in memory, for testing what drives it. Appended records
 * wait in the open write; `commit` takes them with it and makes them durable after
 * `commitDelayMs`, in call order. Like the DuckDB writer, a failed commit takes every commit
 * asked for after it down with it until `rollback`, which waits for commits in flight and
 * then discards the open write.
 */
export class FakeStore implements StoreWriter {
  readonly committed: WriteBatch = { spans: [], logs: [], metricPoints: [] };
  readonly commits: FakeCommit[] = [];
  appendCalls = 0;
  commitCalls = 0;
  rollbackCalls = 0;
  private position: string | null;
  private pending: WriteBatch = emptyBatch();
  private lastCommit: Promise<void> = Promise.resolve();
  private readonly failingAppends = new Set<number>();
  private readonly failingCommits = new Set<number>();
  private refusedSpans: ((name: string) => boolean) | null = null;
  private refusedAt: 'append' | 'commit' = 'append';
  private down = false;
  private readonly commitDelayMs: number;

  constructor(options: FakeStoreOptions & { position?: string | null } = {}) {
    this.commitDelayMs = options.commitDelayMs ?? 0;
    this.position = options.position ?? null;
  }

  /** Makes the `n`th call of `append` (counting from 1) fail after taking half its records. */
  failAppend(n: number): this {
    this.failingAppends.add(n);
    return this;
  }

  /** Makes the `n`th call of `commit` (counting from 1) fail. */
  failCommit(n: number): this {
    this.failingCommits.add(n);
    return this;
  }

  /**
   * Refuses, every time, any batch holding a span whose name passes `test`: at `append`, or at
   * `commit` of the transaction holding it (as a store that checks a constraint at commit).
   */
  refuse(test: (name: string) => boolean, at: 'append' | 'commit' = 'append'): this {
    this.refusedSpans = test;
    this.refusedAt = at;
    return this;
  }

  /** While set, every append and commit fails, as a store with a full disk. */
  setDown(down: boolean): this {
    this.down = down;
    return this;
  }

  /** Records appended and not yet taken by a commit. */
  pendingRecords(): number {
    return countOf(this.pending);
  }

  async append(batch: WriteBatch): Promise<void> {
    const call = ++this.appendCalls;
    if (this.down) throw new Error('the store is down');
    if (this.refusedAt === 'append' && this.refusedSpans !== null && batch.spans.some((span) => this.refusedSpans!(span.name))) {
      throw new Error('the store refuses this batch');
    }
    if (this.failingAppends.has(call)) {
      // A failing append may leave part of its rows in the transaction; rollback must drop them.
      this.pending.spans.push(...batch.spans.slice(0, Math.ceil(batch.spans.length / 2)));
      throw new Error(`append ${call} failed`);
    }
    this.pending.spans.push(...batch.spans);
    this.pending.logs.push(...batch.logs);
    this.pending.metricPoints.push(...batch.metricPoints);
  }

  commit(position: string | null): Promise<void> {
    const call = ++this.commitCalls;
    const batch = this.pending;
    this.pending = emptyBatch();
    const durable = this.lastCommit.then(async () => {
      // setImmediate for no delay, so tests that fake setTimeout still see commits finish.
      await new Promise((resolve) => (this.commitDelayMs > 0 ? setTimeout(resolve, this.commitDelayMs) : setImmediate(resolve)));
      if (this.failingCommits.has(call)) throw new Error(`commit ${call} failed`);
      if (this.down) throw new Error('the store is down');
      if (this.refusedAt === 'commit' && this.refusedSpans !== null && batch.spans.some((span) => this.refusedSpans!(span.name))) {
        throw new Error('the store refuses this transaction');
      }
      this.committed.spans.push(...batch.spans);
      this.committed.logs.push(...batch.logs);
      this.committed.metricPoints.push(...batch.metricPoints);
      if (position !== null) this.position = position;
      this.commits.push({ position, records: countOf(batch) });
    });
    this.lastCommit = durable;
    return durable;
  }

  async rollback(): Promise<void> {
    this.rollbackCalls++;
    await this.lastCommit.catch(() => {
      // The failure was reported to whoever asked for that commit.
    });
    this.lastCommit = Promise.resolve();
    this.pending = emptyBatch();
  }

  write(batch: WriteBatch, position: string | null): Promise<void> {
    return appendAndCommit(this, batch, position);
  }

  async readPosition(): Promise<string | null> {
    return this.position;
  }

  async close(): Promise<void> {
    await this.lastCommit.catch(() => {
      // As above: a failed commit was reported to its caller.
    });
  }
}

function emptyBatch(): WriteBatch {
  return { spans: [], logs: [], metricPoints: [] };
}

function countOf(batch: WriteBatch): number {
  return batch.spans.length + batch.logs.length + batch.metricPoints.length;
}
