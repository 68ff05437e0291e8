import type { TimeRange } from '@spoor/model';
import { type Row, isTrue, num, numOrNull, storedSpanFromRow } from '../record-rows.js';
import { RUNNING_SPANS } from '../tables.js';
import type { RunningTraceFilter, RunningTraceRecord, StoredRunningSpan } from '../ports/running-spans.js';
import type { TimeKey } from '../ports/traces.js';
import type { Dialect, Params, SqlEngine } from './dialect.js';
import { partsOfTraces } from './filters.js';
import { traceBounds } from './trace-bounds.js';

/**
 * Running snapshots read back (`running_spans`, `store/tables.ts`): of each span the newest
 * snapshot (by when its request was received), and none of a span stored ended: every read leaves
 * those out (`withoutEnded`), so a read never shows a span twice, whatever the sweep has or has
 * not deleted yet.
 */

/** The columns a snapshot is written with (its commit's `batch_id` or `commit_seq` left out). */
const SNAPSHOT_COLUMNS = RUNNING_SPANS.map((c) => c.name).join(', ');

/**
 * Two snapshots of one span received in the same microsecond (two requests in one millisecond)
 * are told apart by what they hold: a span's attributes and events only grow while it runs.
 */
const NEWEST_FIRST = 'received_us DESC, length(attributes) DESC, length(events) DESC';

/**
 * The newest snapshot of each span of the project's running spans that meet `conditions` (on
 * `running_spans` columns that hold alike for every snapshot of a span: its trace or span id),
 * spans stored ended included (`withoutEnded` leaves them out).
 */
export function newestSnapshots(d: Dialect, project: string, conditions: readonly string[]): string {
  const where = [`project_id = ${project}`, ...conditions].join(' AND ');
  return d.firstPer(`SELECT ${SNAPSHOT_COLUMNS} FROM ${d.tables.running_spans} WHERE ${where}`, 'trace_id, span_id', NEWEST_FIRST);
}

/**
 * `snapshots` without those of spans stored ended. The spans are read within the times their
 * traces' `trace_parts` bound (`traceBounds`), as a trace's read does: on DuckDB a read by trace
 * id alone scans every span's id. Nothing is read when there is no snapshot (most reads).
 */
async function withoutEnded<T extends { traceId: string; spanId: string }>(db: SqlEngine, projectId: string, snapshots: T[]): Promise<T[]> {
  if (snapshots.length === 0) return snapshots;
  const traceIds = [...new Set(snapshots.map((s) => s.traceId))];
  const bounds = await traceBounds(db, projectId, traceIds);
  if (bounds === null) return snapshots;
  const d = db.dialect;
  const p = d.params();
  const ended = await db.rows(
    'find running spans stored ended',
    `SELECT trace_id, span_id FROM ${d.tables.spans}
     WHERE project_id = ${p.add(projectId)} AND trace_id IN ${p.texts(traceIds)} AND span_id IN ${p.texts([...new Set(snapshots.map((s) => s.spanId))])}
       AND start_us BETWEEN ${p.int(bounds.fromUs)} AND ${p.int(bounds.toUs)}`,
    p,
    (row) => `${row.get('trace_id') as string}/${row.get('span_id') as string}`,
  );
  if (ended.length === 0) return snapshots;
  const stored = new Set(ended);
  return snapshots.filter((s) => !stored.has(`${s.traceId}/${s.spanId}`));
}

/** A snapshot as read (`end_us` 0), before its resource and scope are looked up by its source id. */
type SnapshotRow = StoredRunningSpan & { sourceId: string };

function runningSpanOf(row: Row): SnapshotRow {
  const reasons = row.get('finish_reasons') as string | null;
  const view: Row = {
    get: (name) => {
      if (name === 'finish_reasons') return reasons === null ? null : (JSON.parse(reasons) as string[]);
      if (name === 'is_llm') return isTrue(row.get(name));
      if (name === 'resource' || name === 'scope') return '';
      return row.get(name);
    },
  };
  return { ...storedSpanFromRow(view), receivedUs: num(row.get('received_us')), sourceId: row.get('source_id') as string };
}

