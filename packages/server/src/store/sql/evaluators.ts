import { EVALUATOR_STATES, type EvaluatorState, SPAN_CATEGORIES } from '@spoor/model';
import { type Row, isTrue, num, numOrNull } from '../record-rows.js';
import type { LiveCursor } from '../live-cursor.js';
import type { CommitRange, CompleteTrace, EvaluationSpan, EvaluatorRecord, EvaluatorRunRecord, EvaluatorRunTotals, TraceFilter } from '../ports/evaluators.js';
import type { TimeKey } from '../ports/traces.js';
import type { Params, SqlEngine } from './dialect.js';
import type { LiveCommits } from './live.js';
import { boundsOf, traceBounds } from './trace-bounds.js';
import { TRACE_FILTER_TOTALS, traceFilterSql } from './traces.js';

/**
 * Evaluators' reads, and the row a run is written as, for every engine. Definitions and runs are
 * appended (a change is a new row): a definition is its newest row by `row_version`, a target's run
 * its newest by time.
 */

const EVALUATOR_COLUMNS = 'name, spec, version, state, paused_reason, created_us, updated_us, row_version, deleted';
const RUN_COLUMNS = 'evaluator, version, trace_id, span_id, ok, error, cost_usd, time_us';
const RUN_KEY = 'evaluator, version, trace_id, span_id';
/** Of two runs of one target at one moment, the ok one (a retry that succeeded) is the newer. */
const RUN_ORDER = 'time_us DESC, ok DESC';

/** A double column that may hold NaN or an infinity, as a cost is summed. */
const finiteOrNull = (value: unknown): number | null => {
  const n = numOrNull(value);
  return n !== null && Number.isFinite(n) ? n : null;
};

/** A run as a row of `evaluator_runs` (without its project), as both engines write it: a trace's run has span id ''. */
export function runRow(r: EvaluatorRunRecord): Record<string, unknown> {
  return {
    evaluator: r.evaluator,
    version: r.version,
    trace_id: r.traceId,
    span_id: r.spanId ?? '',
    ok: r.ok,
    error: r.error,
    cost_usd: r.costUsd,
    time_us: r.timeUs,
  };
}

function evaluatorOf(row: Row): EvaluatorRecord & { deleted: boolean } {
  const state = row.get('state') as string;
  return {
    name: row.get('name') as string,
    spec: row.get('spec') as string,
    version: num(row.get('version')),
    state: (EVALUATOR_STATES as readonly string[]).includes(state) ? (state as EvaluatorState) : 'paused',
    pausedReason: (row.get('paused_reason') as string | null) ?? null,
    createdUs: num(row.get('created_us')),
    updatedUs: num(row.get('updated_us')),
    deleted: isTrue(row.get('deleted')),
  };
}

function runOf(row: Row): EvaluatorRunRecord {
  const spanId = row.get('span_id') as string;
  return {
    evaluator: row.get('evaluator') as string,
    version: num(row.get('version')),
    traceId: row.get('trace_id') as string,
    spanId: spanId === '' ? null : spanId,
    ok: isTrue(row.get('ok')),
    error: (row.get('error') as string | null) ?? null,
    costUsd: Number(row.get('cost_usd')),
    timeUs: num(row.get('time_us')),
  };
}

export async function listEvaluators(db: SqlEngine, projectId: string): Promise<EvaluatorRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const latest = d.firstPer(`SELECT ${EVALUATOR_COLUMNS} FROM ${d.tables.evaluators} WHERE project_id = ${p.add(projectId)}`, 'name', 'row_version DESC');
  const rows = await db.rows('list evaluators', `SELECT * FROM (${latest}) AS latest WHERE NOT deleted ORDER BY name`, p, evaluatorOf);
  return rows.map(({ deleted: _, ...record }) => record);
}

export async function latestEvaluator(db: SqlEngine, projectId: string, name: string): Promise<(EvaluatorRecord & { deleted: boolean }) | null> {
  const d = db.dialect;
  const p = d.params();
  const rows = await db.rows(
    'read an evaluator',
    `SELECT ${EVALUATOR_COLUMNS} FROM ${d.tables.evaluators} WHERE project_id = ${p.add(projectId)} AND name = ${p.add(name)} ORDER BY row_version DESC LIMIT 1`,
    p,
    evaluatorOf,
  );
  return rows[0] ?? null;
}

