import { randomBytes } from 'node:crypto';
import type { TableBatch } from '../columns.js';
import { KnownSources, SOURCES, type SourceRow, sourceRowsOf } from '../sources.js';
import { type BatchKey, Serial, TakenPositions, type WriteBatch, splitPosition } from '../write-port.js';
import type { CopiedTableName } from '../tables.js';
import { ChParams, type ChClient } from './client.js';
import { BATCHED_TABLES, type SchemaLayout, localName, onCluster } from './schema.js';
import { nativeBlocks, nativeColumns } from './native.js';
import { escapeTsv } from './tsv.js';

/** A commit's state rows in `spool_positions`. */
type CommitState = 'begun' | 'committed' | 'abandoned';

/** A random commit id, as the decimal text of a UInt64. */
function newBatchId(): string {
  return randomBytes(8).readBigUInt64LE().toString();
}

/**
 * The write side of the ClickHouse store. ClickHouse wants few large inserts, not many small
 * ones, so appended batches wait in memory and a commit inserts each table once: ~50,000 records
 * or 500 ms of them (`CommitLoop`). ClickHouse has no transaction across tables; a commit is
 * made whole this way instead:
 *
 * 1. a `begun` row names the commit's `batch_id` and position;
 * 2. every table's rows are inserted, each row carrying the `batch_id`;
 * 3. a `committed` row records the position (what `readPosition` returns).
 *
 * A commit cut short after 1 leaves `begun` without `committed`. Before a server's position is
 * read (at start, and after a failed commit), its cut-short commits are deleted by `batch_id` and
 * marked `abandoned`, so the spool replays them onto a store that holds none of their rows: a
 * batch written twice is stored once, and trace summaries cannot double count.
 */
export class ClickHouseWriter {
  private readonly sources = new KnownSources();
  /** Sources the next commit inserts. */
  private fresh = new Map<string, SourceRow>();
  /** Batches appended since the last commit. */
  private pending: WriteBatch[] = [];
  /** The last commit asked for; the next one waits for it, and fails if it failed. */
  private lastCommit: Promise<void> = Promise.resolve();
  /** The last commit's sending of its rows: the next one sends after it. */
  private lastSend: Promise<void> = Promise.resolve();
  /** Commits not yet durable, oldest first (at most two). */
  private inFlight: Promise<void>[] = [];
  /** Serializes appends, commit hand-offs and rollbacks. */
  private readonly serial = new Serial();
  /** The keys taken: a batch written again is skipped. */
  private positions = this.freshPositions();

  constructor(
    private readonly ch: ChClient,
    private readonly layout: SchemaLayout,
  ) {}

  /** Takes a batch for the next commit; a batch at or before its server's taken position is skipped. */
  append(batch: WriteBatch, key: BatchKey | null): Promise<void> {
    return this.serial.run(async () => {
      if (key !== null && !(await this.positions.take(key))) return;
      const tables = batch.tables.filter((table) => {
        if (table.table !== 'sources') return table.rows > 0;
        for (const row of this.sources.unknown(sourceRowsOf(table))) this.fresh.set(`${row.projectId}/${row.sourceId}`, row);
        return false;
      });
      if (tables.length > 0) this.pending.push({ records: batch.records, tables });
    });
  }

  /**
   * Inserts what was appended, then records `key`. Appends made after this call go to the next
   * commit at once; the promise settles when this commit is durable. Commits finish in order.
   *
   * The rows are made into Native blocks here, at once, and sent while the commit before is still
   * being recorded, so Spoor's work on one commit overlaps ClickHouse's on the one before. Sends
   * go one at a time; a commit is recorded `committed` only after the one before it was, so a
   * failed commit's position is never passed over (the rows of the ones after it are deleted as
   * cut short). At most two commits are in flight, as with the DuckDB writer's two
   * lanes: past that, `commit` waits, and the commit loop with it.
   */
  commit(key: BatchKey | null): Promise<void> {
    let durable!: Promise<void>;
    const handedOff = this.serial.run(async () => {
      while (this.inFlight.length >= 2) await this.inFlight.shift()!.catch(() => undefined);
      const batchId = newBatchId();
      const rows = this.rowsOf(this.pending, batchId);
      const sources = [...this.fresh.values()];
      this.pending = [];
      this.sources.remember(sources);
      this.fresh = new Map();
      const sent = this.lastSend.then(() => this.send(rows, sources, key, batchId));
      this.lastSend = sent.catch(() => undefined);
      durable = Promise.allSettled([this.lastCommit, sent]).then(async ([before, own]) => {
        if (before.status === 'rejected') throw before.reason;
        if (own.status === 'rejected') throw own.reason;
        if (key === null) return;
        await this.insertStates(key.serverId, [{ position: key.position, batchId }], 'committed');
        this.positions.committedTo(key);
      });
      this.lastCommit = durable;
      this.inFlight.push(durable);
    });
    return handedOff.then(() => durable);
  }