/** The running spans of these traces (with `spanId`, that span only), in start order, then span id. */
export async function runningSpansOf(db: SqlEngine, projectId: string, traceIds: readonly string[], spanId: string | null): Promise<StoredRunningSpan[]> {
  if (traceIds.length === 0) return [];
  const d = db.dialect;
  const p = d.params();
  const project = p.add(projectId);
  const conditions = [`project_id = ${project}`, `trace_id IN ${p.texts(traceIds)}`];
  if (spanId !== null) conditions.push(`span_id = ${p.add(spanId)}`);
  // The rows as they are, the newest of each span picked here: a span has a few until the sweep,
  // and a trace with none (most reads) costs a plain filtered read: 1.6 ms where the window
  // function and the join to the sources took 3.1 ms on DuckDB (5.1 against 10.5 on chdb), beside
  // a 100-span trace's read of 7-23 ms, 200,000 spans stored.
  const rows = await db.rows(
    'read running spans',
    `SELECT ${SNAPSHOT_COLUMNS} FROM ${d.tables.running_spans} WHERE ${conditions.join(' AND ')}`,
    p,
    runningSpanOf,
  );
  if (rows.length === 0) return [];
  const newest = new Map<string, SnapshotRow>();
  for (const row of rows) {
    const key = `${row.traceId}/${row.spanId}`;
    const held = newest.get(key);
    if (held === undefined || newerSnapshot(row, held)) newest.set(key, row);
  }
  const snapshots = await withSources(db, projectId, [...newest.values()]);
  return (await withoutEnded(db, projectId, snapshots)).sort(
    (a, b) => a.startTimeUs - b.startTimeUs || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0),
  );
}

/** Whether snapshot `a` of a span is newer than `b`: received later, or at the same time holding more (`NEWEST_FIRST`). */
function newerSnapshot(a: SnapshotRow, b: SnapshotRow): boolean {
  if (a.receivedUs !== b.receivedUs) return a.receivedUs > b.receivedUs;
  if (a.attributesJson.length !== b.attributesJson.length) return a.attributesJson.length > b.attributesJson.length;
  return a.eventsJson.length > b.eventsJson.length;
}

/** The snapshots with their resource and scope texts, read from `sources` by their ids. */
async function withSources(db: SqlEngine, projectId: string, snapshots: SnapshotRow[]): Promise<StoredRunningSpan[]> {
  const d = db.dialect;
  const p = d.params();
  const ids = [...new Set(snapshots.map((s) => s.sourceId))];
  const sources = new Map(
    await db.rows(
      'read the sources of running spans',
      `SELECT source_id, resource, scope FROM ${d.sources} WHERE project_id = ${p.add(projectId)} AND source_id IN ${p.texts(ids)}`,
      p,
      (row) => [row.get('source_id') as string, { resource: row.get('resource') as string, scope: row.get('scope') as string }] as const,
    ),
  );
  // A source is always written with its records; an empty resource keeps the answer valid JSON should one be missing.
  return snapshots.map(({ sourceId, ...s }) => ({
    ...s,
    resourceJson: sources.get(sourceId)?.resource ?? '{"attributes":{}}',
    scopeJson: sources.get(sourceId)?.scope ?? '{}',
  }));
}

/** Per trace of these with running spans: when its newest snapshot was received. */
export function lastHeardOf(db: SqlEngine, projectId: string, traceIds: readonly string[]): Promise<Map<string, number>> {
  if (traceIds.length === 0) return Promise.resolve(new Map());
  return heardOf(db, projectId, (p) => `trace_id IN ${p.texts(traceIds)}`, Infinity);
}