/** The newest row version of an evaluator, 0 when it has none: a new row goes above it. */
export async function latestRowVersion(db: SqlEngine, projectId: string, name: string): Promise<number> {
  const d = db.dialect;
  const p = d.params();
  const rows = await db.rows(
    'read an evaluator',
    `SELECT max(row_version) AS v FROM ${d.tables.evaluators} WHERE project_id = ${p.add(projectId)} AND name = ${p.add(name)}`,
    p,
    (row) => (row.get('v') === null ? 0 : num(row.get('v'))),
  );
  return rows[0] ?? 0;
}

export function runsOf(db: SqlEngine, projectId: string, evaluator: string, version: number, traceIds: readonly string[]): Promise<EvaluatorRunRecord[]> {
  if (traceIds.length === 0) return Promise.resolve([]);
  const d = db.dialect;
  const p = d.params();
  const select = `SELECT ${RUN_COLUMNS} FROM ${d.tables.evaluator_runs}
    WHERE project_id = ${p.add(projectId)} AND evaluator = ${p.add(evaluator)} AND version = ${p.int(version)} AND trace_id IN ${p.texts(traceIds)}`;
  return db.rows('read evaluator runs', `SELECT * FROM (${d.firstPer(select, RUN_KEY, RUN_ORDER)}) AS latest ORDER BY trace_id, span_id`, p, runOf);
}

export function failedRuns(
  db: SqlEngine,
  projectId: string,
  evaluator: string,
  version: number,
  limit: number,
  newestFirst: boolean,
): Promise<EvaluatorRunRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const select = `SELECT ${RUN_COLUMNS} FROM ${d.tables.evaluator_runs}
    WHERE project_id = ${p.add(projectId)} AND evaluator = ${p.add(evaluator)} AND version = ${p.int(version)}`;
  return db.rows(
    'read failed evaluator runs',
    `SELECT * FROM (${d.firstPer(select, RUN_KEY, RUN_ORDER)}) AS latest WHERE NOT ok ORDER BY ${newestFirst ? 'time_us DESC, trace_id DESC, span_id DESC' : 'time_us, trace_id, span_id'} LIMIT ${p.count(limit)}`,
    p,
    runOf,
  );
}

export async function runTotals(db: SqlEngine, projectId: string, costSinceUs: number): Promise<EvaluatorRunTotals[]> {
  const d = db.dialect;
  const p = d.params();
  const project = p.add(projectId);
  const latest = d.firstPer(`SELECT ${RUN_COLUMNS} FROM ${d.tables.evaluator_runs} WHERE project_id = ${project}`, RUN_KEY, RUN_ORDER);
  const outcomes = await db.rows(
    'count evaluator runs',
    `SELECT evaluator, version, countIf(ok AND error IS NULL) AS n_ok, countIf(NOT ok) AS n_failed, countIf(ok AND error IS NOT NULL) AS n_not_applicable
     FROM (${latest}) AS latest GROUP BY evaluator, version`,
    p,
    (row) => ({
      evaluator: row.get('evaluator') as string,
      version: num(row.get('version')),
      ok: num(row.get('n_ok')),
      errors: num(row.get('n_failed')),
      notApplicable: num(row.get('n_not_applicable')),
    }),
  );
  const q = d.params();
  const costs = await db.rows(
    'add up evaluator costs',
    `SELECT evaluator, version, sum(cost_usd) AS spent FROM ${d.tables.evaluator_runs}
     WHERE project_id = ${q.add(projectId)} AND time_us >= ${q.int(costSinceUs)} GROUP BY evaluator, version`,
    q,
    (row) => ({ key: `${row.get('evaluator') as string}@${num(row.get('version'))}`, spent: Number(row.get('spent')) }),
  );
  const spent = new Map(costs.map((c) => [c.key, c.spent]));
  return outcomes
    .map((o) => ({ ...o, costUsd: spent.get(`${o.evaluator}@${o.version}`) ?? 0 }))
    .sort((a, b) => (a.evaluator < b.evaluator ? -1 : a.evaluator > b.evaluator ? 1 : a.version - b.version));
}

/**
 * Complete traces after `after` (by last span end, then id) ending by `endedByUs`: the trace's
 * root span is stored with an end time, and no span of it ended later than `endedByUs` (see
 * `EvaluatorStore.completeTraces`). Found in `trace_parts` (a part that holds the root names
 * it), then their roots looked for in `spans` within the traces' own times: a trace sampled out
 * and slimmed has moved its spans to `span_stats` and is not complete for what reads them. A
 * page whose roots are not all there is followed by the next, until `limit` are found or none
 * are left. (Roots were read from `spans` by end time over the last hour before the scan: 600 ms
 * of DuckDB's time alone after 100 s of load at 38,000 spans/s, and growing with the hour.)
 */
