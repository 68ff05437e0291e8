import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { type FlowReader, type LogReader, type Store, StoreConflictError, StoreError } from '../store.js';
import { selectFlowSpans } from './flows.js';
import { type Columns, columnsOf } from './read.js';
import { DuckDbWriter } from './writer.js';
import { FIRST_ROW_GROUP_ROWS, attach, connectTo, detach, isInvalidated, reattach, recordsPerCommit, rowGroupRowsOf } from './catalog.js';
import { MIGRATIONS } from './migrations.js';
import { inTransaction } from './transaction.js';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';
import { REVIEW_TABLES } from './schema-review-tables.js';
import { PROMPT_TABLES } from './schema-prompt-tables.js';
import { DASHBOARD_TABLES } from './schema-dashboard-tables.js';
import { DuckDbAccessStore, DuckDbProjectPolicies } from './access.js';
import { DuckDbAlertStore } from './alerts.js';
import { DuckDbExporter } from './export.js';
import { DuckDbSql } from './dialect.js';
import { DuckDbRunningSpanStore } from './running-spans.js';
import { DuckDbScoreStore } from './scores.js';
import { DuckDbDatasetStore } from './datasets.js';
import { DuckDbQueueStore } from './queues.js';
import { DuckDbPromptStore } from './prompts.js';
import { DuckDbDashboardStore } from './dashboards.js';
import { DuckDbExperimentStore } from './experiments.js';
import { DuckDbEvaluatorStore } from './evaluators.js';
import { KeptLists } from './kept-lists.js';
import { SqlLiveStore } from '../sql/live.js';
import { duckDbCursor, duckDbLiveCommits } from './live.js';
import { DuckDbRecordExport } from './record-export.js';
import { DuckDbTraceReads } from './trace-reads.js';
import { DuckDbSamplingStore } from './sampling.js';
import { AlertSliceCache, SLICES_FROM_SPANS } from './alert-slices.js';
import { SpanChanges } from './span-changes.js';
import { WriteLanes, isWriteConflict } from './write-lanes.js';
import {
  DuckDbAnalyticsReader,
  DuckDbErrorStore,
  DuckDbMetricReader,
  DuckDbPriceStore,
  DuckDbRetention,
  DuckDbScoreStatsReader,
  DuckDbStoreWriter,
} from './store-ports.js';

/** Where the API's export streams write their files before reading them: beside the database, on its disk. */
function exportTempDir(path: string): string | null {
  return path === ':memory:' ? null : join(dirname(path), 'exports.tmp');
}

/**
 * Where DuckDB spills what its memory limit does not hold. Never its default: the instance is in
 * memory (the file is attached to it), and for such an instance DuckDB spills to `.tmp` in the
 * process's working directory under fixed file names, so two servers started in one directory
 * shared them: one's start or stop removed the other's spilled blocks (its commits then failed
 * until restarted, "Corrupt temporary file"; two instances in one process crashed). A writable
 * file spills beside itself, as DuckDB does for a file it opens (one writer a file: DuckDB's lock);
 * a store read only, or in memory, gets a directory of its own, removed when it closes.
 */
async function spillDirOf(path: string, readOnly: boolean): Promise<{ dir: string; own: boolean }> {
  if (path !== ':memory:' && !readOnly) return { dir: `${path}.tmp`, own: false };
  return { dir: await mkdtemp(join(tmpdir(), 'spoor-duckdb-spill-')), own: true };
}

/**
 * Removes what a crash left beside a writable file: the spill files in its directory and the export
 * streams' files. Once the file's lock is held they are no one's; nothing spills or exports before
 * the store is open (a store read only holds no lock, and leaves them).
 */
async function clearLeftovers(spillDir: string, exportDir: string | null): Promise<void> {
  const names = await readdir(spillDir).catch(() => [] as string[]);
  await Promise.all(names.filter((name) => name.startsWith('duckdb_temp_')).map((name) => rm(join(spillDir, name), { force: true })));
  if (exportDir !== null) await rm(exportDir, { recursive: true, force: true });
}

export interface DuckDbStoreOptions {
  /** Database file; `':memory:'` for a throwaway store. */
  path: string;
  /** DuckDB `memory_limit`: its buffer cache and working memory. Default `'384MB'`, so the whole server (three threads' heaps beside it) stays under 1 GiB. */
  memoryLimit?: string;
  /** DuckDB worker threads. Default: 2. */
  threads?: number;
  /** Further DuckDB settings, e.g. `{ checkpoint_threshold: '64MB' }`. */
  settings?: Record<string, string>;
  /**
   * Open an existing file for reading only (`spoor mcp --data`): its schema must be this
   * version's, and nothing is written, not even a checkpoint at close. Default false.
   */
  readOnly?: boolean;
  /**
   * Spans an alert window holds before it is kept by slices between rounds (`AlertSliceCache`).
   * Default `SLICES_FROM_SPANS`; 0 keeps every window by slices (the store contract does).
   */
  alertSlicesFromSpans?: number;
}