/** Per trace of the project with a running span received at or after `sinceUs`: when its newest snapshot was received; the last heard `limit`. */
export function recentlyHeardOf(db: SqlEngine, projectId: string, sinceUs: number, limit: number): Promise<Map<string, number>> {
  return heardOf(db, projectId, (p) => `received_us >= ${p.int(sinceUs)}`, limit);
}

/** When each trace of the running spans meeting `condition` was last heard from (its newest snapshot's receipt), the last heard `limit`. */
async function heardOf(db: SqlEngine, projectId: string, condition: (p: Params) => string, limit: number): Promise<Map<string, number>> {
  const d = db.dialect;
  const p = d.params();
  const spans = await db.rows(
    'read when running traces were last heard from',
    `SELECT trace_id, span_id, max(received_us) AS heard FROM ${d.tables.running_spans}
     WHERE project_id = ${p.add(projectId)} AND ${condition(p)} GROUP BY trace_id, span_id`,
    p,
    (row) => ({ traceId: row.get('trace_id') as string, spanId: row.get('span_id') as string, heardUs: num(row.get('heard')) }),
  );
  const heard = new Map<string, number>();
  for (const s of await withoutEnded(db, projectId, spans)) heard.set(s.traceId, Math.max(heard.get(s.traceId) ?? 0, s.heardUs));
  if (heard.size <= limit) return heard;
  return new Map([...heard].sort((a, b) => b[1] - a[1]).slice(0, limit));
}

/**
 * Traces that have running spans and no span stored ended (no `trace_parts`), summarized from
 * their newest snapshots, starting in `range`, strictly older than `after`, newest first. Their
 * counts, tokens and cost are of ended spans: none yet.
 */
export async function runningOnlyTraces(
  db: SqlEngine,
  projectId: string,
  range: TimeRange,
  filter: RunningTraceFilter,
  after: TimeKey | null,
  limit: number,
): Promise<RunningTraceRecord[]> {
  const unended = await tracesWithoutParts(db, projectId, filter.traceIds);
  if (unended.length === 0) return [];
  const d = db.dialect;
  const p = d.params();
  const project = p.add(projectId);
  const having: string[] = [];
  if (range.fromUs !== null) having.push(`t_start >= ${p.int(range.fromUs)}`);
  if (range.toUs !== null) having.push(`t_start < ${p.int(range.toUs)}`);
  if (after !== null) {
    const t = p.int(after.timeUs);
    having.push(`(t_start < ${t} OR (t_start = ${t} AND trace_id < ${p.add(after.id)}))`);
  }
  if (filter.service !== null) having.push(`countIf(service_name = ${p.add(filter.service)}) > 0`);
  if (filter.spanName !== null) having.push(`countIf(name = ${p.add(filter.spanName)}) > 0`);
  if (filter.sessionId !== null) having.push(`countIf(session_id = ${p.add(filter.sessionId)}) > 0`);
  return db.rows(
    'list traces of running spans only',
    `SELECT trace_id, min(start_us) AS t_start, max(received_us) AS t_heard,
       coalesce(max(CASE WHEN parent_span_id IS NULL THEN name END), argMin(name, start_us)) AS t_root,
       coalesce(max(CASE WHEN parent_span_id IS NULL THEN service_name END), argMin(service_name, start_us)) AS t_service,
       max(session_id) AS t_session, max(user_id) AS t_user
     FROM (${newestSnapshots(d, project, [`trace_id IN ${p.texts(unended)}`])}) AS s
     GROUP BY trace_id
     ${having.length > 0 ? `HAVING ${having.join(' AND ')}` : ''}
     ORDER BY t_start DESC, trace_id DESC
     LIMIT ${p.count(limit)}`,
    p,
    (row) => ({
      traceId: row.get('trace_id') as string,
      rootName: row.get('t_root') as string,
      serviceName: row.get('t_service') as string,
      startTimeUs: num(row.get('t_start')),
      // No span ended: the trace has no end yet (the answer gives its duration so far).
      endTimeUs: num(row.get('t_start')),
      spanCount: 0,
      errorCount: 0,
      inputTokens: null,
      outputTokens: null,
      costUsd: null,
      unpricedCalls: 0,
      sessionId: (row.get('t_session') as string | null) ?? null,
      userId: (row.get('t_user') as string | null) ?? null,
      lastHeardUs: num(row.get('t_heard')),
    }),
  );
}

