import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { type BatchKey, Serial, TakenPositions, type WriteBatch } from '../write-port.js';
import type { TableBatch } from '../columns.js';
import { KnownSources, type SourceRow, sourceRowsOf } from '../sources.js';
import { appendBatch } from './chunks.js';
import { batchScoresWithFacts } from './score-facts.js';

/**
 * Rows an appender collects before it is flushed into the transaction. A flush costs DuckDB a
 * fixed ~0.2 ms plus ~40 µs per column whatever the row count (it binds the table's columns for
 * the insert), so flushing every batch cost 2.5 ms on the 43-column spans table, 0.7 ms on
 * trace_parts and 0.6 ms on errors per 1,000-span batch: ~3.8 µs per span, mostly fixed cost.
 * Flushing every 8,192 rows keeps the work spread out (and the appender's buffer small) at a
 * fraction of that; what is left is flushed when the appenders close at commit.
 */
const FLUSH_ROWS = 8192;

/**
 * The tables whose rows carry their transaction's `commit_seq` (last column), so a live stream can
 * ask for the rows committed after a number (`store/sql/live.ts`).
 */
export const SEQUENCED_TABLES: ReadonlySet<string> = new Set(['spans', 'trace_parts', 'running_spans', 'logs']);

/** One of the two writer connections and the transaction it may have open. */
interface Lane {
  connection: DuckDBConnection;
  open: boolean;
  /** The open transaction's number: given when it begins, so numbers rise in the order commits finish. */
  seq: number;
  /** Settles when this lane's last COMMIT has finished; a new transaction waits for it. */
  committed: Promise<void>;
}

/**
 * The write side of the DuckDB store. Batches are appended to an open transaction as they
 * arrive, so records are handed to DuckDB at once instead of waiting in JavaScript memory.
 *
 * Two connections take turns: when one transaction is committed (DuckDB writes and syncs on its
 * own threads for a good 100 ms per 50,000 spans), the next is already filling on the other
 * connection. Commits still finish in the order they were asked for, so the ingest position
 * stored with each only moves forward.
 */
export class DuckDbWriter {
  private readonly sources = new KnownSources();
  /** Sources the open transaction inserts at its commit. */
  private fresh = new Map<string, SourceRow>();
  /** The open appenders, each with the rows appended since its last flush. */
  private readonly appenders = new Map<string, { appender: DuckDBAppender; unflushed: number }>();
  private readonly lanes: [Lane, Lane];
  private current = 0;
  /** The last commit asked for; the next COMMIT waits for it. */
  private lastCommit: Promise<void> = Promise.resolve();
  /** Serializes appends, commit hand-offs and rollbacks. */
  private readonly serial = new Serial();
  /** The keys taken: a batch written again is skipped. */
  private readonly positions: TakenPositions;
  /** The last transaction number given. */
  private lastSeq = 0;
  /** The number of the last transaction committed: every row of it and of those before is visible. */
  private committedSeq = 0;

  /** `onAppend` hears of every table batch appended, with its transaction's number. */
  constructor(
    connections: [DuckDBConnection, DuckDBConnection],
    readPosition: (serverId: string) => Promise<string | null>,
    private readonly onAppend: (seq: number, batch: TableBatch) => void = () => undefined,
  ) {
    this.positions = new TakenPositions(readPosition);
    this.lanes = [
      { connection: connections[0], open: false, seq: 0, committed: Promise.resolve() },
      { connection: connections[1], open: false, seq: 0, committed: Promise.resolve() },
    ];
  }

  /** Numbers transactions on from past `seq`, the greatest the database holds (read at open). */
  resumeAfter(seq: number): void {
    this.lastSeq = Math.max(this.lastSeq, seq);
    this.committedSeq = Math.max(this.committedSeq, seq);
  }

  /** The number of the last transaction committed (0 before any). */
  get lastCommittedSeq(): number {
    return this.committedSeq;
  }

  /**
   * Appends a batch to the open transaction; a batch whose key this server has already written
   * (it is at or before the position taken) is skipped. Transactions make each batch whole, so
   * skipping is all idempotency needs here.
   */
  append(batch: WriteBatch, key: BatchKey | null): Promise<void> {
    return this.serial.run(async () => {
      if (key !== null && !(await this.positions.take(key))) return;
      const lane = await this.openLane();
      for (const given of batch.tables) {
        if (given.rows === 0) continue;
        // DuckDB's scores carry their spans' facts, from this batch's spans (score-facts.ts).
        const table = given.table === 'scores' ? batchScoresWithFacts(batch, given) : given;
        // Sources are keyed: the new ones are inserted at commit, each once.
        if (table.table === 'sources') {
          for (const row of this.sources.unknown(sourceRowsOf(table))) this.fresh.set(`${row.projectId}/${row.sourceId}`, row);
        } else {
          await this.appendTable(lane, table);
          this.onAppend(lane.seq, given);
        }
      }
    });
  }

