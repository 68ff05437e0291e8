import type { ScoreStatsGroup, ScoreStatsQuery, ScoreStatsRow } from '@spoor/model';
import { num, numOrNull } from '../record-rows.js';
import type { Dialect, Params, SqlEngine } from './dialect.js';
import { SPAN_GROUP_COLUMNS, timeFilters } from './filters.js';
import { latestScores, responseSpans, scoredTraceBounds } from './scores.js';

/**
 * Score statistics: the newest version of each score in the range (deletions left out), grouped by
 * name and by what `by` names, in one statement: the groups' values and, in a second branch of
 * a `UNION ALL` over the same scores, their label counts. Ranking the versions of each slot is
 * what costs (a window over 1M scores: ~0.5-0.9 s on 2 threads, against 0.2 s for the
 * aggregates), so where a CTE is computed once (DuckDB) it is ranked once for both branches.
 */

/** A relation of scores, `name`, `group_key`, `value` and `label`: its `WITH` items and the select reading them. */
export interface ScoredRelation {
  ctes: string[];
  select: string;
}

/**
 * The scores to aggregate. `spanTimes` bound the start of the spans read for a model, service or
 * release (`null`: no scored trace is stored).
 */
export function scoredRelation(
  d: Dialect,
  p: Params,
  query: Pick<ScoreStatsQuery, 'projectId' | 'range' | 'by' | 'name'>,
  spanTimes: { fromUs: number; toUs: number } | null,
): ScoredRelation {
  const project = p.add(query.projectId);
  const slot: string[] = [];
  if (query.name !== null) slot.push(`name = ${p.add(query.name)}`);
  if (query.by === 'evaluator') slot.push(`source = 'evaluator'`);
  const live = ['NOT deleted', ...timeFilters(p, 'time_us', query.range)].join(' AND ');
  const latest = `SELECT name, value, label, author, trace_id, span_id, response_id FROM (${latestScores(d, project, slot)}) AS latest WHERE ${live}`;
  if (query.by === 'name') return { ctes: [], select: `SELECT name, name AS group_key, value, label FROM (${latest}) AS scored` };
  if (query.by === 'evaluator') return { ctes: [], select: `SELECT name, author AS group_key, value, label FROM (${latest}) AS scored` };
  const within = spanTimes === null ? ['1 = 0'] : [`start_us >= ${p.int(spanTimes.fromUs)}`, `start_us <= ${p.int(spanTimes.toUs)}`];
  return spanKeyed(d, p, project, latest, query.by, within);
}

/**
 * The scores of `latest` with the model, service or release of their target: the scored span's,
 * the root span's for a trace's score (a trace has no model), none for a session's. A score that
 * named only an LLM response id is about the span that gave it. The spans are read once per trace
 * scored, a span stored twice (a running snapshot beside the ended span) counting once.
 */
function spanKeyed(
  d: Dialect,
  p: Params,
  project: string,
  latest: string,
  by: Exclude<ScoreStatsGroup, 'name' | 'evaluator'>,
  within: string[],
): ScoredRelation {
  let key: string;
  let join = '';
  if (by === 'release') ({ value: key, join } = d.resourceAttribute(p, project, 'service.version'));
  else key = SPAN_GROUP_COLUMNS[by];
  const targets = targetsSql(d, project, latest);
  // Sampled-out traces too (`span_facts`): of their slim spans, those that keep an id (LLM calls) and the root.
  const spans = `SELECT trace_id, span_id, any_value(parent_span_id IS NULL) AS is_root, any_value(${key}) AS span_key
    FROM ${d.tables.span_facts} ${join}
    WHERE project_id = ${project} AND ${within.join(' AND ')} AND trace_id IN (SELECT target_trace FROM targets WHERE target_trace IS NOT NULL) AND (span_id <> '' OR parent_span_id IS NULL)
    GROUP BY trace_id, span_id`;
  const traceKey = by === 'model' ? 'NULL' : 'roots.root_key';
  return {
    ctes: [`targets AS (${targets})`, `keyed AS (${spans})`],
    select: `SELECT targets.name AS name, value, label, CASE WHEN target_span IS NULL THEN ${traceKey} ELSE own.span_key END AS group_key
    FROM targets
    LEFT JOIN keyed AS own ON own.trace_id = targets.target_trace AND own.span_id = targets.target_span
    LEFT JOIN (SELECT trace_id, min(span_key) AS root_key FROM keyed WHERE is_root GROUP BY trace_id) AS roots ON roots.trace_id = targets.target_trace`,
  };
}