export async function completeTraces(
  db: SqlEngine,
  projectId: string,
  filter: TraceFilter,
  after: TimeKey,
  endedByUs: number,
  limit: number,
): Promise<CompleteTrace[]> {
  const found: CompleteTrace[] = [];
  let from = after;
  while (found.length < limit) {
    const want = limit - found.length;
    const page = await completeByParts(db, projectId, filter, from, endedByUs, want);
    const rooted = await rootsStored(db, projectId, page);
    for (const t of page) if (rooted.has(t.traceId)) found.push({ traceId: t.traceId, endUs: t.endUs });
    if (page.length < want) break;
    from = { timeUs: page.at(-1)!.endUs, id: page.at(-1)!.traceId };
  }
  return found;
}

/** `completeTraces`' candidates, by their parts alone: a part holds the root, none ended after `endedByUs`; with their times. */
function completeByParts(db: SqlEngine, projectId: string, filter: TraceFilter, after: TimeKey, endedByUs: number, limit: number) {
  const d = db.dialect;
  const p = d.params();
  const project = p.add(projectId);
  const afterUs = p.int(after.timeUs);
  const endedBy = p.int(endedByUs);
  const { matched, traceFilters } = traceFilterSql(d, p, project, filter, null);
  traceFilters.push('count(root_name) > 0', `t_end <= ${endedBy}`, `(t_end > ${afterUs} OR (t_end = ${afterUs} AND trace_id > ${p.add(after.id)}))`);
  // Of a trace's parts, those ending between the scan's start and end are enough to find it (the
  // one that ends last does), so the scan reads no more than that stretch; its totals are of every part.
  const recent = `trace_id IN (SELECT trace_id FROM ${d.tables.trace_parts} WHERE project_id = ${project} AND end_us >= ${afterUs} AND end_us <= ${endedBy})`;
  return db.rows(
    'find complete traces',
    `SELECT trace_id, ${TRACE_FILTER_TOTALS} FROM ${d.tables.trace_parts}
     WHERE project_id = ${project} AND ${recent}${matched}
     GROUP BY trace_id HAVING ${traceFilters.join(' AND ')}
     ORDER BY t_end, trace_id LIMIT ${p.count(limit)}`,
    p,
    (row) => ({ traceId: row.get('trace_id') as string, startUs: num(row.get('t_start')), endUs: num(row.get('t_end')) }),
  );
}

/**
 * The traces the commits after `after` up to `upTo` touched (wrote a part or a running snapshot
 * of), as SQL for `trace_id IN (...)`; `null` when there are no such commits.
 */
function touchedSql(commits: LiveCommits, p: Params, project: string, after: LiveCursor, upTo: LiveCursor): string | null {
  const selects = (['trace_parts', 'running_spans'] as const).flatMap((table) => {
    const rows = commits.rowsOf(p, table, after, upTo);
    return rows === null ? [] : [`SELECT r.trace_id AS trace_id FROM ${rows.from} WHERE r.project_id = ${project} AND ${rows.where}`];
  });
  return selects.length === 0 ? null : selects.join(' UNION ALL ');
}

/**
 * THE rule of completeness (`EvaluatorStore.completeTracesCommitted`): the traces `range`'s
 * commits touched and no later commit did, whose parts hold the root, in id order. A page whose
 * roots are not all in `spans` (without `slimmedToo`) is followed by the next, as `completeTraces`
 * does. The stretch is a round's commits when the runner keeps up (DuckDB finds them by the zone
 * maps of `commit_seq`, ClickHouse by joining the commits' `batch_id`s), and the parts of just
 * those traces are added up.
 */
