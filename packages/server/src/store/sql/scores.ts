import { SCORE_SOURCES, type ScoreQuery, type ScoreSource, type TimeRange } from '@spoor/model';
import { isTrue, num, numOrNull, type Row } from '../record-rows.js';
import type { StoredScore, TargetFound } from '../ports/scores.js';
import type { TimeKey } from '../ports/traces.js';
import type { Dialect, Params, SqlEngine } from './dialect.js';
import { timeFilters } from './filters.js';
import { traceBounds } from './trace-bounds.js';

/**
 * Scores read back: the newest row of each slot (`score_id`: target, name, source and author),
 * left out when that row is a deletion, and a score that named only an LLM response id given the
 * trace and span of the stored span with that response id.
 */

export const SCORE_COLUMNS =
  'project_id, score_id, time_us, written_us, trace_id, span_id, session_id, response_id, name, value, label, comment, source, author, deleted';

/**
 * The newest row of each of the project's slots that meet `conditions`, deletions included. The
 * conditions must hold alike for every row of a slot (they may test the slot's target, name,
 * source or author, never its time or value), or an older row could stand in for a newer one.
 */
export function latestScores(d: Dialect, project: string, conditions: readonly string[]): string {
  const where = [`project_id = ${project}`, ...conditions].join(' AND ');
  return d.firstPerMostlyOne(`SELECT ${SCORE_COLUMNS} FROM ${d.tables.scores} WHERE ${where}`, 'score_id', 'time_us DESC, written_us DESC');
}

/**
 * The span that gave each LLM response id (`response_id`, `trace_id`, `span_id`) that meets
 * `condition`, if given: one span per id, the lowest trace and then span id where one id was
 * stored for two spans, so that a score's trace and span are always one span's.
 */
export function responseSpans(d: Dialect, project: string, condition: string | null = null): string {
  const which = condition === null ? '' : ` AND ${condition}`;
  return d.firstPer(
    `SELECT response_id, trace_id, span_id FROM ${d.tables.response_facts} WHERE project_id = ${project}${which}`,
    'response_id',
    'trace_id, span_id',
  );
}

/** Scores of a trace: on it, on one of its spans, or on an LLM response one of its spans gave. */
export function ofTraces(d: Dialect, p: Params, project: string, traceIds: string): string {
  return `(trace_id IN ${traceIds} OR (trace_id IS NULL AND response_id IN (
    SELECT response_id FROM ${d.tables.response_facts} WHERE project_id = ${project} AND trace_id IN ${traceIds})))`;
}

function scoreOf(row: Row): StoredScore {
  const source = row.get('source') as string;
  return {
    projectId: row.get('project_id') as string,
    scoreId: row.get('score_id') as string,
    timeUs: num(row.get('time_us')),
    writtenUs: num(row.get('written_us')),
    traceId: (row.get('trace_id') as string | null) ?? null,
    spanId: (row.get('span_id') as string | null) ?? null,
    sessionId: (row.get('session_id') as string | null) ?? null,
    responseId: (row.get('response_id') as string | null) ?? null,
    name: row.get('name') as string,
    value: numOrNull(row.get('value')),
    label: (row.get('label') as string | null) ?? null,
    comment: (row.get('comment') as string | null) ?? null,
    source: (SCORE_SOURCES as readonly string[]).includes(source) ? (source as ScoreSource) : 'api',
    author: row.get('author') as string,
  };
}

/** Scores, read and given the span of their response id where they named only that. */
async function readScores(db: SqlEngine, what: string, projectId: string, sql: string, p: Params): Promise<StoredScore[]> {
  const scores = await db.rows(what, sql, p, scoreOf);
  const pending = [...new Set(scores.filter((s) => s.traceId === null && s.responseId !== null).map((s) => s.responseId!))];
  if (pending.length === 0) return scores;
  const d = db.dialect;
  const q = d.params();
  const spans = await db.rows(
    'find the spans of LLM responses',
    `SELECT response_id, trace_id, span_id FROM (${responseSpans(d, q.add(projectId), `response_id IN ${q.texts(pending)}`)}) AS responses`,
    q,
    (row) => ({ responseId: row.get('response_id') as string, traceId: row.get('trace_id') as string, spanId: row.get('span_id') as string }),
  );
  const byResponse = new Map(spans.map((s) => [s.responseId, s]));
  return scores.map((s) => {
    const span = s.traceId === null && s.responseId !== null ? byResponse.get(s.responseId) : undefined;
    return span === undefined ? s : { ...s, traceId: span.traceId, spanId: span.spanId };
  });
}

/** One score, or `null` when the project has none with that id (or it was deleted). */
export async function getScore(db: SqlEngine, projectId: string, scoreId: string): Promise<StoredScore | null> {
  const d = db.dialect;
  const p = d.params();
  const project = p.add(projectId);
  const sql = `SELECT * FROM (${latestScores(d, project, [`score_id = ${p.add(scoreId)}`])}) AS latest WHERE NOT deleted`;
  return (await readScores(db, 'read a score', projectId, sql, p))[0] ?? null;
}

/** The newest row of a slot, deletions included: what a deletion copies. */
export async function latestScoreRow(db: SqlEngine, projectId: string, scoreId: string): Promise<(StoredScore & { deleted: boolean }) | null> {
  const d = db.dialect;
  const p = d.params();
  const rows = await db.rows('read a score', latestScores(d, p.add(projectId), [`score_id = ${p.add(scoreId)}`]), p, (row) => ({
    ...scoreOf(row),
    deleted: isTrue(row.get('deleted')),
  }));
  return rows[0] ?? null;
}

