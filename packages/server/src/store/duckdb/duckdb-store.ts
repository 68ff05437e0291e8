import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import type { CompareQuery, ErrorGroupStatus, LogQuery, LogRecordData, MetricPointQuery, MetricPointRecord, ModelPrice, TimeRange } from '@spoor/model';
import { type CompareSideRecord, type RepriceResult, type SpanCost, type RetainedRecords, type RecentSpanSource, type Store, StoreError, appendAndCommit, type BatchKey, type TimeKey, type TreeKey, type TreePage, type WriteBatch } from '../store.js';
import {
  type Columns,
  JsonParseCache,
  type JsonArrayShape,
  LOG_SHAPE,
  SPAN_SHAPE,
  STORED_LOG_SHAPE,
  type SourceTexts,
  type StoredRowShape,
  columnsOf,
  logFromRow,
  mapArrayRows,
  mapRows,
  storedLogFromRow,
  storedRowsFrom,
  storedRowsSelect,
  storedSpanFromRow,
  spanFieldsFromRow,
} from './read.js';
import { NO_SPAN_TEXTS, type SpanTexts, type StoredLog, type StoredTrace, type StoredTraceBytes, spanTextsOf } from '../stored-trace.js';
import { DuckDbWriter } from './writer.js';
import { attach, connectTo, isInvalidated, reattach } from './catalog.js';
import { MIGRATIONS, SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';
import { removeModelPrice, selectModelPrices, updateSpanCosts, upsertModelPrice } from './pricing.js';
import { selectComparison } from './compare.js';
import type { TraceTimings } from '../trace-timings.js';
import { selectTraceTimings } from './trace-timings.js';
import { TREE_SHAPE, selectTraceSearch } from './trace-tree.js';
import { treePageFrom } from '../trace-tree-columns.js';
import { TREE_ORDER, treeAfter } from '../sql/trace-tree.js';
import { DuckDbAccessStore, DuckDbMaskingStore } from './access.js';
import { DuckDbAlertStore } from './alerts.js';
import { selectMetricPoints, selectMetricPointsOf } from './metric-reads.js';
import { deleteRecordsOlderThan } from './retention.js';
import { upsertErrorGroupStatus } from './error-groups.js';
import { DuckDbParams } from './dialect.js';
import { logConditions } from '../sql/logs-metrics.js';
import { traceBounds } from '../sql/trace-bounds.js';
import { LOG_MARGIN_US } from '../sql/traces.js';
import { DuckDbExporter } from './export.js';
import { DuckDbSql, duckDbDialect } from './dialect.js';
import { DuckDbRunningSpanStore } from './running-spans.js';
import { DuckDbScoreStore } from './scores.js';
import { DuckDbDatasetStore } from './datasets.js';
import { DuckDbExperimentStore } from './experiments.js';
import { DuckDbEvaluatorStore } from './evaluators.js';
import { SqlReads } from '../sql/sql-reads.js';
import { SqlLiveStore } from '../sql/live.js';
import { duckDbCursor, duckDbLiveCommits } from './live.js';
import { DuckDbRecordExport } from './record-export.js';

/** Where the API's export streams write their files before reading them: beside the database, on its disk. */
function exportTempDir(path: string): string | null {
  return path === ':memory:' ? null : join(dirname(path), 'exports.tmp');
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
}

/**
 * The embedded store: one DuckDB file. Writes go through one connection (`DuckDbWriter`); reads
 * open their own connection each, so they never wait behind a write.
 */
export class DuckDbStore extends SqlReads implements Store, RecentSpanSource {
  private readonly writer: DuckDbWriter;
  protected readonly sql: DuckDbSql;
  readonly alerts: DuckDbAlertStore;
  readonly access: DuckDbAccessStore;
  readonly scores: DuckDbScoreStore;
  readonly evaluators: DuckDbEvaluatorStore;
  readonly datasets: DuckDbDatasetStore;
  readonly experiments: DuckDbExperimentStore;
  readonly masking: DuckDbMaskingStore;
  /** What changed after a cursor; the head is the writer's last commit, known here (DuckDB has one writer). */
  readonly live: SqlLiveStore;
  readonly runningSpans: DuckDbRunningSpanStore;
  /** Reads the tables out for `spoor migrate`. */
  readonly exporter: DuckDbExporter;
  /** Export (issue 34): a signal's records as Parquet or JSON Lines, by DuckDB's own writers. */
  readonly exports: DuckDbRecordExport;
  /**
   * Set when DuckDB has invalidated the database (a checkpoint that failed, as on a full disk):
   * nothing works on it until it is detached and attached again, which the next write does.
   */
  private invalidated = false;
  /** The reattaching in progress, which every call waits for. */
  private healing: Promise<void> | null = null;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly second: DuckDBConnection,
    private readonly path: string,
    private readonly readOnly: boolean,
  ) {
    super();
    this.sql = new DuckDbSql((what, fn) => this.onOwnConnection(what, fn));
    this.writer = new DuckDbWriter([connection, second], (serverId) => this.readPosition(serverId));
    this.alerts = new DuckDbAlertStore((what, fn) => this.onOwnConnection(what, fn));
    this.access = new DuckDbAccessStore(this.sql);
    this.scores = new DuckDbScoreStore(this.sql);
    this.evaluators = new DuckDbEvaluatorStore(this.sql);
    this.datasets = new DuckDbDatasetStore(this.sql);
    this.experiments = new DuckDbExperimentStore(this.sql);
    this.masking = new DuckDbMaskingStore((what, fn) => this.onOwnConnection(what, fn));
    this.exporter = new DuckDbExporter((what, fn) => this.onOwnConnection(what, fn));
    this.exports = new DuckDbRecordExport((what, fn) => this.onOwnConnection(what, fn), exportTempDir(path));
    this.live = new SqlLiveStore(this.sql, duckDbLiveCommits, async () => duckDbCursor(this.writer.lastCommittedSeq));
    this.runningSpans = new DuckDbRunningSpanStore(this.sql);
  }

  static async open(options: DuckDbStoreOptions): Promise<DuckDbStore> {
    let instance: DuckDBInstance;
    let writer: DuckDBConnection;
    try {
      instance = await DuckDBInstance.create(':memory:', {
        memory_limit: options.memoryLimit ?? '384MB',
        threads: String(options.threads ?? Number(process.env.SPOOR_DUCKDB_THREADS ?? 2)),
        ...options.settings,
      });
      writer = await instance.connect();
      await attach(writer, options.path, options.readOnly);
    } catch (cause) {
      throw new StoreError(`cannot open the DuckDB database at ${options.path}: ${(cause as Error).message}`, { cause });
    }
    const readOnly = options.readOnly ?? false;
    const store = new DuckDbStore(instance, writer, await connectTo(instance), options.path, readOnly);
    await (readOnly ? store.checkSchema() : store.migrate());
    // Export streams' files a crash left behind: none is open before the store is (one opened to read only leaves them).
    const exportDir = exportTempDir(options.path);
    if (exportDir !== null && !readOnly) await rm(exportDir, { recursive: true, force: true });
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

  async getTrace(projectId: string, traceId: string, spanId?: string): Promise<StoredTrace | null> {
    const bounds = await traceBounds(this.sql, projectId, [traceId]);
    if (bounds === null) return null;
    const { fromUs, toUs } = bounds;
    const [spanRows, logRows] = await Promise.all([
      this.readStoredRows(
        'read a trace',
        SPAN_SHAPE,
        `FROM spans WHERE project_id = $1 AND trace_id = $2 AND start_us BETWEEN $3::BIGINT AND $4::BIGINT ${spanId === undefined ? '' : 'AND span_id = $5'}`,
        'rowid',
        [projectId, traceId, fromUs, toUs, ...(spanId === undefined ? [] : [spanId])],
      ),
      this.traceLogRows(projectId, traceId, bounds, spanId),
    ]);
    return this.storedTraceOf(projectId, spanRows, logRows);
  }

  async getTraceBytes(projectId: string, traceId: string): Promise<StoredTraceBytes | null> {
    const bounds = await traceBounds(this.sql, projectId, [traceId]);
    if (bounds === null) return null;
    const [spans, logRows] = await Promise.all([
      this.readSpanBytes('read a trace', 'FROM spans WHERE project_id = $1 AND trace_id = $2 AND start_us BETWEEN $3::BIGINT AND $4::BIGINT', [
        projectId,
        traceId,
        bounds.fromUs,
        bounds.toUs,
      ]),
      this.traceLogRows(projectId, traceId, bounds),
    ]);
    return this.storedTraceBytesOf(projectId, spans, logRows);
  }

  async getTraceSpans(projectId: string, traceId: string, spanIds: readonly string[], traceLogs: boolean): Promise<StoredTraceBytes> {
    const bounds = await traceBounds(this.sql, projectId, [traceId]);
    if (bounds === null) return { spans: [], texts: NO_SPAN_TEXTS, logs: [] };
    // The ids as one comma-separated parameter, joined as a set: a parameter per id of a 10,000-span page planned slowly.
    const ids = spanIds.join(',');
    const page = 'span_id IN (SELECT unnest(string_split($5, \',\')))';
    const values = [projectId, traceId, bounds.fromUs, bounds.toUs, ids];
    const inTrace = 'FROM spans WHERE project_id = $1 AND trace_id = $2 AND start_us BETWEEN $3::BIGINT AND $4::BIGINT';
    // The logs' times are $3 and $4 there: the spans' bounds widened by the margin.
    const spanOfTrace = traceLogs ? ` OR span_id IS NULL OR span_id NOT IN (SELECT span_id ${inTrace.replace('$3', '$6').replace('$4', '$7')})` : '';
    const logValues = [projectId, traceId, bounds.fromUs - LOG_MARGIN_US, bounds.toUs + LOG_MARGIN_US, ids, ...(traceLogs ? [bounds.fromUs, bounds.toUs] : [])];
    const [spanRows, logRows] = await Promise.all([
      this.readSpanBytes('read a page of a trace', `${inTrace} AND ${page}`, values),
      this.readStoredRows(
        "read a page of a trace's logs",
        STORED_LOG_SHAPE,
        `FROM logs WHERE project_id = $1 AND trace_id = $2 AND time_us BETWEEN $3::BIGINT AND $4::BIGINT AND (${page}${spanOfTrace})`,
        'time_us, log_id, rowid',
        logValues,
      ),
    ]);
    return this.storedTraceBytesOf(projectId, spanRows, logRows);
  }

  async getTreePage(projectId: string, traceId: string, after: TreeKey | null, limit: number): Promise<TreePage> {
    const bounds = await traceBounds(this.sql, projectId, [traceId]);
    if (bounds === null) return treePageFrom([]);
    const spansAfter = (p: DuckDbParams, from: TreeKey | null) =>
      `FROM spans WHERE project_id = ${p.add(projectId)} AND trace_id = ${p.add(traceId)} AND start_us BETWEEN ${p.int(bounds.fromUs)} AND ${p.int(bounds.toUs)}${treeAfter(p, from)}`;
    // The page's last key first, from the two key columns alone, then the page's rows: with the
    // rows' json_array in the ordered read, DuckDB built it for every span after `after`, not
    // only for the page's (a million-span tree took 35 s in pages of 50,000, against 6 s so).
    const p = new DuckDbParams();
    const end = await this.read("find the end of a page of a trace's tree", `SELECT start_us, span_id ${spansAfter(p, after)} ORDER BY ${TREE_ORDER} LIMIT 1 OFFSET ${p.count(limit - 1)}`, p.values);
    const q = new DuckDbParams();
    const endStart = end['start_us']?.[0];
    const upTo = endStart === undefined ? '' : ` AND (start_us < ${q.int(Number(endStart))} OR (start_us = ${q.int(Number(endStart))} AND span_id <= ${q.add(String(end['span_id']![0]))}))`;
    // The rows in any order: sorting them again cost as much as reading them (50,000 spans).
    return treePageFrom(await this.readArrays("read a page of a trace's tree", `SELECT ${TREE_SHAPE.sql} ${spansAfter(q, after)}${upTo}`, q.values));
  }

  async getTraceLogs(projectId: string, traceId: string): Promise<StoredLog[]> {
    const bounds = await traceBounds(this.sql, projectId, [traceId]);
    if (bounds === null) return [];
    const logRows = await this.traceLogRows(projectId, traceId, bounds);
    const sources = await this.readSources(projectId, logRows, [STORED_LOG_SHAPE], logRows.length);
    return mapArrayRows(logRows, STORED_LOG_SHAPE, sources, storedLogFromRow);
  }

  async searchTrace(projectId: string, traceId: string, text: string, limit: number): Promise<string[]> {
    const bounds = await traceBounds(this.sql, projectId, [traceId]);
    if (bounds === null) return [];
    return this.onOwnConnection('search a trace', (connection) => selectTraceSearch(connection, projectId, traceId, bounds, text, limit));
  }

  /** Spans and logs from their rows, with the sources (resources and scopes) they name read at once. */
  private async storedTraceOf(projectId: string, spanRows: unknown[][], logRows: unknown[][]): Promise<StoredTrace> {
    const sources = await this.readSources(projectId, [...spanRows, ...logRows], [SPAN_SHAPE, STORED_LOG_SHAPE], spanRows.length);
    return {
      spans: mapArrayRows(spanRows, SPAN_SHAPE, sources, storedSpanFromRow),
      logs: mapArrayRows(logRows, STORED_LOG_SHAPE, sources, storedLogFromRow),
    };
  }

  /** `storedTraceOf`, the spans' texts as bytes (`readSpanBytes`). */
  private async storedTraceBytesOf(projectId: string, spans: { rows: unknown[][]; texts: SpanTexts }, logRows: unknown[][]): Promise<StoredTraceBytes> {
    const sources = await this.readSources(projectId, [...spans.rows, ...logRows], [SPAN_SHAPE, STORED_LOG_SHAPE], spans.rows.length);
    return {
      spans: mapArrayRows(spans.rows, SPAN_SHAPE, sources, spanFieldsFromRow),
      texts: spans.texts,
      logs: mapArrayRows(logRows, STORED_LOG_SHAPE, sources, storedLogFromRow),
    };
  }

  /** The span rows `from` (in stored order), their attributes, events and links as UTF-8 bytes (`SpanTexts`). */
  private async readSpanBytes(what: string, from: string, values: DuckDBValue[]): Promise<{ rows: unknown[][]; texts: SpanTexts }> {
    const columns = await this.read(what, `SELECT ${storedRowsSelect(SPAN_SHAPE, 'rowid', 'bytes')} ${from}`, values);
    return this.guard(what, async () => {
      const arrays = columns.row_arrays?.[0] as string | null | undefined;
      const rows = arrays === null || arrays === undefined ? [] : (JSON.parse(arrays) as unknown[][]);
      return { rows, texts: spanTextsOf(what, (columns.row_texts?.[0] as Uint8Array | null) ?? new Uint8Array(0), rows.length) };
    });
  }

  /** A trace's logs (of one span, with `spanId`), in time order. */
  private traceLogRows(projectId: string, traceId: string, bounds: { fromUs: number; toUs: number }, spanId?: string): Promise<unknown[][]> {
    return this.readStoredRows(
      "read a trace's logs",
      STORED_LOG_SHAPE,
      `FROM logs
       WHERE project_id = $1 AND trace_id = $2 AND time_us BETWEEN $3::BIGINT AND $4::BIGINT ${spanId === undefined ? '' : 'AND span_id = $5'}`,
      'time_us, log_id, rowid',
      [projectId, traceId, bounds.fromUs - LOG_MARGIN_US, bounds.toUs + LOG_MARGIN_US, ...(spanId === undefined ? [] : [spanId])],
    );
  }

  async getTraceTimings(projectId: string, traceId: string): Promise<TraceTimings | null> {
    const bounds = await traceBounds(this.sql, projectId, [traceId]);
    if (bounds === null) return null;
    return this.onOwnConnection("read a trace's span times", (connection) => selectTraceTimings(connection, projectId, traceId, bounds));
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

  async listLogs(query: LogQuery, after: TimeKey | null, limit: number): Promise<LogRecordData[]> {
    const p = new DuckDbParams();
    const where = logConditions(duckDbDialect, p, query, after);
    const rows = await this.readArrays(
      'list logs',
      `SELECT ${LOG_SHAPE.sql} FROM logs WHERE ${where.join(' AND ')} ORDER BY time_us DESC, log_id DESC LIMIT ${p.add(limit)}`,
      p.values,
    );
    const sources = await this.readSources(query.projectId, rows, [LOG_SHAPE], rows.length);
    const shared = new JsonParseCache();
    return mapArrayRows(rows, LOG_SHAPE, sources, (row) => logFromRow(row, shared));
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
    await this.onOwnConnection('save a price', (connection) => upsertModelPrice(connection, projectId, price, updatedUs));
  }

  deleteModelPrice(projectId: string, model: string): Promise<boolean> {
    return this.onOwnConnection('delete a price', (connection) => removeModelPrice(connection, projectId, model));
  }

  setSpanCosts(projectId: string, costs: readonly SpanCost[]): Promise<RepriceResult> {
    return this.onOwnConnection('set span costs', (connection) => updateSpanCosts(connection, projectId, costs));
  }

  compareSpans(query: CompareQuery): Promise<CompareSideRecord[]> {
    return selectComparison(this.sql, query);
  }

  async setErrorGroupStatus(projectId: string, fingerprint: string, status: ErrorGroupStatus, nowUs: number): Promise<void> {
    await this.onOwnConnection('save an error group status', (connection) => upsertErrorGroupStatus(connection, projectId, fingerprint, status, nowUs));
  }

  /** Runs `fn` on a connection of its own: not a writer's, which may have a transaction open. */
  private onOwnConnection<T>(what: string, fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.guard(what, async () => {
      const connection = await connectTo(this.instance);
      try {
        return await fn(connection);
      } finally {
        connection.closeSync();
      }
    });
  }

  deleteOlderThan(records: RetainedRecords, cutoffUs: number): Promise<number> {
    return this.onOwnConnection(`apply retention to ${records}`, (connection) => deleteRecordsOlderThan(connection, records, cutoffUs));
  }

  async close(): Promise<void> {
    await this.guard('close the database', async () => {
      await this.writer.drain();
      if (!this.readOnly) await this.connection.run('CHECKPOINT');
      this.second.closeSync();
      this.connection.closeSync();
      this.instance.closeSync();
    });
  }

  private read(what: string, sql: string, values: DuckDBValue[]): Promise<Columns> {
    return this.onOwnConnection(what, (connection) => columnsOf(connection, sql, values));
  }

  /**
   * Runs a query whose one column is a `json_array(...)` per row (see `JsonArrayShape`) and parses
   * all rows with one `JSON.parse`. For a 10,000-span trace this took 60-75 ms where converting
   * value by value took 130-200 ms. Only for results without NaN or infinite doubles, which
   * JSON cannot carry.
   */
  private async readArrays(what: string, sql: string, values: DuckDBValue[]): Promise<unknown[][]> {
    const columns = await this.read(what, sql, values);
    const texts = Object.values(columns)[0] ?? [];
    if (texts.length === 0) return [];
    return JSON.parse(`[${texts.join(',')}]`) as unknown[][];
  }

  /** Rows of `shape` for an answer (see `storedRowsSelect`), in the order `orderBy`. */
  private async readStoredRows(what: string, shape: StoredRowShape, from: string, orderBy: string, values: DuckDBValue[]): Promise<unknown[][]> {
    const columns = await this.read(what, `SELECT ${storedRowsSelect(shape, orderBy)} ${from}`, values);
    return this.guard(what, async () => storedRowsFrom(what, shape, columns.row_arrays?.[0] as string | null, columns.row_texts?.[0] as string | null));
  }

  /**
   * The resource and scope texts of the sources that rows point at. `rows` holds rows of each
   * shape in turn: the first `firstCount` of the first shape, the rest of the second.
   */
  private async readSources(projectId: string, rows: unknown[][], shapes: JsonArrayShape[], firstCount: number): Promise<SourceTexts> {
    const ids = new Set<string>();
    rows.forEach((row, i) => {
      const shape = i < firstCount ? shapes[0]! : shapes[1] ?? shapes[0]!;
      ids.add(row[shape.index.get('source_id')!] as string);
    });
    if (ids.size === 0) return new Map();
    const p = new DuckDbParams();
    const project = p.add(projectId);
    const list = [...ids].map((id) => p.add(id)).join(', ');
    const columns = await this.read('read sources', `SELECT source_id, resource, scope FROM sources WHERE project_id = ${project} AND source_id IN (${list})`, p.values);
    const sources = new Map<string, { resource: string; scope: string }>();
    mapRows(columns, (row) => sources.set(row.get('source_id') as string, { resource: row.get('resource') as string, scope: row.get('scope') as string }));
    return sources;
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