  /**
   * Commits what was appended, with `position`. Appends made after this call go to the next
   * transaction without waiting; the returned promise settles when this commit is durable.
   */
  commit(key: BatchKey | null): Promise<void> {
    let durable!: Promise<void>;
    const handedOff = this.serial.run(async () => {
      const lane = await this.openLane();
      // Appenders must be closed (flushed) before other statements run on the connection.
      this.closeAppenders();
      for (const row of this.fresh.values()) {
        await lane.connection.run('INSERT INTO sources VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
          row.projectId,
          row.sourceId,
          row.resourceJson,
          row.scopeJson,
        ]);
      }
      // Appended, never updated: the two lanes' transactions overlap, and two updates of one row
      // would conflict.
      if (key !== null) {
        await lane.connection.run('INSERT INTO spool_positions (position, committed_at, server_id, commit_seq) VALUES ($1, now(), $2, $3)', [
          key.position,
          key.serverId,
          lane.seq,
        ]);
      }
      // A source is known from the moment a transaction holds it, so the next transaction does
      // not insert it again (two uncommitted inserts of one key would conflict). A failed
      // commit makes the writer forget them all.
      this.sources.remember(this.fresh.values());
      this.fresh = new Map();
      const previous = this.lastCommit;
      const seq = lane.seq;
      durable = previous.then(
        async () => {
          await lane.connection.run('COMMIT');
          if (key !== null) this.positions.committedTo(key);
          this.committedSeq = Math.max(this.committedSeq, seq);
        },
        async (error: unknown) => {
          // The commit before failed, so this one must not happen (its position would skip the
          // failed records): close its transaction, or the next BEGIN on this lane would fail.
          await lane.connection.run('ROLLBACK').catch(() => {
            // Nothing to roll back.
          });
          throw error;
        },
      );
      lane.committed = durable.catch(() => undefined);
      this.lastCommit = durable;
      lane.open = false;
      this.current = 1 - this.current;
    });
    return handedOff.then(() => durable);
  }

  /**
   * Discards every transaction not yet durable: the open one, and a commit that failed takes
   * the ones after it with it (their positions would skip its records).
   */
  rollback(): Promise<void> {
    return this.serial.run(async () => {
      this.closeAppenders(true);
      for (const lane of this.lanes) {
        await lane.committed;
        // Whether or not it is marked open: a transaction may be left over from a failure.
        await lane.connection.run('ROLLBACK').catch(() => {
          // No transaction was open, or the failure already ended it.
        });
        lane.open = false;
      }
      this.lastCommit = Promise.resolve();
      // What was appended and not committed is gone: it may be written again.
      this.positions.rollback();
      this.sources.forget();
      this.fresh = new Map();
    });
  }

  /** Waits for every commit asked for. */
  async drain(): Promise<void> {
    await this.serial.idle();
    await this.lastCommit.catch(() => undefined);
  }

  private async openLane(): Promise<Lane> {
    const lane = this.lanes[this.current]!;
    if (!lane.open) {
      await lane.committed;
      // The set of known sources is trimmed only when no transaction holding fresh sources is
      // still to commit, or two transactions could insert the same source (a key conflict).
      if (this.sources.isFull()) {
        await this.lastCommit.catch(() => undefined);
        this.sources.forget();
      }
      await lane.connection.run('BEGIN TRANSACTION');
      lane.open = true;
      // A number lost to a rollback leaves a gap, which no reader minds: they ask for what is after one.
      lane.seq = ++this.lastSeq;
    }
    return lane;
  }

  private async appendTable(lane: Lane, batch: TableBatch): Promise<void> {
    let open = this.appenders.get(batch.table);
    if (open === undefined) {
      open = { appender: await lane.connection.createAppender(batch.table), unflushed: 0 };
      this.appenders.set(batch.table, open);
    }
    // Yield first: batch after batch arrives through promise continuations, which would
    // otherwise never let the event loop take messages.
    await new Promise<void>((resolve) => setImmediate(resolve));
    appendBatch(open.appender, batch, SEQUENCED_TABLES.has(batch.table) ? lane.seq : null);
    // Flushing every FLUSH_ROWS rows spreads DuckDB's share of the work (row group compression
    // and writes) instead of landing it all on the commit, without paying a flush's fixed cost
    // for every batch.
    open.unflushed += batch.rows;
    if (open.unflushed >= FLUSH_ROWS) {
      open.appender.flushSync();
      open.unflushed = 0;
    }
  }

  /**
   * Closes every open appender and forgets them. Committing (`discard` false), each is flushed
   * into the transaction; when one fails, DuckDB has ended the transaction, so the others are
   * emptied before they close: flushed, their rows would be committed on their own (a refused
   * batch's trace part turned up without its spans), and left open, the garbage collector would
   * close them whenever it runs, flushing into whatever transaction the connection has by then.
   * Throws the first failure. Rolling back (`discard` true), every appender is emptied first and
   * nothing is thrown: what they held goes with the transaction.
   */
  private closeAppenders(discard = false): void {
    let failure: unknown = null;
    for (const { appender } of this.appenders.values()) {
      try {
        if (discard || failure !== null) appender.clear();
        appender.closeSync();
      } catch (error) {
        failure ??= error;
      }
    }
    this.appenders.clear();
    if (failure !== null && !discard) throw failure;
  }
}
