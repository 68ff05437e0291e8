import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import type { CompareQuery, ErrorGroupStatus, LogQuery, LogRecordData, MetricPointQuery, MetricPointRecord, ModelPrice, TimeRange } from '@spoor/model';
import { type AlertSeriesQuery, type AlertSeriesRow, type CompareSideRecord, type RepriceResult, type SpanCost, type RetainedRecords, type ScoreCompareGroup, type RecentSpanSource, type Store, StoreConflictError, StoreError, appendAndCommit, type BatchKey, type TimeKey, type TreeKey, type TreePage, type WriteBatch } from '../store.js';
import { type Columns, columnsOf } from './read.js';
import type { StoredLog, StoredTrace, StoredTraceBytes } from '../stored-trace.js';
import { DuckDbWriter } from './writer.js';
import { attach, connectTo, detach, isInvalidated, reattach } from './catalog.js';
import { MIGRATIONS } from './migrations.js';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';
import { removeModelPrice, selectModelPrices, updateSpanCosts, upsertModelPrice } from './pricing.js';
import { selectComparison, selectScoreComparison } from './compare.js';
import type { TraceTimings } from '../trace-timings.js';
import { DuckDbAccessStore, DuckDbProjectPolicies } from './access.js';
import { DuckDbAlertStore } from './alerts.js';
import { selectMetricPoints, selectMetricPointsOf } from './metric-reads.js';
import { deleteRecordsOlderThan } from './retention.js';
import { upsertErrorGroupStatus } from './error-groups.js';
import { DuckDbExporter } from './export.js';
import { DuckDbSql } from './dialect.js';
import { DuckDbRunningSpanStore } from './running-spans.js';
import { DuckDbScoreStore } from './scores.js';
import { DuckDbDatasetStore } from './datasets.js';
import { DuckDbExperimentStore } from './experiments.js';
import { DuckDbEvaluatorStore } from './evaluators.js';
import { KeptLists } from './kept-lists.js';
import { SqlReads } from '../sql/sql-reads.js';
import { SqlLiveStore } from '../sql/live.js';
import { duckDbCursor, duckDbLiveCommits } from './live.js';
import { DuckDbRecordExport } from './record-export.js';
import { DuckDbTraceReads } from './trace-reads.js';
import { DuckDbSamplingStore } from './sampling.js';
import { AlertSliceCache, SLICES_FROM_SPANS } from './alert-slices.js';
import { SpanChanges } from './span-changes.js';
import { WriteLanes, isWriteConflict } from './write-lanes.js';

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
/** The records alert windows read (`AlertSliceCache`): deleting any of them drops the windows' slices. */
const SPAN_RECORDS: ReadonlySet<RetainedRecords> = new Set(['spans', 'spanStats', 'traceParts']);

