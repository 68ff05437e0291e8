import type { ScoreStatsGroup, ScoreStatsQuery, ScoreStatsRow } from '@spoor/model';
import { num, numOrNull } from '../record-rows.js';
import type { Dialect, Params, SqlEngine } from './dialect.js';
import { SPAN_GROUP_COLUMNS, timeFilters } from './filters.js';
import { latestScores } from './scores.js';

/**
 * Score statistics: the newest version of each score in the range (deletions left out), grouped by
 * name and by what `by` names. Values are aggregated in one statement and labels counted in a
 * second (a label count is a group of its own; one statement with both would need grouping sets,
 * which the engines fill in differently).
 */

/** The scores to aggregate, as a relation of `name`, `group_key`, `value` and `label`. */
export function scoredRelation(d: Dialect, p: Params, query: Pick<ScoreStatsQuery, 'projectId' | 'range' | 'by' | 'name'>): string {
  const project = p.add(query.projectId);
  const slot: string[] = [];
  if (query.name !== null) slot.push(`name = ${p.add(query.name)}`);
  if (query.by === 'evaluator') slot.push(`source = 'evaluator'`);
  const live = ['NOT deleted', ...timeFilters(p, 'time_us', query.range)].join(' AND ');
  const latest = `SELECT name, value, label, author, trace_id, span_id, response_id FROM (${latestScores(d, project, slot)}) AS latest WHERE ${live}`;
  if (query.by === 'name') return `SELECT name, name AS group_key, value, label FROM (${latest}) AS scored`;
  if (query.by === 'evaluator') return `SELECT name, author AS group_key, value, label FROM (${latest}) AS scored`;
  return spanKeyed(d, p, project, latest, query.by);
}

/**
 * The scores of `latest` with the model, service or release of their target: the scored span's,
 * the root span's for a trace's score (a trace has no model), none for a session's. A score that
 * named only an LLM response id is about the span that gave it. The spans are read once per trace
 * scored, a span stored twice (a running snapshot beside the ended span) counting once.
 */
function spanKeyed(d: Dialect, p: Params, project: string, latest: string, by: Exclude<ScoreStatsGroup, 'name' | 'evaluator'>): string {
  let key: string;
  let join = '';
  if (by === 'release') ({ value: key, join } = d.resourceAttribute(p, project, 'service.version'));
  else key = SPAN_GROUP_COLUMNS[by];
  const targets = `SELECT scored.name AS name, scored.value AS value, scored.label AS label,
      coalesce(scored.trace_id, responses.trace_id) AS target_trace,
      CASE WHEN scored.trace_id IS NULL THEN responses.span_id ELSE scored.span_id END AS target_span
    FROM (${latest}) AS scored
    LEFT JOIN (SELECT response_id, min(trace_id) AS trace_id, min(span_id) AS span_id FROM ${d.tables.llm_responses}
      WHERE project_id = ${project} GROUP BY response_id) AS responses ON responses.response_id = scored.response_id`;
  const spans = `SELECT trace_id, span_id, any_value(parent_span_id IS NULL) AS is_root, any_value(${key}) AS span_key
    FROM ${d.tables.spans} ${join}
    WHERE project_id = ${project} AND trace_id IN (SELECT target_trace FROM targets WHERE target_trace IS NOT NULL)
    GROUP BY trace_id, span_id`;
  const traceKey = by === 'model' ? 'NULL' : 'roots.root_key';
  return `WITH targets AS (${targets}), keyed AS (${spans})
    SELECT targets.name AS name, value, label, CASE WHEN target_span IS NULL THEN ${traceKey} ELSE own.span_key END AS group_key
    FROM targets
    LEFT JOIN keyed AS own ON own.trace_id = targets.target_trace AND own.span_id = targets.target_span
    LEFT JOIN (SELECT trace_id, min(span_key) AS root_key FROM keyed WHERE is_root GROUP BY trace_id) AS roots ON roots.trace_id = targets.target_trace`;
}

export async function scoreStats(db: SqlEngine, query: ScoreStatsQuery): Promise<ScoreStatsRow[]> {
  const d = db.dialect;
  const values = d.params();
  const labels = d.params();
  const [groups, labelRows] = await Promise.all([
    db.rows(
      'compute score statistics',
      `SELECT name, group_key, count(*) AS n, avg(value) AS mean, ${d.quantiles('value', [0.5, 0.9])} AS q, count(value) AS valued
       FROM (${scoredRelation(d, values, query)}) AS scored
       GROUP BY name, group_key ORDER BY n DESC, name ASC, group_key ASC NULLS LAST LIMIT ${values.count(query.limit)}`,
      values,
      (row): ScoreStatsRow => {
        const valued = num(row.get('valued')) > 0;
        const q = row.get('q') as number[] | null;
        return {
          name: row.get('name') as string,
          key: (row.get('group_key') as string | null) ?? null,
          count: num(row.get('n')),
          mean: valued ? numOrNull(row.get('mean')) : null,
          p50: valued && q !== null ? (q[0] ?? null) : null,
          p90: valued && q !== null ? (q[1] ?? null) : null,
          labels: {},
        };
      },
    ),
    db.rows(
      'count score labels',
      `SELECT name, group_key, label, count(*) AS n FROM (${scoredRelation(d, labels, query)}) AS scored
       WHERE label IS NOT NULL GROUP BY name, group_key, label`,
      labels,
      (row) => ({ name: row.get('name') as string, key: (row.get('group_key') as string | null) ?? null, label: row.get('label') as string, count: num(row.get('n')) }),
    ),
  ]);
  const byGroup = new Map(groups.map((g) => [groupId(g.name, g.key), g]));
  for (const l of labelRows) {
    const group = byGroup.get(groupId(l.name, l.key));
    if (group !== undefined) group.labels[l.label] = l.count;
  }
  for (const g of groups) g.labels = sortedKeys(g.labels);
  return groups;
}

const groupId = (name: string, key: string | null): string => JSON.stringify([name, key]);

/** The same counts with their labels in code-point order, so that every engine answers alike. */
function sortedKeys(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}
