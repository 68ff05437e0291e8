import type { LiveSpan, TraceSummaryRecord } from '@spoor/model';
import type { LiveCursor, LivePosition } from '../live-cursor.js';
import type { LiveSpanRow, LiveStore, LiveTraceFilter, TouchedTrace } from '../ports/live.js';
import { type Row, num, numOrNull } from '../record-rows.js';
import type { Params, SqlEngine } from './dialect.js';
import { listTraces } from './traces.js';

/** The tables whose rows a live read follows. */
export type LiveTable = 'spans' | 'trace_parts' | 'running_spans' | 'logs';

/**
 * An engine's committed rows of a table between two cursors, as SQL: `from` names the table as
 * `r` (with what it joins to know a row's commit), `where` keeps the rows committed after `after`
 * up to `upTo`, and `writer`, `major` and `minor` are each row's commit position.
 */
export interface CommittedRows {
  from: string;
  where: string;
  writer: string;
  major: string;
  minor: string;
}

/** How an engine tells which commit wrote a row: all that differs between engines here. */
export interface LiveCommits {
  /** `table`'s rows committed after `after` up to `upTo`; `null` when there can be none. */
  rowsOf(p: Params, table: LiveTable, after: LiveCursor, upTo: LiveCursor): CommittedRows | null;
}

/**
 * Rows a read of touched traces looks at, at most: a viewer back after a long absence gets the
 * last touched traces, not an answer the size of everything since.
 */
const MAX_TOUCHED_ROWS = 10_000;

/** The live port over the queries written once; an engine gives its head and how rows name their commit. */
export class SqlLiveStore implements LiveStore {
  constructor(
    private readonly db: SqlEngine,
    private readonly commits: LiveCommits,
    readonly head: () => Promise<LiveCursor>,
  ) {}

  /**
   * The spans of some traces committed after `after` up to `upTo`, in commit order: ended spans,
   * and running snapshots whose span has not been stored ended (a viewer applies a snapshot and
   * then its ended span; never the other way round). One query over both tables, then, when it
   * found snapshots, one for their spans stored ended (`withoutEnded`).
   */
  async spansAfter(projectId: string, traceIds: readonly string[], after: LiveCursor, upTo: LiveCursor): Promise<LiveSpanRow[]> {
    if (traceIds.length === 0) return [];
    const d = this.db.dialect;
    const p = d.params();
    const project = p.add(projectId);
    const traces = p.texts(traceIds);
    const selects = (['spans', 'running_spans'] as const).flatMap((table) => {
      const rows = this.commits.rowsOf(p, table, after, upTo);
      if (rows === null) return [];
      const running = table === 'running_spans';
      return `SELECT r.trace_id AS l_trace, r.span_id AS l_span, r.parent_span_id AS l_parent, r.name AS l_name, r.service_name AS l_service,
         r.start_us AS l_start, ${running ? 'NULL' : 'r.end_us'} AS l_end, r.status_code AS l_status, r.category AS l_category,
         r.input_tokens AS l_input, r.output_tokens AS l_output, r.cost_usd AS l_cost,
         coalesce(r.llm_response_model, r.llm_request_model) AS l_model, r.events AS l_events,
         ${rows.writer} AS c_writer, ${rows.major} AS c_major, ${rows.minor} AS c_minor
       FROM ${rows.from}
       WHERE r.project_id = ${project} AND r.trace_id IN ${traces} AND ${rows.where}`;
    });
    if (selects.length === 0) return [];
    const rows = await this.db.rows(
      'read the spans committed after a cursor',
      `SELECT * FROM (${selects.join(' UNION ALL ')}) AS u ORDER BY c_writer, c_major, c_minor, l_start, l_span`,
      p,
      (row) => ({ traceId: row.get('l_trace') as string, span: liveSpanFromRow(row), at: positionFromRow(row) }),
    );
    return this.withoutEnded(projectId, rows);
  }

