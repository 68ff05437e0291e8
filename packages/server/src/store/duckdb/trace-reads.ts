import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { LogQuery, LogRecordData } from '@spoor/model';
import type { RecentSpanSource, TimeKey, TreeKey, TreePage } from '../store.js';
import { SqlTraceReader } from '../sql/sql-reads.js';
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
  storedSpanFromRow,
  spanFieldsFromRow,
} from './read.js';
import { NO_SPAN_TEXTS, type SpanTexts, type StoredLog, type StoredTrace, type StoredTraceBytes } from '../stored-trace.js';
import { chunksOf, jsonArrayRows, jsonArrayValues, utf8Texts } from './utf8-read.js';
import { type TextBytes, appendTexts } from '../record-rows.js';
import type { TraceTimings } from '../trace-timings.js';
import type { TraceSize } from '../ports/traces.js';
import { selectTraceTimings } from './trace-timings.js';
import { TREE_SHAPE, selectTraceSearch } from './trace-tree.js';
import { TREE_WIDTH, treePageFrom } from '../trace-tree-columns.js';
import { TREE_ORDER, treeAfter } from '../sql/trace-tree.js';
import { DuckDbParams, duckDbDialect, type DuckDbSql } from './dialect.js';
import { logConditions } from '../sql/logs-metrics.js';
import { traceBounds, traceExtent } from '../sql/trace-bounds.js';
import { LOG_MARGIN_US } from '../sql/traces.js';

/** How long a tree's page ends are kept unused, and for how many trees at most. */
const PAGE_ENDS_KEPT_MS = 60_000;
const PAGE_ENDS_TRACES = 16;

/** Where a tree's page ends are kept: by project, trace and page size. */
const pageEndsKey = (projectId: string, traceId: string, limit: number): string => `${projectId}/${traceId}/${limit}`;

/** The log list's order: newest first. */
const NEWEST_LOGS = 'time_us DESC, log_id DESC';

type OnConnection = <T>(what: string, fn: (connection: DuckDBConnection) => Promise<T>) => Promise<T>;

/**
 * The DuckDB store's trace port: its reads of one trace (its spans whole, as bytes, a page or the
 * tree's columns, its logs, its search, its span times), and of the log list for the log port:
 * each answer's rows read as one `json_array` text per row and parsed at once, with the sources
 * they name read beside.
 */
export class DuckDbTraceReads extends SqlTraceReader implements RecentSpanSource {
  /** The ends of the pages of the trees being streamed (`plannedPageEnd`), by project, trace and page size. */
  private readonly pageEnds = new Map<string, { atMs: number; ends: TreeKey[] }>();

