import type { SpanRecord } from '@spoor/model';
import { type BatchKey, type RecordBatch, type StoreWriter, type WriteBatch, appendAndCommit, comparePositionText } from '../../src/store/store.js';
import { type BatchRecords, recordsOf } from '../../src/store/table-records.js';
import type { TracePart } from '../../src/store/trace-parts.js';

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

/** Where the writer hands what it made durable and does not keep itself: the fake store's other ports. */
export interface CommitSink {
  /** A durable table kept by another port (scores, LLM responses, running spans). */
  records(table: 'scores' | 'llm_responses' | 'running_spans', batch: BatchRecords): void;
  /** What readers of changes are told of a commit (`FakeLiveStore.committed`). */
  committed(
    spans: readonly SpanRecord[],
    parts: readonly TracePart[],
    running?: readonly SpanRecord[],
    logs?: ReadonlyArray<{ projectId: string; traceId: string | null }>,
  ): void;
}

const NO_SINK: CommitSink = { records: () => {}, committed: () => {} };

/**
 * The write port in memory, for testing what drives it (the commit loop) and as the fake store's
 * writer. With transactions (the default), appended records wait in the open write; `commit`
 * takes them with it and makes them durable after `commitDelayMs`, in call order, and like the
 * DuckDB writer a failed commit takes every commit asked for after it down with it until
 * `rollback`, which waits for commits in flight and then discards the open write. Without, see
 * `FakeStoreOptions.transactions`.
 */
export class FakeWriter implements StoreWriter {
  /** What was committed, read back from the batches' columns. */
  readonly committed: Required<Omit<RecordBatch, 'scores' | 'writtenUs' | 'runningSpans'>> = { spans: [], logs: [], metricPoints: [], errors: [] };
  /** The committed trace summary parts, as every engine keeps them. */
  readonly parts: TracePart[] = [];
  readonly commits: FakeCommit[] = [];
  /** Per trace, the span counts of its parts: what a trace summary adds up. */
  readonly traceParts = new Map<string, number[]>();
  appendCalls = 0;
  commitCalls = 0;
  rollbackCalls = 0;
  private readonly positions = new Map<string, string>();
  private pending: BatchRecords = emptyBatch();
  private lastCommit: Promise<void> = Promise.resolve();
  /** What commits wait for before they take their delay (`holdCommits`). */
  private gate: Promise<void> = Promise.resolve();
  private readonly failingAppends = new Set<number>();
  private readonly failingCommits = new Set<number>();
  private refusedSpans: ((name: string) => boolean) | null = null;
  private refusedAt: 'append' | 'commit' = 'append';
  private refusal: (() => Error) | null = null;
  private down = false;
  /** Records a commit finds room for (`roomFor`); `null`: any. */
  private room: { records: number; error: () => Error } | null = null;
  private readonly commitDelayMs: number;
  private readonly transactions: boolean;
  /** Without transactions: the blocks written, as `server/position/table`. */
  private readonly blocks = new Set<string>();
  /** With transactions: per server, the last position appended or committed (as the DuckDB writer keeps it). */
  private takenAt = new Map<string, string>();

