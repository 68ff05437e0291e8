import { randomBytes } from 'node:crypto';
import type { TableBatch } from '../columns.js';
import { KnownSources, SOURCES, type SourceRow, sourceRowsOf } from '../sources.js';
import { type BatchKey, TakenPositions, type WriteBatch } from '../store.js';
import { TABLES, type TableName } from '../tables.js';
import { ChParams, type ChClient } from './client.js';
import { BATCHED_TABLES, type SchemaLayout, localName, onCluster } from './schema.js';
import { escapeTsv, insertColumns, tsvOf } from './tsv.js';

/** A commit's state rows in `spool_positions`. */
type CommitState = 'begun' | 'committed' | 'abandoned';

/** A random commit id, as the decimal text of a UInt64. */
function newBatchId(): string {
  return randomBytes(8).readBigUInt64LE().toString();
}

function splitPosition(position: string): { segment: number; offset: number } {
  const [segment = 0, offset = 0] = position.split(':').map(Number);
  return { segment, offset };
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
  /** Serializes appends, commit hand-offs and rollbacks. */
  private lock: Promise<void> = Promise.resolve();
  /** The keys taken: a batch written again is skipped. */
  private readonly positions = new TakenPositions((serverId) => this.readPosition(serverId));

  constructor(
    private readonly ch: ChClient,
    private readonly layout: SchemaLayout,
  ) {}

  /** Takes a batch for the next commit; a batch at or before its server's taken position is skipped. */
  append(batch: WriteBatch, key: BatchKey | null): Promise<void> {
    return this.exclusive(async () => {
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
   */
  commit(key: BatchKey | null): Promise<void> {
    let durable!: Promise<void>;
    const handedOff = this.exclusive(async () => {
      const batches = this.pending;
      const sources = [...this.fresh.values()];
      this.pending = [];
      this.sources.remember(sources);
      this.fresh = new Map();
      durable = this.lastCommit.then(async () => {
        await this.insert(batches, sources, key);
        if (key !== null) this.positions.committedTo(key);
      });
      this.lastCommit = durable;
    });
    return handedOff.then(() => durable);
  }

  /** Forgets what was appended and not committed; a commit that failed takes the ones after it along. */
  rollback(): Promise<void> {
    return this.exclusive(async () => {
      await this.lastCommit.catch(() => undefined);
      this.lastCommit = Promise.resolve();
      this.pending = [];
      this.positions.rollback();
      this.sources.forget();
      this.fresh = new Map();
    });
  }

  /** Waits for every commit asked for. */
  async drain(): Promise<void> {
    await this.lock;
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
      await this.ch.command(`delete the rows of a commit cut short from ${table}`, `DELETE FROM ${localName(this.layout, table)}${onCluster(this.layout)} WHERE has(${ids}, toString(batch_id))`, p);
    }
    await this.insertStates(serverId, open.map((row) => ({ position: row.position, batchId: row.batch_id })), 'abandoned');
  }

  private async insert(batches: WriteBatch[], sources: SourceRow[], key: BatchKey | null): Promise<void> {
    const batchId = newBatchId();
    if (sources.length > 0) {
      const text = sources.map((s) => `${escapeTsv(s.projectId)}\t${escapeTsv(s.sourceId)}\t${escapeTsv(s.resourceJson)}\t${escapeTsv(s.scopeJson)}\n`).join('');
      await this.ch.insertTsv('insert sources', this.ch.tables.sources, SOURCES.map((s) => s.name), text);
    }
    const byTable = new Map<TableName, TableBatch[]>();
    for (const batch of batches) {
      for (const table of batch.tables) {
        const name = table.table as TableName;
        const list = byTable.get(name);
        if (list === undefined) byTable.set(name, [table]);
        else list.push(table);
      }
    }
    if (byTable.size > 0 && key !== null) await this.insertStates(key.serverId, [{ position: key.position, batchId }], 'begun');
    await Promise.all(
      [...byTable].map(([name, tables]) => {
        const specs = TABLES[name];
        const text = tables.map((table) => tsvOf(table, specs, [batchId])).join('');
        return this.ch.insertTsv(`insert ${name}`, this.ch.tables[name], insertColumns(specs, ['batch_id']), text);
      }),
    );
    if (key !== null) await this.insertStates(key.serverId, [{ position: key.position, batchId }], 'committed');
  }

  private async insertStates(serverId: string, commits: Array<{ position: string; batchId: string }>, state: CommitState): Promise<void> {
    const nowUs = Date.now() * 1000;
    const text = commits
      .map(({ position, batchId }) => {
        const { segment, offset } = splitPosition(position);
        return `${escapeTsv(serverId)}\t${escapeTsv(position)}\t${segment}\t${offset}\t${batchId}\t${state}\t${nowUs}\n`;
      })
      .join('');
    await this.ch.insertTsv(`record a commit as ${state}`, this.ch.tables.spool_positions, ['server_id', 'position', 'segment', 'offset', 'batch_id', 'state', 'at_us'], text);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
