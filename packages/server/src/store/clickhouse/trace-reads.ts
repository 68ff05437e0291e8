import { mapArrayRows, storedLogFromRow } from '../record-rows.js';
import type { StoredLog, StoredTrace, StoredTraceBytes } from '../stored-trace.js';
import { treePageFrom } from '../trace-tree-columns.js';
import type { TreeKey, TreePage } from '../ports/traces.js';
import { TREE_ORDER, treeAfter } from '../sql/trace-tree.js';
import { ChParams, type ChClient } from './client.js';
import { LOG_ROWS, readRows, readSources, readValues, rowsShape, sourceIdsOf } from './trace-rows.js';
import { type SpanRows, fillSources, readSpanRows } from './span-rows.js';
import { LOG_MARGIN_US, traceSearchCondition } from '../sql/traces.js';
import type { ClickHouseSql } from './dialect.js';
import { hasTrace, spansOfTrace, traceBoundsSql } from './trace-bounds.js';

/** Traces: the list, a trace's spans, its waterfall columns and timings, in-trace search, services. */

export { getTraceTimings } from './trace-timings.js';

export async function getTrace(ch: ChClient, projectId: string, traceId: string, spanId?: string): Promise<StoredTrace | null> {
  const p = new ChParams();
  const oneSpan = spanId === undefined ? '' : ` AND span_id = ${p.add(spanId)}`;
  // Any order will do (`StoredTrace`): sorting a 20,000-span trace's rows doubled the read.
  const spans = `${spansOfTrace(ch, p, projectId, traceId)}${oneSpan}`;
  const read = () => Promise.all([readSpanRows(ch, 'read a trace', spans, p), traceLogRows(ch, projectId, traceId, spanId)]);
  let [spanRows, logRows] = await read();
  if (spanRows.spans.length === 0 && logRows.length === 0) {
    // Nothing found: no such trace, or (with `spanId`) no such span in it, which is an answer.
    if (!(await hasTrace(ch, projectId, traceId))) return null;
    // Or the trace's first commit landed between the two reads. A commit inserts its spans before
    // the parts that `hasTrace` found (`writer.ts`), so they are there to read now.
    [spanRows, logRows] = await read();
  }
  return storedTraceOf(ch, projectId, spanRows, logRows);
}

/** A trace for its answer (`TraceReader.getTraceBytes`): `getTrace`, the spans' texts as bytes. */
export async function getTraceBytes(ch: ChClient, projectId: string, traceId: string, into?: () => Buffer | null): Promise<StoredTraceBytes | null> {
  const p = new ChParams();
  const read = () => Promise.all([readSpanRows(ch, 'read a trace', spansOfTrace(ch, p, projectId, traceId), p, into), traceLogRows(ch, projectId, traceId)]);
  let [spanRows, logRows] = await read();
  // As in `getTrace`: nothing found is no trace, or its first commit landing between the two reads.
  if (spanRows.spans.length === 0 && logRows.length === 0) {
    if (!(await hasTrace(ch, projectId, traceId))) return null;
    [spanRows, logRows] = await read();
  }
  return storedTraceBytesOf(ch, projectId, spanRows, logRows);
}

/** A page of a trace (`TraceReader.getTraceSpans`): the spans with these ids, and their logs. */
export async function getTraceSpans(
  ch: ChClient,
  projectId: string,
  traceId: string,
  spanIds: readonly string[],
  traceLogs: boolean,
): Promise<StoredTraceBytes> {
  const what = 'read a page of a trace';
  const p = new ChParams();
  const page = `span_id IN ${spanIdSet(spanIds)}`;
  const spans = spansOfTrace(ch, p, projectId, traceId);
  const orTrace = traceLogs ? ` OR span_id IS NULL OR span_id NOT IN (SELECT span_id ${spans})` : '';
  const [spanRows, logRows] = await Promise.all([
    readSpanRows(ch, what, `${spans} AND ${page}`, p),
    traceLogRows(ch, projectId, traceId, { where: `(${page}${orTrace})`, params: p }),
  ]);
  return storedTraceBytesOf(ch, projectId, spanRows, logRows);
}

/** `storedTraceOf`, the spans' texts as bytes. */
async function storedTraceBytesOf(ch: ChClient, projectId: string, spanRows: SpanRows, logRows: unknown[][]): Promise<StoredTraceBytes> {
  const sources = await readSources(ch, projectId, spanRows.sourceIds, sourceIdsOf(logRows, LOG_ROWS));
  return {
    spans: fillSources(spanRows, sources),
    texts: spanRows.texts,
    logs: mapArrayRows(logRows, LOG_ROWS, sources, storedLogFromRow),
  };
}

/** Spans and logs from their rows, with the sources (resources and scopes) they name read at once. */
async function storedTraceOf(ch: ChClient, projectId: string, spanRows: SpanRows, logRows: unknown[][]): Promise<StoredTrace> {
  const { spans, texts, logs } = await storedTraceBytesOf(ch, projectId, spanRows, logRows);
  const bytes = Buffer.from(texts.bytes.buffer, texts.bytes.byteOffset, texts.bytes.byteLength);
  const text = (k: number): string => bytes.toString('utf8', texts.starts[k], texts.ends[k]);
  return {
    spans: spans.map((span, i) => ({ ...span, attributesJson: text(3 * i), eventsJson: text(3 * i + 1), linksJson: text(3 * i + 2) })),
    logs,
  };
}