/**
 * The project's traces with running snapshots and no `trace_parts` (no span stored ended): two
 * small reads, the snapshots' trace ids, then those of them with parts.
 */
async function tracesWithoutParts(db: SqlEngine, projectId: string, only: readonly string[] | undefined): Promise<string[]> {
  if (only?.length === 0) return [];
  const d = db.dialect;
  const p = d.params();
  const among = only === undefined ? '' : ` AND trace_id IN ${p.texts(only)}`;
  const traceIds = await db.rows(
    'list traces of running spans',
    `SELECT DISTINCT trace_id FROM ${d.tables.running_spans} WHERE project_id = ${p.add(projectId)}${among}`,
    p,
    (row) => row.get('trace_id') as string,
  );
  if (traceIds.length === 0) return [];
  const q = d.params();
  const withParts = new Set(
    await db.rows(
      'find which traces of running spans have spans ended',
      `SELECT DISTINCT trace_id FROM ${d.tables.trace_parts} WHERE project_id = ${q.add(projectId)} AND ${partsOfTraces(q, traceIds)}`,
      q,
      (row) => row.get('trace_id') as string,
    ),
  );
  return traceIds.filter((id) => !withParts.has(id));
}

/**
 * What the sweep deletes: snapshots of spans stored ended, and snapshots a newer one of their span
 * replaced (every row but those received last of their span). A snapshot written while it runs is
 * newer than anything it compares with, so it stays.
 */
export function sweptSnapshots(d: Dialect, fromUs: number): { condition: string; params: Params } {
  const p = d.params();
  // A span keeps its start from its first snapshot to its end: its ended row starts no earlier
  // than the earliest snapshot, and the spans read are those since (DuckDB's zone maps, ClickHouse's
  // partitions). A span sent ended with an earlier start is left for reads to hide, and retention.
  const ended = `(project_id, trace_id, span_id) IN (SELECT project_id, trace_id, span_id FROM ${d.tables.spans}
    WHERE start_us >= ${p.int(fromUs)} AND trace_id IN (SELECT trace_id FROM ${d.tables.running_spans}))`;
  const superseded = `(project_id, trace_id, span_id, received_us) NOT IN (SELECT project_id, trace_id, span_id, max(received_us)
    FROM ${d.tables.running_spans} GROUP BY project_id, trace_id, span_id)`;
  return { condition: `${ended} OR ${superseded}`, params: p };
}

/** How many snapshot rows are stored, how many of them the sweep would delete, and the sweep's condition over them. */
export async function countSnapshotRows(db: SqlEngine): Promise<{ rows: number; swept: number; sweep: { condition: string; params: Params } | null }> {
  const d = db.dialect;
  const [first] = await db.rows(
    'count running span rows',
    `SELECT count(*) AS n, min(start_us) AS from_us FROM ${d.tables.running_spans}`,
    d.params(),
    (row) => ({ rows: numOrNull(row.get('n')) ?? 0, fromUs: numOrNull(row.get('from_us')) ?? 0 }),
  );
  if (first === undefined || first.rows === 0) return { rows: 0, swept: 0, sweep: null };
  const sweep = sweptSnapshots(d, first.fromUs);
  const [swept] = await db.rows(
    'count running span rows to sweep',
    `SELECT count(*) AS n FROM ${d.tables.running_spans} WHERE ${sweep.condition}`,
    sweep.params,
    (row) => numOrNull(row.get('n')) ?? 0,
  );
  return { rows: first.rows, swept: swept ?? 0, sweep };
}