  /** Forgets what was appended and not committed; a commit that failed takes the ones after it along. */
  rollback(): Promise<void> {
    return this.serial.run(async () => {
      // Every send settles before `lastCommit` does, so no row arrives after this.
      await this.lastCommit.catch(() => undefined);
      this.lastCommit = Promise.resolve();
      this.lastSend = Promise.resolve();
      this.inFlight = [];
      this.pending = [];
      // Forgotten, not rolled back to what this writer saw committed: a commit that failed may
      // have left rows (cut short) or even been recorded (its answer lost). The next append reads
      // the position again, which first deletes what was cut short, so nothing is sent before
      // that has happened, and nothing the store holds is sent twice.
      this.positions = this.freshPositions();
      this.sources.forget();
      this.fresh = new Map();
    });
  }

  private freshPositions(): TakenPositions {
    return new TakenPositions((serverId) => this.readPosition(serverId));
  }

  /** Waits for every commit asked for. */
  async drain(): Promise<void> {
    await this.serial.idle();
    await this.lastCommit.catch(() => undefined);
  }

  /**
   * The last position committed for `serverId`, after deleting what its commits cut short left
   * behind (the rows they inserted come back when the spool is replayed after this position).
   */
  async readPosition(serverId: string): Promise<string | null> {
    await this.abandonCutShort(serverId);
    const row = await this.ch.row<{ position: string }>(
      'read the spool position',
      `SELECT position FROM ${this.ch.tables.spool_positions}
       WHERE server_id = {server:String} AND state = 'committed'
       ORDER BY segment DESC, offset DESC LIMIT 1`,
      { server: serverId },
    );
    return row?.position ?? null;
  }

  private async abandonCutShort(serverId: string): Promise<void> {
    const open = await this.ch.rows<{ batch_id: string; position: string }>(
      "find a server's commits cut short",
      `SELECT toString(batch_id) AS batch_id, any(position) AS position FROM ${this.ch.tables.spool_positions}
       WHERE server_id = {server:String}
       GROUP BY batch_id HAVING countIf(state = 'begun') > 0 AND countIf(state IN ('committed', 'abandoned')) = 0`,
      { server: serverId },
    );
    if (open.length === 0) return;
    const p = new ChParams();
    // As text: a UInt64 above 2^53 is not a JS number.
    const ids = p.add(
      open.map((row) => row.batch_id),
      'Array(String)',
    );
    for (const table of BATCHED_TABLES) {
      await this.ch.command(
        `delete the rows of a commit cut short from ${table}`,
        `DELETE FROM ${localName(this.layout, table)}${onCluster(this.layout)} WHERE has(${ids}, toString(batch_id))`,
        p,
      );
    }
    await this.insertStates(
      serverId,
      open.map((row) => ({ position: row.position, batchId: row.batch_id })),
      'abandoned',
    );
  }

  /** Each table's rows of these batches as Native blocks, each row tagged with the commit. */
  private rowsOf(batches: readonly WriteBatch[], batchId: string): Array<{ name: CopiedTableName; body: Buffer }> {
    const byTable = new Map<CopiedTableName, TableBatch[]>();
    for (const batch of batches) {
      for (const table of batch.tables) {
        const name = table.table as CopiedTableName;
        const list = byTable.get(name);
        if (list === undefined) byTable.set(name, [table]);
        else list.push(table);
      }
    }
    return [...byTable].map(([name, tables]) => ({ name, body: nativeBlocks(name, tables, batchId) }));
  }

  /**
   * The commit's new sources, its `begun` row, then its rows: every table at once but
   * `trace_parts`, which goes last. Readers find a trace (and list it) through its parts, so a
   * trace is never found before its spans are in; sent together, a server reading between the
   * two inserts answered a trace with no spans.
   */
  private async send(rows: Array<{ name: CopiedTableName; body: Buffer }>, sources: SourceRow[], key: BatchKey | null, batchId: string): Promise<void> {
    if (sources.length > 0) {
      const text = sources
        .map((s) => `${escapeTsv(s.projectId)}\t${escapeTsv(s.sourceId)}\t${escapeTsv(s.resourceJson)}\t${escapeTsv(s.scopeJson)}\n`)
        .join('');
      await this.ch.insertTsv(
        'insert sources',
        this.ch.tables.sources,
        SOURCES.map((s) => s.name),
        text,
      );
    }
    if (rows.length > 0 && key !== null) await this.insertStates(key.serverId, [{ position: key.position, batchId }], 'begun');
    const insert = ({ name, body }: { name: CopiedTableName; body: Buffer }) =>
      this.ch.insertNative(`insert ${name}`, this.ch.tables[name], nativeColumns(name), body);
    await Promise.all(rows.filter((r) => r.name !== 'trace_parts').map(insert));
    await Promise.all(rows.filter((r) => r.name === 'trace_parts').map(insert));
  }

  private async insertStates(serverId: string, commits: Array<{ position: string; batchId: string }>, state: CommitState): Promise<void> {
    const nowUs = Date.now() * 1000;
    const text = commits
      .map(({ position, batchId }) => {
        const { segment, offset } = splitPosition(position);
        return `${escapeTsv(serverId)}\t${escapeTsv(position)}\t${segment}\t${offset}\t${batchId}\t${state}\t${nowUs}\n`;
      })
      .join('');
    await this.ch.insertTsv(
      `record a commit as ${state}`,
      this.ch.tables.spool_positions,
      ['server_id', 'position', 'segment', 'offset', 'batch_id', 'state', 'at_us'],
      text,
    );
  }
}