export class DuckDbStore extends SqlReads implements Store, RecentSpanSource {
  private readonly writer: DuckDbWriter;
  protected readonly sql: DuckDbSql;
  readonly alerts: DuckDbAlertStore;
  readonly access: DuckDbAccessStore;
  readonly scores: DuckDbScoreStore;
  readonly evaluators: DuckDbEvaluatorStore;
  readonly datasets: DuckDbDatasetStore;
  readonly experiments: DuckDbExperimentStore;
  readonly masking: DuckDbProjectPolicies;
  /** What changed after a cursor; the head is the writer's last commit, known here (DuckDB has one writer). */
  readonly live: SqlLiveStore;
  readonly runningSpans: DuckDbRunningSpanStore;
  /** A trace's rows and logs, read as their answers need them (`trace-reads.ts`). */
  private readonly traces: DuckDbTraceReads;
  /** The alert rules' windows kept by slices between rounds. */
  private readonly alertSlices: AlertSliceCache;
  /** Reads the tables out for `spoor migrate`. */
  readonly exporter: DuckDbExporter;
  /** Export: a signal's records as Parquet or JSON Lines, by DuckDB's own writers. */
  readonly exports: DuckDbRecordExport;
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
    alertSlicesFromSpans: number,
    /** The spill directory this store made for itself (read only, or in memory), removed at close. */
    private readonly ownSpillDir: string | null,
  ) {
    super();
    this.sql = new DuckDbSql((what, fn) => this.onOwnConnection(what, fn));
    const changes = new SpanChanges();
    this.writer = new DuckDbWriter([connection, second], (serverId) => this.readPosition(serverId), (seq, batch) => changes.note(seq, batch));
    this.alerts = new DuckDbAlertStore((what, fn) => this.onOwnConnection(what, fn), (table) => this.lanes.lane(table));
    this.access = new DuckDbAccessStore(this.sql, this.kept, this.lanes.lane('api_keys'));
    this.scores = new DuckDbScoreStore(this.sql, this.lanes.lane('scores'));
    this.evaluators = new DuckDbEvaluatorStore(this.sql, this.kept);
    this.datasets = new DuckDbDatasetStore(this.sql);
    this.experiments = new DuckDbExperimentStore(this.sql);
    this.masking = new DuckDbProjectPolicies((what, fn) => this.onOwnConnection(what, fn), this.lanes.lane('masking_policies'), 'masking_policies', 'masking', this.kept);
    this.exporter = new DuckDbExporter((what, fn) => this.onOwnConnection(what, fn));
    this.exports = new DuckDbRecordExport((what, fn) => this.onOwnConnection(what, fn), exportTempDir(path));
    this.live = new SqlLiveStore(this.sql, duckDbLiveCommits, async () => duckDbCursor(this.writer.lastCommittedSeq));
    this.runningSpans = new DuckDbRunningSpanStore(this.sql);
    // A move slims the spans' attributes, which alert labels and matchers read.
    this.sampling = new DuckDbSamplingStore(this.sql, () => this.alertSlices.spansChanged(), this.kept, this.lanes.lane('sampling_policies'));
    this.traces = new DuckDbTraceReads(this.sql, (what, fn) => this.onOwnConnection(what, fn));
    this.alertSlices = new AlertSliceCache(this.sql, () => this.writer.lastCommittedSeq, changes, alertSlicesFromSpans);
  }

  static async open(options: DuckDbStoreOptions): Promise<DuckDbStore> {
    const readOnly = options.readOnly ?? false;
    const spill = await spillDirOf(options.path, readOnly);
    let instance: DuckDBInstance;
    let writer: DuckDBConnection;
    try {
      instance = await DuckDBInstance.create(':memory:', {
        memory_limit: options.memoryLimit ?? '384MB',
        threads: String(options.threads ?? Number(process.env.SPOOR_DUCKDB_THREADS ?? 2)),
        temp_directory: spill.dir,
        ...options.settings,
      });
      writer = await instance.connect();
      await attach(writer, options.path, readOnly);
    } catch (cause) {
      if (spill.own) await rm(spill.dir, { recursive: true, force: true });
      throw new StoreError(`cannot open the DuckDB database at ${options.path}: ${(cause as Error).message}`, { cause });
    }
    if (!spill.own) await clearLeftovers(spill.dir, exportTempDir(options.path));
    const store = new DuckDbStore(instance, writer, await connectTo(instance), options.path, readOnly, options.alertSlicesFromSpans ?? SLICES_FROM_SPANS, spill.own ? spill.dir : null);
    await (readOnly ? store.checkSchema() : store.migrate());
    return store;
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
      await this.connection.run(SCHEMA_SQL);
      for (const step of MIGRATIONS) if (step.from >= stored) await this.connection.run(step.sql);
      await this.sampling.makeFactsViews(this.connection);
      await this.connection.run(
        `INSERT INTO spoor_meta VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [String(SCHEMA_VERSION)],
      );
      // Transactions are numbered on past every number stored, so a cursor a viewer kept across a restart stays true.
      const seq = await this.connection.runAndReadAll(
        `SELECT greatest(coalesce((SELECT max(commit_seq) FROM spool_positions), 0), coalesce((SELECT max(commit_seq) FROM spans), 0),
           coalesce((SELECT max(commit_seq) FROM trace_parts), 0)) AS seq`,
      );
      this.writer.resumeAfter(Number(seq.getRows()[0]?.[0] ?? 0));
    });
  }

  async append(batch: WriteBatch, key: BatchKey | null): Promise<void> {
    if (batch.tables.some((t) => t.table === 'running_spans' && t.rows > 0)) this.runningSpans.appended();
    await this.guard('append a batch', () => this.writer.append(batch, key));
  }

  async commit(key: BatchKey | null): Promise<void> {
    const committed = this.runningSpans.committing();
    try {
      await this.guard('commit', () => this.writer.commit(key));
    } finally {
      // Even when it failed: what a failed commit left is for reads to find, not to hide.
      committed();
    }
  }

  async rollback(): Promise<void> {
    await this.guard('roll back', () => this.writer.rollback());
  }

  /**
   * Detaches the invalidated database and attaches its file again, which replays its WAL: what
   * was committed is there, what was not is gone, and the writer starts afresh. While the disk is
   * still full this fails too, and the next call (a retried write, a read) tries again.
   */
  private async reattach(): Promise<void> {
    await this.writer.rollback().catch(() => {
      // Rolling back on an invalidated database reports it; the transactions end all the same.
    });
    await reattach(this.instance, this.path, [this.connection, this.second]);
    this.alertSlices.spansChanged();
    // The file as its WAL replays it: every list is read from it again.
    this.kept.forgetAll();
    this.invalidated = false;
  }

  write(batch: WriteBatch, key: BatchKey | null): Promise<void> {
    return appendAndCommit(this, batch, key);
  }

  async readPosition(serverId: string): Promise<string | null> {
    // Positions are `segment:offset`; the greatest is the last commit (they only move forward).
    // Rows without a server id were written by this data directory's one server before ids.
    const rows = await this.read(
      'read the spool position',
      `SELECT position FROM spool_positions WHERE server_id = $1 OR server_id IS NULL
       ORDER BY CAST(split_part(position, ':', 1) AS BIGINT) DESC, CAST(split_part(position, ':', 2) AS BIGINT) DESC
       LIMIT 1`,
      [serverId],
    );
    return (rows.position?.[0] as string | undefined) ?? null;
  }

  getTrace(projectId: string, traceId: string, spanId?: string): Promise<StoredTrace | null> {
    return this.traces.getTrace(projectId, traceId, spanId);
  }

  getTraceBytes(projectId: string, traceId: string, lend?: () => Buffer | null): Promise<StoredTraceBytes | null> {
    return this.traces.getTraceBytes(projectId, traceId, lend);
  }

  getTraceSpans(projectId: string, traceId: string, spanIds: readonly string[], traceLogs: boolean): Promise<StoredTraceBytes> {
    return this.traces.getTraceSpans(projectId, traceId, spanIds, traceLogs);
  }

  getTreePage(projectId: string, traceId: string, after: TreeKey | null, limit: number): Promise<TreePage> {
    return this.traces.getTreePage(projectId, traceId, after, limit);
  }

  getTraceLogs(projectId: string, traceId: string): Promise<StoredLog[]> {
    return this.traces.getTraceLogs(projectId, traceId);
  }

  searchTrace(projectId: string, traceId: string, text: string, limit: number): Promise<string[]> {
    return this.traces.searchTrace(projectId, traceId, text, limit);
  }

  getTraceTimings(projectId: string, traceId: string): Promise<TraceTimings | null> {
    return this.traces.getTraceTimings(projectId, traceId);
  }

  async recentSpanIds(perProject: number): Promise<Array<{ projectId: string; traceId: string; spanId: string }>> {
    const projects = (await this.read('list projects', 'SELECT DISTINCT project_id FROM sources', [])).project_id ?? [];
    const out: Array<{ projectId: string; traceId: string; spanId: string }> = [];
    for (const projectId of projects as string[]) {
      // From the last rows only (their row ids): sorting all of 5,000,000 spans took 0.5 s, this 60 ms.
      const rows = await this.read(
        'read the last spans',
        'SELECT trace_id, span_id FROM spans WHERE project_id = $1 AND rowid > (SELECT max(rowid) FROM spans) - $3 ORDER BY rowid DESC LIMIT $2',
        [projectId, perProject, 4 * perProject],
      );
      (rows.span_id ?? []).forEach((spanId, i) => out.push({ projectId, traceId: rows.trace_id![i] as string, spanId: spanId as string }));
    }
    return out;
  }

  listLogs(query: LogQuery, after: TimeKey | null, limit: number): Promise<LogRecordData[]> {
    return this.traces.listLogs(query, after, limit);
  }

  listMetricPoints(query: MetricPointQuery, offset: number, limit: number): Promise<MetricPointRecord[]> {
    return this.onOwnConnection('list metric points', (connection) => selectMetricPoints(connection, query, offset, limit));
  }

  readMetricPoints(projectId: string, names: readonly string[], range: TimeRange, service: string | null): Promise<MetricPointRecord[]> {
    return this.onOwnConnection('read metric points', (connection) => selectMetricPointsOf(connection, projectId, names, range, service));
  }

  listModelPrices(projectId: string): Promise<ModelPrice[]> {
    return this.onOwnConnection('list prices', (connection) => selectModelPrices(connection, projectId));
  }

  async putModelPrice(projectId: string, price: ModelPrice, updatedUs: number): Promise<void> {
    await this.lanes.lane('model_prices')('save a price', (connection) => upsertModelPrice(connection, projectId, price, updatedUs));
  }

  deleteModelPrice(projectId: string, model: string): Promise<boolean> {
    return this.lanes.lane('model_prices')('delete a price', (connection) => removeModelPrice(connection, projectId, model));
  }

  override alertSeries(query: AlertSeriesQuery): Promise<AlertSeriesRow[]> {
    return this.alertSlices.read(query);
  }

  async setSpanCosts(projectId: string, costs: readonly SpanCost[]): Promise<RepriceResult> {
    try {
      return await this.onOwnConnection('set span costs', (connection) => updateSpanCosts(connection, projectId, costs));
    } finally {
      this.alertSlices.spansChanged();
    }
  }

  compareSpans(query: CompareQuery, read?: () => void): Promise<CompareSideRecord[]> {
    return selectComparison(this.sql, query, read);
  }

  override compareScores(query: CompareQuery): Promise<ScoreCompareGroup[]> {
    return selectScoreComparison(this.sql, query);
  }

  async setErrorGroupStatus(projectId: string, fingerprint: string, status: ErrorGroupStatus, nowUs: number): Promise<void> {
    await this.lanes.lane('error_group_states')('save an error group status', (connection) => upsertErrorGroupStatus(connection, projectId, fingerprint, status, nowUs));
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

  async deleteOlderThan(records: RetainedRecords, cutoffUs: number): Promise<number> {
    const deleted = await this.onOwnConnection(`apply retention to ${records}`, (connection) => deleteRecordsOlderThan(connection, records, cutoffUs));
    if (deleted > 0 && SPAN_RECORDS.has(records)) this.alertSlices.spansChanged();
    return deleted;
  }

  async close(): Promise<void> {
    await this.guard('close the database', async () => {
      try {
        await this.writer.drain();
        if (!this.readOnly) await this.connection.run('CHECKPOINT');
      } catch (error) {
        // Closed all the same (a full disk): the write-ahead log keeps what it had. A transaction
        // left open (by a commit loop that gave up) is rolled back first: closing its connection
        // with the database invalidated aborted the process.
        await this.writer.rollback().catch(() => {
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
