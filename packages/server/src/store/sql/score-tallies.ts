import type { ScoreFilter, TimeRange } from '@spoor/model';
import { num, numOrNull, type Row } from '../record-rows.js';
import type { ScoreTallies } from '../ports/scores.js';
import type { Dialect, Params, SqlEngine } from './dialect.js';
import { latestScores, responseSpans } from './scores.js';
import { timeFilters } from './filters.js';

/**
 * Scores summed per trace or session (the trace list, sessions) and the trace list's filters on
 * them. Each reads the newest version of each slot (`latestScores`), deletions left out, and
 * counts a score that named only an LLM response id for the trace of the span with that id.
 */

/**
 * The live scores of the slots that meet `conditions` (and are of the traces `traceIds`, a SQL set,
 * when given), each with the trace it is about (`score_trace`), its `score_name`, `score_value`
 * and `score_label`; a score of a response id no stored span gave yet, or of a session, is left
 * out. The scores that name their trace and those that named only a response id are read apart:
 * one condition `trace_id IN (...) OR response_id IN (...)` made DuckDB test the subquery on
 * every row, a scan 5 times as long as `trace_id IN (...)` alone over 1,000,000 scores, and the
 * tally of a page of 50 traces took 3 times as long (bench/score-filter.mjs).
 */
export function resolvedScores(d: Dialect, project: string, conditions: readonly string[], traceIds: string | null = null): string {
  const own = latestScores(d, project, [...conditions, traceIds === null ? 'trace_id IS NOT NULL' : `trace_id IN ${traceIds}`]);
  const answered = [...conditions, 'trace_id IS NULL', 'response_id IS NOT NULL'];
  const responseIds =
    traceIds === null
      ? `SELECT response_id FROM ${d.tables.scores} WHERE project_id = ${project} AND ${answered.join(' AND ')}`
      : `SELECT response_id FROM ${d.tables.response_facts} WHERE project_id = ${project} AND trace_id IN ${traceIds}`;
  if (traceIds !== null) answered.push(`response_id IN (${responseIds})`);
  return `SELECT trace_id AS score_trace, name AS score_name, value AS score_value, label AS score_label
    FROM (${own}) AS own WHERE NOT deleted
    UNION ALL
    SELECT r_trace, name, value, label
    FROM (${latestScores(d, project, answered)}) AS answered INNER JOIN (
      SELECT response_id AS r_response, trace_id AS r_trace FROM (${responseSpans(d, project, `response_id IN (${responseIds})`)}) AS spans
    ) AS responses ON answered.response_id = responses.r_response
    WHERE NOT deleted`;
}

/**
 * The trace ids whose scores meet `filter`, as a subquery for `trace_id IN (...)`: the set is made
 * first, from the scores of the filter's name alone (ClickHouse orders `scores` by project, name
 * and time), and the trace list's summaries are then read for it, as for a span filter.
 */
export function scoreFilterSet(d: Dialect, p: Params, project: string, filter: ScoreFilter): string {
  const scored = `SELECT score_trace FROM (${resolvedScores(d, project, [`name = ${p.add(filter.name)}`])}) AS scored GROUP BY score_trace`;
  if ('value' in filter) return `${scored} HAVING avg(score_value) ${filter.op === '!=' ? '<>' : filter.op} ${p.float(filter.value)}`;
  const labelled = `countIf(score_label = ${p.add(filter.label)})`;
  return `${scored} HAVING ${labelled} ${filter.op === '=' ? '> 0' : '= 0'}`;
}

/** What a tally query selects per owner, name and label, grouped by `owner, score_name, score_label`. */
const TALLY_COLUMNS = 'score_name, score_label, count(*) AS tally_n, count(score_value) AS tally_values, sum(score_value) AS tally_sum';

/** Per trace of these, per score name: the tally of its scores. */
export async function tallyTraceScores(db: SqlEngine, projectId: string, traceIds: readonly string[]): Promise<ScoreTallies> {
  if (traceIds.length === 0) return new Map();
  const d = db.dialect;
  const p = d.params();
  const project = p.add(projectId);
  const ids = p.texts(traceIds);
  const rows = await db.rows(
    'tally the scores of traces',
    `SELECT score_trace AS owner, ${TALLY_COLUMNS}
     FROM (${resolvedScores(d, project, [], ids)}) AS scored
     WHERE score_trace IN ${ids}
     GROUP BY owner, score_name, score_label`,
    p,
    tallyRowOf,
  );
  return talliesOf(rows);
}

/** Traces named in a tally's statement at most: each is named three times, and ClickHouse parses at most 256 KiB of query. */
const NAMED_TRACES_MAX = 1_000;

/**
 * Per session of these: the tally of its own scores, and of the scores of the traces given with it.
 * The traces' scores are tallied per trace and added up per session here: the sessions' traces
 * come from the session list, which read them already, so the spans are not scanned again (0.3x
 * the span statistics' time on the analytics benchmark, for a page of 50 sessions). Sessions of
 * more traces than a statement may name have them found again from the spans in `range`.
 */