  constructor(
    options: FakeStoreOptions = {},
    private readonly sink: CommitSink = NO_SINK,
  ) {
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
   * `commit` of the transaction holding it (as a store that checks a constraint at commit), with
   * `error()` when given (a full disk refuses a large transaction and takes an empty one).
   * `null` takes every batch again.
   */
  refuse(test: ((name: string) => boolean) | null, at: 'append' | 'commit' = 'append', error?: () => Error): this {
    this.refusedSpans = test;
    this.refusedAt = at;
    this.refusal = error ?? null;
    return this;
  }

  /**
   * Refuses, with `error()`, every commit of a transaction holding more than `records` records:
   * a disk with room for that much at a time. `null` takes any again.
   */
  roomFor(records: number | null, error: () => Error = () => new Error('No space left on device')): this {
    this.room = records === null ? null : { records, error };
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

  async append(columns: WriteBatch, key: BatchKey | null): Promise<void> {
    const call = ++this.appendCalls;
    if (this.down) throw new Error('the store is down');
    const batch = recordsOf(columns);
    if (this.refusedAt === 'append' && this.refusedSpans !== null && batch.spans.some((span) => this.refusedSpans!(span.name))) {
      throw this.refusal?.() ?? new Error('the store refuses this batch');
    }
    if (!this.transactions) return this.appendBlocks(columns, batch, key, this.failingAppends.has(call) ? call : null);
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
    this.pending.errors.push(...batch.errors);
    this.pending.traceParts.push(...batch.traceParts);
    this.pending.scores.push(...batch.scores);
    this.pending.llmResponses.push(...batch.llmResponses);
    this.pending.runningSpans.push(...batch.runningSpans);
  }

  commit(key: BatchKey | null): Promise<void> {
    const call = ++this.commitCalls;
    const batch = this.pending;
    this.pending = emptyBatch();
    const durable = this.lastCommit.then(async () => {
      await this.gate;
      // setImmediate for no delay, so tests that fake setTimeout still see commits finish.
      await new Promise((resolve) => (this.commitDelayMs > 0 ? setTimeout(resolve, this.commitDelayMs) : setImmediate(resolve)));
      if (this.failingCommits.has(call)) throw new Error(`commit ${call} failed`);
      if (this.down) throw new Error('the store is down');
      if (this.room !== null && countOf(batch) > this.room.records) throw this.room.error();
      if (this.refusedAt === 'commit' && this.refusedSpans !== null && batch.spans.some((span) => this.refusedSpans!(span.name))) {
        throw this.refusal?.() ?? new Error('the store refuses this transaction');
      }
      this.committed.spans.push(...batch.spans);
      this.committed.logs.push(...batch.logs);
      this.committed.metricPoints.push(...batch.metricPoints);
      this.committed.errors.push(...batch.errors);
      this.sink.records('scores', batch);
      this.sink.records('llm_responses', batch);
      this.sink.records('running_spans', batch);
      for (const part of batch.traceParts) this.addPart(part);
      this.sink.committed(batch.spans, batch.traceParts, batch.runningSpans, batch.logs);
      if (key !== null) this.positions.set(key.serverId, key.position);
      this.commits.push({ position: key?.position ?? null, records: countOf(batch) });
    });
    this.lastCommit = durable;
    return durable;
  }

  /**
   * Makes every commit not yet durable, and every later one, wait until the returned function is
   * called: a commit that takes as long as the test says (DuckDB checkpointing inside a commit).
   */
  holdCommits(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => (release = resolve));
    return release;
  }

  async rollback(): Promise<void> {
    this.rollbackCalls++;
    await this.lastCommit.catch(() => {
      // The failure was reported to whoever asked for that commit.
    });
    this.lastCommit = Promise.resolve();
    this.pending = emptyBatch();
    this.takenAt = new Map(this.positions);
  }

  write(batch: WriteBatch, key: BatchKey | null): Promise<void> {
    return appendAndCommit(this, batch, key);
  }

  async readPosition(serverId: string): Promise<string | null> {
    return this.positions.get(serverId) ?? null;
  }

  /** Without transactions: each table of the batch is one block, durable at once, written once per key. */
  private appendBlocks(columns: WriteBatch, batch: BatchRecords, key: BatchKey | null, failingCall: number | null): void {
    for (const { table, rows } of columns.tables) {
      // An empty table is no block at all: nothing is inserted for it.
      if (rows === 0) continue;
      const id = key === null ? null : `${key.serverId}/${key.position}/${table}`;
      if (id !== null && this.blocks.has(id)) continue;
      if (table === 'spans') this.committed.spans.push(...batch.spans);
      else if (table === 'trace_parts') {
        for (const part of batch.traceParts) this.addPart(part);
        // Without transactions a batch's parts follow its spans: the commit that readers find a trace by.
        this.sink.committed(batch.spans, batch.traceParts, batch.runningSpans);
      } else if (table === 'logs') {
        this.committed.logs.push(...batch.logs);
        this.sink.committed([], [], [], batch.logs);
      } else if (table === 'metric_points') this.committed.metricPoints.push(...batch.metricPoints);
      else if (table === 'errors') this.committed.errors.push(...batch.errors);
      else if (table === 'scores' || table === 'llm_responses' || table === 'running_spans') this.sink.records(table, batch);
      if (id !== null) this.blocks.add(id);
      if (table === 'spans' && failingCall !== null) throw new Error(`append ${failingCall} failed`);
    }
  }

  private addPart(part: TracePart): void {
    this.parts.push(part);
    const parts = this.traceParts.get(part.traceId);
    if (parts === undefined) this.traceParts.set(part.traceId, [part.spanCount]);
    else parts.push(part.spanCount);
  }

  /** Settles when every commit asked for has (a failed one too: it was reported to its caller). */
  async close(): Promise<void> {
    await this.lastCommit.catch(() => {
      // As above: a failed commit was reported to its caller.
    });
  }
}

function emptyBatch(): BatchRecords {
  return { spans: [], logs: [], metricPoints: [], errors: [], traceParts: [], scores: [], llmResponses: [], runningSpans: [] };
}

function countOf(batch: RecordBatch): number {
  return batch.spans.length + batch.logs.length + batch.metricPoints.length;
}