  constructor(
    protected override readonly sql: DuckDbSql,
    /** Runs on a connection of its own (the store's, which heals an invalidated database first and names what failed). */
    private readonly on: OnConnection,
  ) {
    super(sql);
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
        null,
        [projectId, traceId, fromUs, toUs, ...(spanId === undefined ? [] : [spanId])],
      ),
      this.traceLogRows(projectId, traceId, bounds, spanId),
    ]);
    return this.storedTraceOf(projectId, spanRows, logRows);
  }

  async getTraceBytes(projectId: string, traceId: string, lend?: () => Buffer | null, known?: TraceSize['bounds']): Promise<StoredTraceBytes | null> {
    const bounds = known ?? (await traceBounds(this.sql, projectId, [traceId]));
    if (bounds === null) return null;
    const [spans, logRows] = await Promise.all([
      this.readSpanBytes(
        'read a trace',
        'FROM spans WHERE project_id = $1 AND trace_id = $2 AND start_us BETWEEN $3::BIGINT AND $4::BIGINT',
        [projectId, traceId, bounds.fromUs, bounds.toUs],
        lend,
      ),
      this.traceLogRows(projectId, traceId, bounds),
    ]);
    return this.storedTraceBytesOf(projectId, spans, logRows);
  }

  async getTraceSpans(projectId: string, traceId: string, spanIds: readonly string[], traceLogs: boolean): Promise<StoredTraceBytes> {
    const bounds = await traceBounds(this.sql, projectId, [traceId]);
    if (bounds === null) return { spans: [], texts: NO_SPAN_TEXTS, logs: [] };
    // The ids as one comma-separated parameter, joined as a set: a parameter per id of a 10,000-span page planned slowly.
    const ids = spanIds.join(',');
    const page = "span_id IN (SELECT unnest(string_split($5, ',')))";
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
    const extent = await traceExtent(this.sql, projectId, traceId);
    if (extent === null) return treePageFrom([]);
    const { bounds } = extent;
    const spansAfter = (p: DuckDbParams, from: TreeKey | null) =>
      `FROM spans WHERE project_id = ${p.add(projectId)} AND trace_id = ${p.add(traceId)} AND start_us BETWEEN ${p.int(bounds.fromUs)} AND ${p.int(bounds.toUs)}${treeAfter(p, from)}`;
    const upTo = (q: DuckDbParams, end: TreeKey) =>
      ` AND (start_us < ${q.int(end.startUs)} OR (start_us = ${q.int(end.startUs)} AND span_id <= ${q.add(end.spanId)}))`;
    // The rows in any order (sorting them again cost as much as reading them, 50,000 spans), as one flat array of values.
    const what = "read a page of a trace's tree";
    const readPage = (end: TreeKey | null) => {
      const q = new DuckDbParams();
      const sql = `SELECT ${TREE_SHAPE.sql}::VARCHAR ${spansAfter(q, after)}${end === null ? '' : upTo(q, end)}`;
      return this.on(what, async (connection) => jsonArrayValues(chunksOf(await connection.run(sql, q.values)), 0, what));
    };
    if (after !== null) {
      // A page after the first: its end was found with every later page's in one sort (`plannedPageEnd`).
      const planned = await this.plannedPageEnd(projectId, traceId, after, limit, (p) => spansAfter(p, after));
      if (planned !== null) {
        const values = await readPage(planned);
        // Exactly a page: the trace did not change under the plan. Otherwise it did; read as below.
        if (values.length === limit * TREE_WIDTH) return { ...treePageFrom(values), bounds };
        this.pageEnds.delete(pageEndsKey(projectId, traceId, limit));
      }
    }
    // A first page that holds the whole trace (its parts count no more spans) is the whole trace: no end to find,
    // unless a commit between the two reads grew it past a page.
    if (after === null && extent.spans <= limit) {
      const values = await readPage(null);
      if (values.length <= limit * TREE_WIDTH) return { ...treePageFrom(values), bounds };
    }
    // The page's last key first, from the two key columns alone, then the page's rows: with the
    // rows' json_array in the ordered read, DuckDB built it for every span after `after`, not
    // only for the page's (a million-span tree took 35 s in pages of 50,000, against 6 s so).
    const p = new DuckDbParams();
    const end = await this.read(
      "find the end of a page of a trace's tree",
      `SELECT start_us, span_id ${spansAfter(p, after)} ORDER BY ${TREE_ORDER} LIMIT 1 OFFSET ${p.count(limit - 1)}`,
      p.values,
    );
    const endStart = end['start_us']?.[0];
    return { ...treePageFrom(await readPage(endStart === undefined ? null : { startUs: Number(endStart), spanId: String(end['span_id']![0]) })), bounds };
  }

  /**
   * Where the page after `after` ends (its last key), or `null` when no full page is left after
   * it. Finding each page's end on its own sorted every span after the page (a Top-N of the
   * trace's rest, 40 ms a page of a million-span trace, 0.84 s in all); the ends of every page
   * after the first are found in one sort (95 ms) when the second page is asked for, and kept a
   * minute for the pages that follow.
   */
  private async plannedPageEnd(projectId: string, traceId: string, after: TreeKey, limit: number, from: (p: DuckDbParams) => string): Promise<TreeKey | null> {
    const key = pageEndsKey(projectId, traceId, limit);
    const now = Date.now();
    for (const [k, plan] of this.pageEnds) if (now - plan.atMs > PAGE_ENDS_KEPT_MS) this.pageEnds.delete(k);
    let plan = this.pageEnds.get(key);
    let at = plan?.ends.findIndex((end) => end.startUs === after.startUs && end.spanId === after.spanId) ?? -1;
    if (plan === undefined || at < 0) {
      const p = new DuckDbParams();
      const found = await this.read(
        "find the ends of a trace's tree pages",
        `SELECT start_us, span_id FROM (SELECT start_us, span_id, row_number() OVER (ORDER BY ${TREE_ORDER}) AS n ${from(p)}) WHERE n % ${p.count(limit)} = 0 ORDER BY n`,
        p.values,
      );
      const starts = found['start_us'] ?? [];
      const ids = found['span_id'] ?? [];
      plan = { atMs: now, ends: [after, ...starts.map((start, i) => ({ startUs: Number(start), spanId: String(ids[i]) }))] };
      if (this.pageEnds.size >= PAGE_ENDS_TRACES) this.pageEnds.delete(this.pageEnds.keys().next().value!);
      this.pageEnds.set(key, plan);
      at = 0;
    }
    plan.atMs = now;
    return plan.ends[at + 1] ?? null;
  }

  async getTraceLogs(projectId: string, traceId: string, known?: TraceSize['bounds']): Promise<StoredLog[]> {
    const bounds = known ?? (await traceBounds(this.sql, projectId, [traceId]));
    if (bounds === null) return [];
    const logRows = await this.traceLogRows(projectId, traceId, bounds);
    const sources = await this.readSources(projectId, logRows, [STORED_LOG_SHAPE], logRows.length);
    return mapArrayRows(logRows, STORED_LOG_SHAPE, sources, storedLogFromRow);
  }

  async searchTrace(projectId: string, traceId: string, text: string, limit: number): Promise<string[]> {
    const bounds = await traceBounds(this.sql, projectId, [traceId]);
    if (bounds === null) return [];
    return this.on('search a trace', (connection) => selectTraceSearch(connection, projectId, traceId, bounds, text, limit));
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

  /** The span rows `from` (in any order), their attributes, events and links as UTF-8 bytes (`SpanTexts`). */
  private readSpanBytes(what: string, from: string, values: DuckDBValue[], lend?: () => Buffer | null): Promise<{ rows: unknown[][]; texts: SpanTexts }> {
    return this.on(what, (connection) => storedRows(connection, what, SPAN_SHAPE, from, values, lend));
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
    return this.on("read a trace's span times", (connection) => selectTraceTimings(connection, projectId, traceId, bounds));
  }

  async listLogs(query: LogQuery, after: TimeKey | null, limit: number): Promise<LogRecordData[]> {
    const p = new DuckDbParams();
    const where = logConditions(duckDbDialect, p, query, after);
    const rows = await this.readArrays(
      'list logs',
      LOG_SHAPE,
      `FROM (SELECT * FROM logs WHERE ${where.join(' AND ')} ORDER BY ${NEWEST_LOGS} LIMIT ${p.add(limit)})`,
      p.values,
      NEWEST_LOGS,
    );
    const sources = await this.readSources(query.projectId, rows, [LOG_SHAPE], rows.length);
    const shared = new JsonParseCache();
    return mapArrayRows(rows, LOG_SHAPE, sources, (row) => logFromRow(row, shared));
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

  private read(what: string, sql: string, values: DuckDBValue[]): Promise<Columns> {
    return this.on(what, (connection) => columnsOf(connection, sql, values));
  }

  /**
   * Rows of `shape` `from` (the query after its select list) as arrays, in the order `orderBy` or
   * in any order: a `json_array` text a row, read from DuckDB's vectors as bytes and parsed at once
   * (`jsonArrayRows`).
   */
  private readArrays(what: string, shape: JsonArrayShape, from: string, values: DuckDBValue[], orderBy: string | null = null): Promise<unknown[][]> {
    return this.on(what, async (connection) =>
      jsonArrayRows(chunksOf(await connection.run(`SELECT ${shape.sql}::VARCHAR ${from}${orderedBy(orderBy)}`, values)), 0, what),
    );
  }

  /**
   * Rows of `shape` for an answer, in the order `orderBy` or in any order: each row's array, then
   * its JSON texts as they are stored, as strings (`StoredRowShape`).
   */
  private readStoredRows(what: string, shape: StoredRowShape, from: string, orderBy: string | null, values: DuckDBValue[]): Promise<unknown[][]> {
    return this.on(what, async (connection) => {
      const { rows, texts } = await storedRows(connection, what, shape, `${from}${orderedBy(orderBy)}`, values);
      return appendTexts(rows, texts, shape.texts.length);
    });
  }

  /**
   * The resource and scope texts of the sources that rows point at. `rows` holds rows of each
   * shape in turn: the first `firstCount` of the first shape, the rest of the second.
   */
  private async readSources(projectId: string, rows: unknown[][], shapes: JsonArrayShape[], firstCount: number): Promise<SourceTexts> {
    const ids = new Set<string>();
    rows.forEach((row, i) => {
      const shape = i < firstCount ? shapes[0]! : (shapes[1] ?? shapes[0]!);
      ids.add(row[shape.index.get('source_id')!] as string);
    });
    if (ids.size === 0) return new Map();
    const p = new DuckDbParams();
    const project = p.add(projectId);
    const list = [...ids].map((id) => p.add(id)).join(', ');
    const columns = await this.read(
      'read sources',
      `SELECT source_id, resource, scope FROM sources WHERE project_id = ${project} AND source_id IN (${list})`,
      p.values,
    );
    const sources = new Map<string, { resource: string; scope: string }>();
    mapRows(columns, (row) => sources.set(row.get('source_id') as string, { resource: row.get('resource') as string, scope: row.get('scope') as string }));
    return sources;
  }
}

const orderedBy = (orderBy: string | null): string => (orderBy === null ? '' : ` ORDER BY ${orderBy}`);

/**
 * Rows of `shape` `from` for an answer: each row's `json_array` parsed, and its JSON texts as
 * UTF-8 bytes (text `j` of row `r` is text `r * shape.texts.length + j`), every value read from
 * DuckDB's vectors as bytes (`utf8-read.ts`).
 */
async function storedRows(
  connection: DuckDBConnection,
  what: string,
  shape: StoredRowShape,
  from: string,
  values: DuckDBValue[],
  lend?: () => Buffer | null,
): Promise<{ rows: unknown[][]; texts: TextBytes }> {
  const chunks = chunksOf(await connection.run(`SELECT ${shape.sql}::VARCHAR, ${shape.texts.join(', ')} ${from}`, values));
  return {
    rows: jsonArrayRows(chunks, 0, what),
    texts: utf8Texts(
      chunks,
      shape.texts.map((_, j) => j + 1),
      what,
      lend,
    ),
  };
}