/**
 * `latest` (scores with `name`, `value`, `label`, `trace_id`, `span_id`, `response_id`) with the
 * trace and span each is about (`target_trace`, `target_span`): a score that named only an LLM
 * response id is about the span that gave it.
 */
export function targetsSql(d: Dialect, project: string, latest: string): string {
  return `SELECT scored.name AS name, scored.value AS value, scored.label AS label,
      coalesce(scored.trace_id, responses.trace_id) AS target_trace,
      CASE WHEN scored.trace_id IS NULL THEN responses.span_id ELSE scored.span_id END AS target_span
    FROM (${latest}) AS scored
    LEFT JOIN (${responseSpans(d, project)}) AS responses ON responses.response_id = scored.response_id`;
}

export async function scoreStats(db: SqlEngine, query: ScoreStatsQuery): Promise<ScoreStatsRow[]> {
  const d = db.dialect;
  const p = d.params();
  // The spans of the scored traces are read within those traces' times: the rest are skipped (on
  // the analytics benchmark, where the newest 1M spans are scored, four fifths of the spans).
  const keyedBySpan = query.by !== 'name' && query.by !== 'evaluator';
  const spanTimes = keyedBySpan ? await scoredTraceBounds(db, query.projectId, query.range) : null;
  const { ctes, select } = scoredRelation(d, p, query, spanTimes);
  const aggregates = `count(*) AS n, avg(value) AS mean, ${d.quantiles('value', [0.5, 0.9])} AS q, count(value) AS valued`;
  // Labels are counted for every group; only those of the groups kept are read below.
  const rows = await db.rows(
    'compute score statistics',
    `WITH ${[...ctes, `scored AS (${select})`].join(', ')}
     SELECT * FROM (
       SELECT name, group_key, NULL AS label, ${aggregates} FROM scored GROUP BY name, group_key
       ORDER BY n DESC, name ASC, group_key ASC NULLS LAST LIMIT ${p.count(query.limit)}) AS value_rows
     UNION ALL
     SELECT name, group_key, label, ${aggregates} FROM scored WHERE label IS NOT NULL GROUP BY name, group_key, label`,
    p,
    (row) => {
      const valued = num(row.get('valued')) > 0;
      const q = row.get('q') as number[] | null;
      return {
        name: row.get('name') as string,
        key: (row.get('group_key') as string | null) ?? null,
        label: (row.get('label') as string | null) ?? null,
        count: num(row.get('n')),
        mean: valued ? numOrNull(row.get('mean')) : null,
        p50: valued && q !== null ? (q[0] ?? null) : null,
        p90: valued && q !== null ? (q[1] ?? null) : null,
      };
    },
  );
  const groups = new Map<string, ScoreStatsRow>();
  for (const { label: _, ...group } of rows.filter((r) => r.label === null)) groups.set(groupId(group.name, group.key), { ...group, labels: {} });
  for (const r of rows) {
    const group = r.label === null ? undefined : groups.get(groupId(r.name, r.key));
    if (group !== undefined) group.labels[r.label!] = r.count;
  }
  return [...groups.values()]
    .map((g) => ({ ...g, labels: sortedKeys(g.labels) }))
    .sort((x, y) => y.count - x.count || byText(x.name, y.name) || (x.key === y.key ? 0 : x.key === null ? 1 : y.key === null ? -1 : byText(x.key, y.key)));
}

const groupId = (name: string, key: string | null): string => JSON.stringify([name, key]);

/** Code-point order, as SQL orders text. */
const byText = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** The same counts with their labels in code-point order, so that every engine answers alike. */
function sortedKeys(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([x], [y]) => byText(x, y)));
}
