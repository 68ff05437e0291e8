import { type BatchKey, type StoreWriter, type WriteBatch, appendAndCommit, comparePositionText } from '../../src/store/store.js';

/** One commit the fake store made durable. */
export interface FakeCommit {
  position: string | null;
  records: number;
}

export interface FakeStoreOptions {
  /** How long each commit takes to become durable. Default 0: the next turn of the event loop. */
  commitDelayMs?: number;
  /** The position committed before, for server `server-1` (what a crash left behind). */
  position?: string | null;
  /**
   * `false` makes the fake an engine without transactions (as ClickHouse): each table of an
   * appended batch is durable at once, as one block per table, and a block whose key and table
   * it has taken is skipped; `rollback` discards nothing. Default `true`.
   */
  transactions?: boolean;
}

/** The tables a batch is written to, in order (the derived trace parts right after the spans). */
const TABLES = ['spans', 'traceParts', 'logs', 'metricPoints', 'errors'] as const;
type Table = (typeof TABLES)[number];

/**
 * The write side of the `Store` port in memory, for testing what drives it. With transactions
 * (the default), appended records wait in the open write; `commit` takes them with it and makes
 * them durable after `commitDelayMs`, in call order, and like the DuckDB writer a failed commit
 * takes every commit asked for after it down with it until `rollback`, which waits for commits
 * in flight and then discards the open write. Without, see `FakeStoreOptions.transactions`.
 */
export class FakeStore implements StoreWriter {
  readonly committed: WriteBatch = { spans: [], logs: [], metricPoints: [] };
  readonly commits: FakeCommit[] = [];
  /** Per trace, the span counts of its parts: what a trace summary adds up. */
  readonly traceParts = new Map<string, number[]>();
  appendCalls = 0;
  commitCalls = 0;
  rollbackCalls = 0;
  private readonly positions = new Map<string, string>();
  private pending: WriteBatch = emptyBatch();
  private pendingParts: Array<[string, number]> = [];
  private lastCommit: Promise<void> = Promise.resolve();
  private readonly failingAppends = new Set<number>();
  private readonly failingCommits = new Set<number>();
  private refusedSpans: ((name: string) => boolean) | null = null;
  private refusedAt: 'append' | 'commit' = 'append';
  private down = false;
  private readonly commitDelayMs: number;
  private readonly transactions: boolean;
  /** Without transactions: the blocks written, as `server/position/table`. */
  private readonly blocks = new Set<string>();
  /** With transactions: per server, the last position appended or committed (as the DuckDB writer keeps it). */
  private takenAt = new Map<string, string>();

  constructor(options: FakeStoreOptions = {}) {
    this.commitDelayMs = options.commitDelayMs ?? 0;
    this.transactions = options.transactions ?? true;
    if (options.position != null) this.positions.set('server-1', options.position);
  }

  /**
   * Makes the `n`th call of `append` (counting from 1) fail: with transactions after taking half
   * its spans, without after writing its spans and before the rest (a crash between two tables).
   */
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

  /** Spans of a trace as its summary counts them (the sum of its parts). */
  summarySpanCount(traceId: string): number {
    return (this.traceParts.get(traceId) ?? []).reduce((sum, n) => sum + n, 0);
  }

  async append(batch: WriteBatch, key: BatchKey | null): Promise<void> {
    const call = ++this.appendCalls;
    if (this.down) throw new Error('the store is down');
    if (this.refusedAt === 'append' && this.refusedSpans !== null && batch.spans.some((span) => this.refusedSpans!(span.name))) {
      throw new Error('the store refuses this batch');
    }
    if (!this.transactions) return this.appendBlocks(batch, key, this.failingAppends.has(call) ? call : null);
    if (key !== null) {
      const taken = this.takenAt.get(key.serverId) ?? this.positions.get(key.serverId);
      if (taken !== undefined && comparePositionText(key.position, taken) <= 0) return;
      this.takenAt.set(key.serverId, key.position);
    }
    if (this.failingAppends.has(call)) {
      // A failing append may leave part of its rows in the transaction; rollback must drop them.
      this.pending.spans.push(...batch.spans.slice(0, Math.ceil(batch.spans.length / 2)));
      throw new Error(`append ${call} failed`);
    }
    this.pending.spans.push(...batch.spans);
    this.pending.logs.push(...batch.logs);
    this.pending.metricPoints.push(...batch.metricPoints);
    this.pendingParts.push(...partsOf(batch));
  }

  commit(key: BatchKey | null): Promise<void> {
    const call = ++this.commitCalls;
    const batch = this.pending;
    const parts = this.pendingParts;
    this.pending = emptyBatch();
    this.pendingParts = [];
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
      for (const [traceId, spans] of parts) this.addPart(traceId, spans);
      if (key !== null) this.positions.set(key.serverId, key.position);
      this.commits.push({ position: key?.position ?? null, records: countOf(batch) });
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
    this.pendingParts = [];
    this.takenAt = new Map(this.positions);
  }

  write(batch: WriteBatch, key: BatchKey | null): Promise<void> {
    return appendAndCommit(this, batch, key);
  }

  async readPosition(serverId: string): Promise<string | null> {
    return this.positions.get(serverId) ?? null;
  }

  async close(): Promise<void> {
    await this.lastCommit.catch(() => {
      // As above: a failed commit was reported to its caller.
    });
  }

  /** Without transactions: each table's share of the batch is one block, durable at once, written once per key. */
  private appendBlocks(batch: WriteBatch, key: BatchKey | null, failingCall: number | null): void {
    const rows: Record<Table, number> = {
      spans: batch.spans.length,
      traceParts: batch.spans.length,
      logs: batch.logs.length,
      metricPoints: batch.metricPoints.length,
      errors: batch.errors?.length ?? 0,
    };
    for (const table of TABLES) {
      // An empty share is no block at all: nothing is inserted for it.
      if (rows[table] === 0) continue;
      const id = key === null ? null : `${key.serverId}/${key.position}/${table}`;
      if (id !== null && this.blocks.has(id)) continue;
      if (table === 'spans') this.committed.spans.push(...batch.spans);
      else if (table === 'traceParts') for (const [traceId, spans] of partsOf(batch)) this.addPart(traceId, spans);
      else if (table === 'logs') this.committed.logs.push(...batch.logs);
      else if (table === 'metricPoints') this.committed.metricPoints.push(...batch.metricPoints);
      if (id !== null) this.blocks.add(id);
      if (table === 'spans' && failingCall !== null) throw new Error(`append ${failingCall} failed`);
    }
  }

  private addPart(traceId: string, spans: number): void {
    const parts = this.traceParts.get(traceId);
    if (parts === undefined) this.traceParts.set(traceId, [spans]);
    else parts.push(spans);
  }
}

/** A batch's share of each trace: its span count, as the stores' trace parts hold it. */
function partsOf(batch: WriteBatch): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const span of batch.spans) counts.set(span.traceId, (counts.get(span.traceId) ?? 0) + 1);
  return [...counts];
}

function emptyBatch(): WriteBatch {
  return { spans: [], logs: [], metricPoints: [] };
}

function countOf(batch: WriteBatch): number {
  return batch.spans.length + batch.logs.length + batch.metricPoints.length;
}