export async function completeTracesCommitted(
  db: SqlEngine,
  commits: LiveCommits,
  projectId: string,
  filter: TraceFilter,
  range: CommitRange,
  limit: number,
  slimmedToo = false,
): Promise<CompleteTrace[]> {
  const found: CompleteTrace[] = [];
  let afterId = range.afterId;
  while (found.length < limit) {
    const want = limit - found.length;
    const d = db.dialect;
    const p = d.params();
    const project = p.add(projectId);
    const touched = touchedSql(commits, p, project, range.after, range.upTo);
    if (touched === null) break;
    const later = touchedSql(commits, p, project, range.upTo, range.head);
    const { matched, traceFilters } = traceFilterSql(d, p, project, filter, null);
    traceFilters.push('count(root_name) > 0');
    const page = await db.rows(
      'find the traces completed in a stretch of commits',
      `SELECT trace_id, ${TRACE_FILTER_TOTALS} FROM ${d.tables.trace_parts}
       WHERE project_id = ${project} AND trace_id IN (${touched}) AND trace_id > ${p.add(afterId)}${later === null ? '' : ` AND trace_id NOT IN (${later})`}${matched}
       GROUP BY trace_id HAVING ${traceFilters.join(' AND ')}
       ORDER BY trace_id LIMIT ${p.count(want)}`,
      p,
      (row) => ({ traceId: row.get('trace_id') as string, startUs: num(row.get('t_start')), endUs: num(row.get('t_end')) }),
    );
    const rooted = slimmedToo ? null : await rootsStored(db, projectId, page);
    for (const t of page) if (rooted === null || rooted.has(t.traceId)) found.push({ traceId: t.traceId, endUs: t.endUs });
    if (page.length < want) break;
    afterId = page.at(-1)!.traceId;
  }
  return found;
}

/** How many traces the commits after `after` up to `upTo` touched, counted up to `limit` (`EvaluatorStore.tracesTouched`). */
export async function tracesTouched(
  db: SqlEngine,
  commits: LiveCommits,
  projectId: string,
  after: LiveCursor,
  upTo: LiveCursor,
  limit: number,
): Promise<number> {
  const p = db.dialect.params();
  const touched = touchedSql(commits, p, p.add(projectId), after, upTo);
  if (touched === null) return 0;
  const [n] = await db.rows(
    'count the traces committed after a cursor',
    `SELECT count(*) AS n FROM (SELECT DISTINCT trace_id FROM (${touched}) AS t LIMIT ${p.count(limit)}) AS d`,
    p,
    (row) => num(row.get('n')),
  );
  return n ?? 0;
}

/** Which of these traces have their root span in `spans`, read within the traces' times (a trace's root starts and ends within them). */
async function rootsStored(db: SqlEngine, projectId: string, traces: ReadonlyArray<{ traceId: string; startUs: number; endUs: number }>): Promise<Set<string>> {
  const bounds = boundsOf(traces);
  if (bounds === null) return new Set();
  const d = db.dialect;
  const p = d.params();
  const roots = await db.rows(
    'find the roots of complete traces',
    `SELECT DISTINCT trace_id FROM ${d.tables.spans}
     WHERE project_id = ${p.add(projectId)} AND parent_span_id IS NULL AND trace_id IN ${p.texts(traces.map((t) => t.traceId))}
       AND start_us BETWEEN ${p.int(bounds.fromUs)} AND ${p.int(bounds.toUs)} AND end_us > 0`,
    p,
    (row) => row.get('trace_id') as string,
  );
  return new Set(roots);
}

/** The spans of these traces, in two reads whatever their number: their bounds first (`traceBounds`), then the spans within them. */
export async function evaluationSpans(db: SqlEngine, projectId: string, traceIds: readonly string[]): Promise<EvaluationSpan[]> {
  const bounds = await traceBounds(db, projectId, traceIds);
  if (bounds === null) return [];
  const d = db.dialect;
  const p = d.params();
  return db.rows(
    'read the spans of traces to judge',
    `SELECT trace_id, span_id, parent_span_id, name, category, start_us, end_us, is_llm, cost_usd, input_tokens, output_tokens, attributes
     FROM ${d.tables.spans}
     WHERE project_id = ${p.add(projectId)} AND trace_id IN ${p.texts(traceIds)} AND start_us BETWEEN ${p.int(bounds.fromUs)} AND ${p.int(bounds.toUs)}`,
    p,
    (row) => ({
      traceId: row.get('trace_id') as string,
      spanId: row.get('span_id') as string,
      parentSpanId: (row.get('parent_span_id') as string | null) ?? null,
      name: row.get('name') as string,
      category: SPAN_CATEGORIES[num(row.get('category'))] ?? 'other',
      startTimeUs: num(row.get('start_us')),
      endTimeUs: num(row.get('end_us')),
      isLlm: isTrue(row.get('is_llm')),
      costUsd: finiteOrNull(row.get('cost_usd')),
      inputTokens: finiteOrNull(row.get('input_tokens')),
      outputTokens: finiteOrNull(row.get('output_tokens')),
      attributesJson: row.get('attributes') as string,
    }),
  );
}