  /**
   * `rows` without the running snapshots whose span is stored ended, at any commit. A span keeps
   * the start it began with, so its ended row is looked for among the spans that start when the
   * snapshots do: the newest row groups, where looking among every span of the watched traces
   * read the spans table's trace ids whole, at each read (four a second while a trace is watched),
   * and cost ingest more the more the store held.
   */
  private async withoutEnded(projectId: string, rows: LiveSpanRow[]): Promise<LiveSpanRow[]> {
    const running = rows.filter((row) => row.span.state === 'running');
    if (running.length === 0) return rows;
    const d = this.db.dialect;
    const p = d.params();
    let from = Infinity;
    let to = -Infinity;
    for (const { span } of running) {
      from = Math.min(from, span.startUs);
      to = Math.max(to, span.startUs);
    }
    const ended = new Set(
      await this.db.rows(
        'read which running spans are stored ended',
        `SELECT trace_id, span_id FROM ${d.tables.spans}
         WHERE project_id = ${p.add(projectId)} AND start_us BETWEEN ${p.int(from)} AND ${p.int(to)}
           AND trace_id IN ${p.texts([...new Set(running.map((row) => row.traceId))])} AND span_id IN ${p.texts(running.map((row) => row.span.spanId))}`,
        p,
        (row) => `${row.get('trace_id') as string}/${row.get('span_id') as string}`,
      ),
    );
    return ended.size === 0 ? rows : rows.filter((row) => row.span.state !== 'running' || !ended.has(`${row.traceId}/${row.span.spanId}`));
  }

  /**
   * The traces of a project committed after `after` up to `upTo`, newest first, at most `limit`:
   * those a commit wrote a part of (a span ended) or a running snapshot of (a trace whose spans
   * all still run is listed too), each with the last commit of each writer that touched it.
   */
  async tracesAfter(projectId: string, after: LiveCursor, upTo: LiveCursor, limit: number): Promise<TouchedTrace[]> {
    const p = this.db.dialect.params();
    const project = p.add(projectId);
    const selects = (['trace_parts', 'running_spans'] as const).flatMap((table) => {
      const rows = this.commits.rowsOf(p, table, after, upTo);
      if (rows === null) return [];
      return `SELECT r.trace_id AS l_trace, ${rows.writer} AS c_writer, ${rows.major} AS c_major, ${rows.minor} AS c_minor
       FROM ${rows.from}
       WHERE r.project_id = ${project} AND ${rows.where}`;
    });
    if (selects.length === 0) return [];
    const touched = await this.db.rows(
      'read the traces committed after a cursor',
      `SELECT DISTINCT l_trace, c_writer, c_major, c_minor FROM (${selects.join(' UNION ALL ')}) AS u
       ORDER BY c_major DESC, c_minor DESC
       LIMIT ${p.count(MAX_TOUCHED_ROWS)}`,
      p,
      (row): TouchedTrace => ({ traceId: row.get('l_trace') as string, at: positionFromRow(row) }),
    );
    // The last commit of each writer that touched each trace (rows come newest first).
    const seen = new Set<string>();
    const out: TouchedTrace[] = [];
    const traces = new Set<string>();
    for (const row of touched) {
      const key = `${row.traceId}/${row.at.writer}`;
      if (seen.has(key)) continue;
      if (!traces.has(row.traceId) && traces.size >= limit) continue;
      seen.add(key);
      traces.add(row.traceId);
      out.push(row);
    }
    return out;
  }

  traceSummaries(filter: LiveTraceFilter, traceIds: readonly string[]): Promise<TraceSummaryRecord[]> {
    if (traceIds.length === 0) return Promise.resolve([]);
    return listTraces(this.db, filter, null, traceIds.length, traceIds);
  }
}

function positionFromRow(row: Row): LivePosition {
  return { writer: row.get('c_writer') as string, major: Number(row.get('c_major')), minor: Number(row.get('c_minor')) };
}

/** A stored span's events (JSON text of `SpanEventRecord`s) as the live stream sends them. */
function eventsOf(json: string): Array<[number, string]> {
  if (json === '[]') return [];
  return (JSON.parse(json) as Array<{ timeUs: number; name: string }>).map((event) => [event.timeUs, event.name]);
}

function liveSpanFromRow(row: Row): LiveSpan {
  return {
    spanId: row.get('l_span') as string,
    parentSpanId: (row.get('l_parent') as string | null) ?? null,
    name: row.get('l_name') as string,
    service: row.get('l_service') as string,
    startUs: num(row.get('l_start')),
    endUs: numOrNull(row.get('l_end')),
    statusCode: num(row.get('l_status')),
    category: num(row.get('l_category')),
    state: row.get('l_end') === null ? 'running' : 'ended',
    inputTokens: numOrNull(row.get('l_input')),
    outputTokens: numOrNull(row.get('l_output')),
    costUsd: numOrNull(row.get('l_cost')),
    model: (row.get('l_model') as string | null) ?? null,
    events: eventsOf(row.get('l_events') as string),
  };
}