export async function tallySessionScores(
  db: SqlEngine,
  projectId: string,
  sessions: ReadonlyArray<{ sessionId: string; traceIds: readonly string[] }>,
  range: TimeRange,
): Promise<{ own: ScoreTallies; traces: ScoreTallies }> {
  if (sessions.length === 0) return { own: new Map(), traces: new Map() };
  const allTraces = [...new Set(sessions.flatMap((s) => s.traceIds))];
  if (allTraces.length > NAMED_TRACES_MAX)
    return tallyBySpans(
      db,
      projectId,
      sessions.map((s) => s.sessionId),
      range,
    );
  const d = db.dialect;
  const p = d.params();
  const project = p.add(projectId);
  const sessionIds = p.texts(sessions.map((s) => s.sessionId));
  const ownScores = latestScores(d, project, [`session_id IN ${sessionIds}`, 'trace_id IS NULL', 'response_id IS NULL']);
  const own = `SELECT 'own' AS tally_of, session_id AS owner, ${TALLY_COLUMNS}
     FROM (SELECT session_id, name AS score_name, value AS score_value, label AS score_label FROM (${ownScores}) AS latest WHERE NOT deleted) AS own
     GROUP BY owner, score_name, score_label`;
  const traceIds = allTraces.length === 0 ? null : p.texts(allTraces);
  const ofTraces =
    traceIds === null
      ? ''
      : `SELECT 'traces' AS tally_of, score_trace AS owner, ${TALLY_COLUMNS}
     FROM (${resolvedScores(d, project, [], traceIds)}) AS scored WHERE score_trace IN ${traceIds}
     GROUP BY owner, score_name, score_label
     UNION ALL `;
  const rows = await db.rows('tally the scores of sessions', `${ofTraces}${own} ${d.largeInSets}`, p, (row) => ({
    of: row.get('tally_of') as string,
    ...tallyRowOf(row),
  }));
  const byTrace = new Map<string, TallyRow[]>();
  for (const row of rows) {
    if (row.of !== 'traces') continue;
    const ofTrace = byTrace.get(row.owner);
    if (ofTrace === undefined) byTrace.set(row.owner, [row]);
    else ofTrace.push(row);
  }
  const ofSessions = sessions.flatMap((s) => s.traceIds.flatMap((trace) => (byTrace.get(trace) ?? []).map((row) => ({ ...row, owner: s.sessionId }))));
  return { own: talliesOf(rows.filter((r) => r.of === 'own')), traces: talliesOf(ofSessions) };
}

/** `tallySessionScores` finding the sessions' traces from their spans in the range. */
async function tallyBySpans(
  db: SqlEngine,
  projectId: string,
  sessionIds: readonly string[],
  range: TimeRange,
): Promise<{ own: ScoreTallies; traces: ScoreTallies }> {
  if (sessionIds.length === 0) return { own: new Map(), traces: new Map() };
  const d = db.dialect;
  const p = d.params();
  const project = p.add(projectId);
  const ids = p.texts(sessionIds);
  const where = [`project_id = ${project}`, `session_id IN ${ids}`, ...timeFilters(p, 'start_us', range)];
  const sessionTraces = `SELECT DISTINCT session_id AS st_session, trace_id AS st_trace FROM ${d.tables.span_facts} WHERE ${where.join(' AND ')}`;
  const ownScores = latestScores(d, project, [`session_id IN ${ids}`, 'trace_id IS NULL', 'response_id IS NULL']);
  const rows = await db.rows(
    'tally the scores of sessions',
    `WITH session_traces AS (${sessionTraces})
     SELECT 'traces' AS tally_of, st_session AS owner, ${TALLY_COLUMNS}
     FROM session_traces INNER JOIN (
       ${resolvedScores(d, project, [], '(SELECT st_trace FROM session_traces)')}
     ) AS scored ON scored.score_trace = session_traces.st_trace
     GROUP BY owner, score_name, score_label
     UNION ALL
     SELECT 'own' AS tally_of, session_id AS owner, ${TALLY_COLUMNS}
     FROM (SELECT session_id, name AS score_name, value AS score_value, label AS score_label FROM (${ownScores}) AS latest WHERE NOT deleted) AS own
     GROUP BY owner, score_name, score_label
     ${d.largeInSets}`,
    p,
    (row) => ({ of: row.get('tally_of') as string, ...tallyRowOf(row) }),
  );
  return { own: talliesOf(rows.filter((r) => r.of === 'own')), traces: talliesOf(rows.filter((r) => r.of === 'traces')) };
}

export interface TallyRow {
  owner: string;
  name: string;
  label: string | null;
  count: number;
  valueCount: number;
  valueSum: number;
}

function tallyRowOf(row: Row): TallyRow {
  return {
    owner: row.get('owner') as string,
    name: row.get('score_name') as string,
    label: (row.get('score_label') as string | null) ?? null,
    count: num(row.get('tally_n')),
    valueCount: num(row.get('tally_values')),
    valueSum: numOrNull(row.get('tally_sum')) ?? 0,
  };
}

/** The rows of one (owner, name, label) each, added up per owner and name. */
export function talliesOf(rows: readonly TallyRow[]): ScoreTallies {
  const tallies: ScoreTallies = new Map();
  for (const row of rows) {
    let byName = tallies.get(row.owner);
    if (byName === undefined) tallies.set(row.owner, (byName = new Map()));
    let tally = byName.get(row.name);
    if (tally === undefined) byName.set(row.name, (tally = { count: 0, valueCount: 0, valueSum: 0, labels: new Map() }));
    tally.count += row.count;
    tally.valueCount += row.valueCount;
    tally.valueSum += row.valueSum;
    if (row.label !== null) tally.labels.set(row.label, (tally.labels.get(row.label) ?? 0) + row.count);
  }
  return tallies;
}