/**
 * The embedded store: one DuckDB file. Writes go through one connection (`DuckDbWriter`); reads
 * open their own connection each, so they never wait behind a write.
 */
export class DuckDbStore implements Store {
  /** The one writer of the file, behind the write port. */
  private readonly batches: DuckDbWriter;
  private readonly sql: DuckDbSql;
  /** A trace's rows and logs, read as their answers need them (`trace-reads.ts`). */
  readonly traces: DuckDbTraceReads;
  readonly logs: LogReader;
  readonly metrics: DuckDbMetricReader;
  readonly analytics: DuckDbAnalyticsReader;
  readonly errors: DuckDbErrorStore;
  /** The alert rules' windows, kept by slices between rounds. */
  readonly alertSeries: AlertSliceCache;
  readonly scoreStats: DuckDbScoreStatsReader;
  readonly prices: DuckDbPriceStore;
  readonly retention: DuckDbRetention;
  readonly writer: DuckDbStoreWriter;
  readonly alerts: DuckDbAlertStore;
  readonly access: DuckDbAccessStore;
  readonly scores: DuckDbScoreStore;
  readonly evaluators: DuckDbEvaluatorStore;
  readonly datasets: DuckDbDatasetStore;
  readonly queues: DuckDbQueueStore;
  readonly prompts: DuckDbPromptStore;
  readonly dashboards: DuckDbDashboardStore;
  readonly experiments: DuckDbExperimentStore;
  readonly masking: DuckDbProjectPolicies;
  /** What changed after a cursor; the head is the writer's last commit, known here (DuckDB has one writer). */
  readonly live: SqlLiveStore;
  readonly runningSpans: DuckDbRunningSpanStore;
  /** Reads the tables out for `spoor migrate`. */
  readonly exporter: DuckDbExporter;
  /** Export: a signal's records as Parquet or JSON Lines, by DuckDB's own writers. */
  readonly exports: DuckDbRecordExport;
  readonly flows: FlowReader = { flowSpans: (query) => selectFlowSpans(this.sql, query) };
  /** Tail sampling: policies, decisions, and slimming in place. */
  readonly sampling: DuckDbSamplingStore;
  /**
   * Set when DuckDB has invalidated the database (a checkpoint that failed, as on a full disk):
   * nothing works on it until it is detached and attached again, which the next write does.
   */
  private invalidated = false;
  /** The reattaching in progress, which every call waits for. */
  private healing: Promise<void> | null = null;
  /** The lists of keys, evaluators and policies as last read, until this store writes them: it alone writes the file. */
  private readonly kept = new KeptLists();
  /** The small tables changed by hand, each written one write at a time (`WriteLanes`). */
  private readonly lanes = new WriteLanes((what, fn) => this.onOwnConnection(what, fn));

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly second: DuckDBConnection,
    private readonly path: string,
    private readonly readOnly: boolean,
    /** Rows a row group of the file holds (`catalog.ts`), as it is attached again after an invalidation. */
    readonly rowGroupRows: number,
    alertSlicesFromSpans: number,
    /** The spill directory this store made for itself (read only, or in memory), removed at close. */
    private readonly ownSpillDir: string | null,
  ) {
    const on = <T>(what: string, fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> => this.onOwnConnection(what, fn);
    this.sql = new DuckDbSql(on);
    const changes = new SpanChanges();
    this.runningSpans = new DuckDbRunningSpanStore(this.sql);
    this.batches = new DuckDbWriter(
      [connection, second],
      (serverId) => this.writer.readPosition(serverId),
      (seq, batch) => changes.note(seq, batch),
    );
    const guard = <T>(what: string, fn: () => Promise<T>): Promise<T> => this.guard(what, fn);
    this.writer = new DuckDbStoreWriter(this.batches, guard, (what, sql, values) => this.read(what, sql, values), this.runningSpans);
    this.alertSeries = new AlertSliceCache(this.sql, () => this.batches.lastCommittedSeq, changes, alertSlicesFromSpans);
    this.traces = new DuckDbTraceReads(this.sql, on);
    const traces = this.traces;
    this.logs = { listLogs: (query, after, limit) => traces.listLogs(query, after, limit) };
    this.metrics = new DuckDbMetricReader(this.sql, on);
    this.analytics = new DuckDbAnalyticsReader(this.sql);
    this.errors = new DuckDbErrorStore(this.sql, this.lanes.lane('error_group_states'));
    this.scoreStats = new DuckDbScoreStatsReader(this.sql);
    this.prices = new DuckDbPriceStore(this.sql, on, this.lanes.lane('model_prices'), this.alertSeries);
    this.retention = new DuckDbRetention(on, this.alertSeries);
    this.alerts = new DuckDbAlertStore(on, (table) => this.lanes.lane(table));
    this.access = new DuckDbAccessStore(this.sql, this.kept, this.lanes.lane('api_keys'));
    this.scores = new DuckDbScoreStore(this.sql, this.lanes.lane('scores'));
    this.evaluators = new DuckDbEvaluatorStore(this.sql, this.kept);
    this.datasets = new DuckDbDatasetStore(this.sql);
    this.queues = new DuckDbQueueStore(this.sql);
    this.prompts = new DuckDbPromptStore(this.sql);
    this.dashboards = new DuckDbDashboardStore(this.sql);
    this.experiments = new DuckDbExperimentStore(this.sql);
    this.masking = new DuckDbProjectPolicies(on, this.lanes.lane('masking_policies'), 'masking_policies', 'masking', this.kept);
    this.exporter = new DuckDbExporter(on);
    this.exports = new DuckDbRecordExport(on, exportTempDir(path));
    this.live = new SqlLiveStore(this.sql, duckDbLiveCommits, async () => duckDbCursor(this.batches.lastCommittedSeq));
    // A move slims the spans' attributes, which alert labels and matchers read.
    this.sampling = new DuckDbSamplingStore(this.sql, () => this.alertSeries.spansChanged(), this.kept, this.lanes.lane('sampling_policies'));
  }

  static async open(options: DuckDbStoreOptions): Promise<DuckDbStore> {
    const readOnly = options.readOnly ?? false;
    const spill = await spillDirOf(options.path, readOnly);
    let instance: DuckDBInstance;
    let writer: DuckDBConnection;
    let rowGroupRows = FIRST_ROW_GROUP_ROWS;
    try {
      instance = await DuckDBInstance.create(':memory:', {
        memory_limit: options.memoryLimit ?? '384MB',
        threads: String(options.threads ?? Number(process.env.SPOOR_DUCKDB_THREADS ?? 2)),
        temp_directory: spill.dir,
        ...options.settings,
      });
      // A file read alone is never written: its row groups' size does not matter.
      if (!readOnly) rowGroupRows = await rowGroupRowsOf(instance, options.path);
      writer = await instance.connect();
      await attach(writer, options.path, rowGroupRows, readOnly);
    } catch (cause) {
      if (spill.own) await rm(spill.dir, { recursive: true, force: true });
      throw new StoreError(`cannot open the DuckDB database at ${options.path}: ${(cause as Error).message}`, { cause });
    }
    if (!spill.own) await clearLeftovers(spill.dir, exportTempDir(options.path));
    const store = new DuckDbStore(
      instance,
      writer,
      await connectTo(instance),
      options.path,
      readOnly,
      rowGroupRows,
      options.alertSlicesFromSpans ?? SLICES_FROM_SPANS,
      spill.own ? spill.dir : null,
    );
    await (readOnly ? store.checkSchema() : store.migrate());
    return store;
  }

  /** Records a commit takes at most on this file: its row groups' worth (`catalog.ts`). */
  get recordsPerCommit(): number {
    return recordsPerCommit(this.rowGroupRows);
  }

  /** Records a commit needs to write whole row groups; `undefined` on a store made before, whose commits stay as they were measured. */
  get wholeRecords(): number | undefined {
    return this.rowGroupRows === FIRST_ROW_GROUP_ROWS ? undefined : this.rowGroupRows;
  }

  /** A file opened for reading only must hold this version's schema: it cannot be migrated. */
  private async checkSchema(): Promise<void> {
    const found = await this.read('read the schema version', `SELECT value FROM spoor_meta WHERE key = 'schema_version'`, []).catch(() => null);
    const version = Number(found?.value?.[0] ?? Number.NaN);
    if (version === SCHEMA_VERSION) return;
    await this.close();
    throw new StoreError(
      Number.isNaN(version)
        ? `${this.path} holds no Spoor schema`
        : `${this.path} holds schema version ${version}, this Spoor reads version ${SCHEMA_VERSION}: start a server of this version on it once (it migrates the file), then read it again`,
    );
  }

  private async migrate(): Promise<void> {
    await this.guard('create the schema', async () => {
      // A new file has no spoor_meta yet: it gets the current schema and needs no migration.
      const stored = await this.connection
        .runAndReadAll(`SELECT value FROM spoor_meta WHERE key = 'schema_version'`)
        .then((result) => Number(result.getRows()[0]?.[0] ?? SCHEMA_VERSION))
        .catch(() => SCHEMA_VERSION);
      await this.connection.run(SCHEMA_SQL + REVIEW_TABLES + PROMPT_TABLES + DASHBOARD_TABLES);
      const version = (v: number) =>
        this.connection.run(`INSERT INTO spoor_meta VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [String(v)]);
      // Each step commits with the version it brings the file to: after a stop between steps the
      // next start resumes after the last one done (a step run again on a table it already rebuilt
      // would fail, and the file would not open).
      for (const step of MIGRATIONS) {
        if (step.from < stored) continue;
        await inTransaction(this.connection, async () => {
          await this.connection.run(step.sql);
          await version(step.from + 1);
        });
      }
      await this.sampling.makeFactsViews(this.connection);
      await version(SCHEMA_VERSION);
      // The size the file was made with, which DuckDB does not keep: it is attached with it from now on.
      await this.connection.run(`INSERT INTO spoor_meta VALUES ('row_group_rows', $1) ON CONFLICT (key) DO NOTHING`, [String(this.rowGroupRows)]);
      // Transactions are numbered on past every number stored, so a cursor a viewer kept across a restart stays true.
      const seq = await this.connection.runAndReadAll(
        `SELECT greatest(coalesce((SELECT max(commit_seq) FROM spool_positions), 0), coalesce((SELECT max(commit_seq) FROM spans), 0),
           coalesce((SELECT max(commit_seq) FROM trace_parts), 0)) AS seq`,
      );
      this.batches.resumeAfter(Number(seq.getRows()[0]?.[0] ?? 0));
    });
  }

  /**
   * Detaches the invalidated database and attaches its file again, which replays its WAL: what
   * was committed is there, what was not is gone, and the writer starts afresh. While the disk is
   * still full this fails too, and the next call (a retried write, a read) tries again.
   */
  private async reattach(): Promise<void> {
    await this.batches.rollback().catch(() => {
      // Rolling back on an invalidated database reports it; the transactions end all the same.
    });
    await reattach(this.instance, this.path, this.rowGroupRows, this.readOnly, [this.connection, this.second]);
    this.alertSeries.spansChanged();
    // The file as its WAL replays it: every list is read from it again.
    this.kept.forgetAll();
    this.invalidated = false;
  }

  /**
   * Runs `fn` on a connection of its own: not a writer's, which may have a transaction open. A
   * commit that another transaction's write of the same row beat is a `StoreConflictError`.
   */
  private onOwnConnection<T>(what: string, fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.guard(what, async () => {
      const connection = await connectTo(this.instance);
      try {
        return await fn(connection);
      } catch (cause) {
        if (isWriteConflict(cause)) throw new StoreConflictError(`DuckDB failed to ${what}: ${(cause as Error).message}`, { cause });
        throw cause;
      } finally {
        connection.closeSync();
      }
    });
  }

  /** Writes the write-ahead log into the file now, on a connection of its own (the server's schedule, `dbthread/checkpoints.ts`). */
  async checkpoint(): Promise<void> {
    await this.onOwnConnection('checkpoint', (connection) => connection.run('CHECKPOINT'));
  }

  async close(): Promise<void> {
    await this.guard('close the database', async () => {
      try {
        await this.batches.drain();
        if (!this.readOnly) await this.connection.run('CHECKPOINT');
      } catch (error) {
        // Closed all the same (a full disk): the write-ahead log keeps what it had. A transaction
        // left open (by a commit loop that gave up) is rolled back first: closing its connection
        // with the database invalidated aborted the process.
        await this.batches.rollback().catch(() => {
          // Rolling back on an invalidated database reports it; the transactions end all the same.
        });
        await detach(this.instance).catch(() => {
          // Nothing more to try: the error that matters is the checkpoint's.
        });
        throw error;
      } finally {
        this.second.closeSync();
        this.connection.closeSync();
        this.instance.closeSync();
      }
    });
    if (this.ownSpillDir !== null) await rm(this.ownSpillDir, { recursive: true, force: true });
  }

  private read(what: string, sql: string, values: DuckDBValue[]): Promise<Columns> {
    return this.onOwnConnection(what, (connection) => columnsOf(connection, sql, values));
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      if (this.invalidated) await (this.healing ??= this.reattach().finally(() => (this.healing = null)));
      return await fn();
    } catch (cause) {
      if (cause instanceof StoreError) throw cause;
      if (isInvalidated(cause)) this.invalidated = true;
      throw new StoreError(`DuckDB failed to ${what}: ${(cause as Error).message}`, { cause });
    }
  }
}