const SPAN_ID = /^[0-9a-f]{16}$/;

/**
 * The ids as a set literal in the SQL. Not as a parameter: parameters travel in the URL, and a
 * 10,000-span page's ids (170 KB there) pass the 16 KB of header a Node server takes and come near
 * ClickHouse's 1 MiB (`http_max_uri_size`); the query goes in the body. Span ids are 16 hex digits
 * (ingest checks them), checked again here, so none can be anything but a string literal.
 */
function spanIdSet(spanIds: readonly string[]): string {
  for (const id of spanIds) if (!SPAN_ID.test(id)) throw new Error(`'${id}' is not a span id of 16 lowercase hex digits`);
  return spanIds.length === 0 ? "('')" : `('${spanIds.join("','")}')`;
}

/** A trace's logs (of one span id, or those `where` picks), in time order, within an hour of its spans' times. */
function traceLogRows(ch: ChClient, projectId: string, traceId: string, only?: string | { where: string; params: ChParams }): Promise<unknown[][]> {
  const p = typeof only === 'object' ? only.params : new ChParams();
  const project = p.add(projectId);
  const trace = p.add(traceId);
  const bounds = traceBoundsSql(ch, project, trace);
  const margin = p.add(LOG_MARGIN_US, 'Int64');
  const where = [`project_id = ${project}`, `trace_id = ${trace}`, `time_us BETWEEN ${bounds.fromUs} - ${margin} AND ${bounds.toUs} + ${margin}`];
  if (typeof only === 'string') where.push(`span_id = ${p.add(only)}`);
  else if (only !== undefined) where.push(only.where);
  return readRows(ch, "read a trace's logs", LOG_ROWS, `FROM ${ch.tables.logs} WHERE ${where.join(' AND ')}`, 'time_us, log_id', p);
}

/** What the waterfall draws of a span (see `treePageFrom`). */
const TREE_ROWS = rowsShape([
  'span_id',
  'parent_span_id',
  'name',
  'service_name',
  'start_us',
  'duration_us',
  'status_code',
  'category',
  "if(events = '[]', NULL, events)",
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'coalesce(llm_response_model, llm_request_model)',
  'session_id',
]);

/** A page of the tree (`TraceReader.getTreePage`): ordered and cut by the spans' primary key's leading times. */
export async function getTreePage(ch: ChClient, projectId: string, traceId: string, after: TreeKey | null, limit: number): Promise<TreePage> {
  const p = new ChParams();
  const spans = spansOfTrace(ch, p, projectId, traceId);
  return treePageFrom(
    await readValues(ch, "read a page of a trace's tree", TREE_ROWS, `${spans}${treeAfter(p, after)}`, `${TREE_ORDER} LIMIT ${p.count(limit)}`, p),
  );
}

/** A trace's logs in time order. */
export async function getTraceLogs(ch: ChClient, projectId: string, traceId: string): Promise<StoredLog[]> {
  const logRows = await traceLogRows(ch, projectId, traceId);
  const sources = await readSources(ch, projectId, sourceIdsOf(logRows, LOG_ROWS));
  return mapArrayRows(logRows, LOG_ROWS, sources, storedLogFromRow);
}

/**
 * Ids of the spans of a trace whose attributes, status message or events contain `text`,
 * case-insensitively, at most `limit`, in start order. The stored JSON text is searched, so
 * attribute keys match too; there `text` is looked for as JSON writes it inside a string, so
 * quotes, backslashes and control characters in it match.
 */
export async function searchTrace({ ch, dialect }: ClickHouseSql, projectId: string, traceId: string, text: string, limit: number): Promise<string[]> {
  const p = new ChParams();
  const rows = await ch.rows<{ span_id: string }>(
    'search a trace',
    `SELECT span_id ${spansOfTrace(ch, p, projectId, traceId)}
       AND ${traceSearchCondition(dialect, p, text)}
     ORDER BY start_us, span_id LIMIT ${p.add(limit)}`,
    p,
  );
  return rows.map((row) => row.span_id);
}

/**
 * Up to `perProject` spans of each project, the last stored first. ClickHouse keeps no insertion
 * order: `batch_id` is random, and `_part` names follow merges, not inserts. The spans a client
 * may send again after a restart are the ones it exported last, which started last, so the newest
 * start times stand for the last stored. Spans more than a day older than the project's newest are
 * left out, so the scan reads the last day's partitions only.
 */
export async function recentSpanIds(ch: ChClient, perProject: number): Promise<Array<{ projectId: string; traceId: string; spanId: string }>> {
  const projects = await ch.rows<{ project_id: string }>('list projects', `SELECT DISTINCT project_id FROM ${ch.tables.sources}`);
  const out: Array<{ projectId: string; traceId: string; spanId: string }> = [];
  for (const { project_id: projectId } of projects) {
    const p = new ChParams();
    const project = p.add(projectId);
    const rows = await ch.rows<{ trace_id: string; span_id: string }>(
      'read the last spans',
      `SELECT trace_id, span_id FROM ${ch.tables.spans}
       WHERE project_id = ${project} AND start_us >= (SELECT max(start_us) FROM ${ch.tables.spans} WHERE project_id = ${project}) - ${DAY_US}
       ORDER BY start_us DESC, span_id DESC LIMIT ${p.add(perProject)}`,
      p,
    );
    for (const row of rows) out.push({ projectId, traceId: row.trace_id, spanId: row.span_id });
  }
  return out;
}

const DAY_US = 86_400_000_000;