/** A page of scores matching the query, newest first (time, then score id), after `after`. */
export function listScores(db: SqlEngine, query: ScoreQuery, after: TimeKey | null, limit: number): Promise<StoredScore[]> {
  const d = db.dialect;
  const p = d.params();
  const project = p.add(query.projectId);
  const slot: string[] = [];
  if (query.traceId !== null) slot.push(ofTraces(d, p, project, `(${p.add(query.traceId)})`));
  if (query.spanId !== null) {
    slot.push(`(span_id = ${p.add(query.spanId)} OR (span_id IS NULL AND response_id IN (
      SELECT response_id FROM ${d.tables.response_facts} WHERE project_id = ${project} AND span_id = ${p.add(query.spanId)})))`);
  }
  if (query.sessionId !== null) slot.push(`session_id = ${p.add(query.sessionId)}`);
  if (query.name !== null) slot.push(`name = ${p.add(query.name)}`);
  if (query.source !== null) slot.push(`source = ${p.add(query.source)}`);
  const outer = ['NOT deleted', ...timeFilters(p, 'time_us', query.range)];
  if (after !== null) outer.push(`(time_us < ${p.int(after.timeUs)} OR (time_us = ${p.int(after.timeUs)} AND score_id < ${p.add(after.id)}))`);
  const sql = `SELECT * FROM (${latestScores(d, project, slot)}) AS latest WHERE ${outer.join(' AND ')}
    ORDER BY time_us DESC, score_id DESC LIMIT ${p.count(limit)}`;
  return readScores(db, 'list scores', query.projectId, sql, p);
}

/** Every score of these traces, in time order. */
export function scoresOfTraces(db: SqlEngine, projectId: string, traceIds: readonly string[]): Promise<StoredScore[]> {
  if (traceIds.length === 0) return Promise.resolve([]);
  const d = db.dialect;
  const p = d.params();
  const project = p.add(projectId);
  const sql = `SELECT * FROM (${latestScores(d, project, [ofTraces(d, p, project, p.texts(traceIds))])}) AS latest
    WHERE NOT deleted ORDER BY time_us, score_id`;
  return readScores(db, 'read the scores of traces', projectId, sql, p);
}

/**
 * Whether the project has the trace (a part of it) and, with `spanId`, that span, found within
 * the times of the trace's parts so that the span read skips by time.
 */
export async function findTarget(db: SqlEngine, projectId: string, traceId: string, spanId: string | null): Promise<TargetFound> {
  const bounds = await traceBounds(db, projectId, [traceId]);
  if (bounds === null) return 'no trace';
  if (spanId === null) return 'found';
  const d = db.dialect;
  const p = d.params();
  const [span] = await db.rows(
    'find a span',
    `SELECT count(*) AS n FROM ${d.tables.span_facts}
     WHERE project_id = ${p.add(projectId)} AND trace_id = ${p.add(traceId)} AND span_id = ${p.add(spanId)}
       AND start_us BETWEEN ${p.int(bounds.fromUs)} AND ${p.int(bounds.toUs)}`,
    p,
    (row) => num(row.get('n')),
  );
  return span === undefined || span === 0 ? 'no span' : 'found';
}

/** The response ids of the project's scores that name only an LLM response, as a subquery. */
export function responseOnly(d: Dialect, project: string): string {
  return `SELECT response_id FROM ${d.tables.scores} WHERE project_id = ${project} AND trace_id IS NULL AND response_id IS NOT NULL`;
}

/**
 * The span times the `trace_parts` of the traces any score of the project names (itself, or
 * through an LLM response id) bound, deleted versions included, and how many versions of
 * scores of whole traces the project has; `null` when no score names a stored trace. With
 * `range`, only the versions written for a time within it count: a slot whose newest version is
 * in the range has that version among them; with `only` (a condition on `scores`), only those it
 * keeps (the trace scores are counted all the same). A span of a trace lies within its parts' times
 * (`trace-bounds.ts`). Read in a statement of its own, so that the span read gets the times as
 * values its engine can skip by; a trace first written between the two statements can be missed
 * by that one request.
 */
export async function scoredTraceBounds(
  db: SqlEngine,
  projectId: string,
  range: TimeRange | null = null,
  only: string | null = null,
): Promise<{ fromUs: number; toUs: number; traceScores: number } | null> {
  const d = db.dialect;
  const p = d.params();
  const project = p.add(projectId);
  const inRange =
    (range === null
      ? ''
      : timeFilters(p, 'time_us', range)
          .map((f) => ` AND ${f}`)
          .join('')) + (only === null ? '' : ` AND ${only}`);
  const [bounds] = await db.rows(
    'find the times of the scored traces',
    `SELECT min(start_us) AS from_us, max(end_us) AS to_us, count(*) AS parts,
       (SELECT count(*) FROM ${d.tables.scores} WHERE project_id = ${project} AND trace_id IS NOT NULL AND span_id IS NULL) AS trace_scores
     FROM ${d.tables.trace_parts}
     WHERE project_id = ${project} AND trace_id IN (
       SELECT trace_id FROM ${d.tables.scores} WHERE project_id = ${project} AND trace_id IS NOT NULL${inRange}
       UNION ALL
       SELECT trace_id FROM ${d.tables.response_facts} WHERE project_id = ${project} AND response_id IN (${responseOnly(d, project)}${inRange}))
     ${d.largeInSets}`,
    p,
    // ClickHouse's `min` over no rows is 0, not NULL: the parts are counted.
    (row) => (num(row.get('parts')) === 0 ? null : { fromUs: num(row.get('from_us')), toUs: num(row.get('to_us')), traceScores: num(row.get('trace_scores')) }),
  );
  return bounds ?? null;
}
