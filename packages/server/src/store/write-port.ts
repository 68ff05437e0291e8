import type { WriteBatch } from './tables.js';

export type { RecordBatch, WriteBatch } from './tables.js';

/**
 * Names a write batch: the server that spooled it and its place in that server's spool
 * (`segment:offset`; a server's keys rise). Several servers may share one store, each with its
 * own id and positions.
 */
export interface BatchKey {
  serverId: string;
  position: string;
}

/**
 * The write port, kept by engines with transactions and without. With a key, a write is
 * idempotent: a batch whose key the store has taken is not stored again, and a batch cut short
 * (a crash between two tables) is completed, not doubled, by writing it again, so trace
 * summaries cannot double count either. An engine with transactions may make a whole batch
 * atomic (DuckDB does); the port does not require it.
 */
export interface StoreWriter {
  /**
   * Adds a batch. It is durable and visible at `commit` at the latest (an engine without
   * transactions may make it so at once). Appends and commits are applied in call order, and one
   * server's keys come in rising order.
   */
  append(batch: WriteBatch, key: BatchKey | null): Promise<void>;
  /**
   * Makes everything appended durable and records `key` as its server's position: what
   * `readPosition` returns after a restart, and what a replay of that server's spool starts after.
   */
  commit(key: BatchKey | null): Promise<void>;
  /** Discards what is not durable yet, if anything (an engine without transactions keeps it). */
  rollback(): Promise<void>;
  /** `append` then `commit`, rolled back if either fails. */
  write(batch: WriteBatch, key: BatchKey | null): Promise<void>;
  /** The last position committed for `serverId`, or `null` when it has none. */
  readPosition(serverId: string): Promise<string | null>;
}

/** The numbers of a spool position (`segment:offset`). */
export function splitPosition(position: string): { segment: number; offset: number } {
  const [segment = 0, offset = 0] = position.split(':').map(Number);
  return { segment, offset };
}

/** Orders two spool positions of one server. */
export function comparePositionText(a: string, b: string): number {
  const x = splitPosition(a);
  const y = splitPosition(b);
  return x.segment - y.segment || x.offset - y.offset;
}

/**
 * What a writer without a durable record of every key needs to skip a batch written again: per
 * server, the last position committed and the last one taken (committed, or appended and not yet
 * durable). A batch at or before its server's taken position is not written again; after a
 * rollback, what was taken and not committed may be.
 */
export class TakenPositions {
  private readonly committed = new Map<string, string | null>();
  private taken = new Map<string, string | null>();

  constructor(private readonly readPosition: (serverId: string) => Promise<string | null>) {}

  /** Whether the batch under `key` is new (and marks it taken); the store's position is read once per server. */
  async take(key: BatchKey): Promise<boolean> {
    if (!this.committed.has(key.serverId)) {
      const position = await this.readPosition(key.serverId);
      this.committed.set(key.serverId, position);
      this.taken.set(key.serverId, position);
    }
    const taken = this.taken.get(key.serverId) ?? null;
    if (taken !== null && comparePositionText(key.position, taken) <= 0) return false;
    this.taken.set(key.serverId, key.position);
    return true;
  }

  /** Records that a commit with `key` is durable. */
  committedTo(key: BatchKey): void {
    const before = this.committed.get(key.serverId);
    if (before === undefined || before === null || comparePositionText(key.position, before) > 0) this.committed.set(key.serverId, key.position);
  }

  /** Forgets what was taken and not committed: it may be written again. */
  rollback(): void {
    this.taken = new Map(this.committed);
  }
}

/**
 * `StoreWriter.write` for any adapter: append, then commit with `key`, rolling back if either
 * fails.
 */
export async function appendAndCommit(store: StoreWriter, batch: WriteBatch, key: BatchKey | null): Promise<void> {
  try {
    await store.append(batch, key);
    await store.commit(key);
  } catch (error) {
    await store.rollback();
    throw error;
  }
}

/** Runs tasks one at a time, in call order: a writer's appends, commit hand-offs and rollbacks. A failed task does not stop the ones after it. */
export class Serial {
  private last: Promise<void> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const run = this.last.then(task);
    this.last = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Settles when every task run so far has. */
  idle(): Promise<void> {
    return this.last;
  }
}
