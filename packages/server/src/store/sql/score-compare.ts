import type { CompareQuery } from '@spoor/model';
import { isTrue, num } from '../record-rows.js';
import type { ScoreCompareGroup } from '../ports/score-stats.js';
import { sidedSpans } from './compare.js';
import type { SqlEngine } from './dialect.js';
import { latestScores } from './scores.js';
import { targetsSql } from './score-stats.js';

/**
 * The release comparison's scores: the newest version of each score of a span on either side (a
 * trace's score goes with its root span), grouped by score name, side and label, each group with
 * its values. A span is on a side as in the span comparison (`compare.ts`); a span stored twice
 * (a running snapshot beside the ended span) counts once.
 */
export async function compareScores(db: SqlEngine, query: CompareQuery): Promise<ScoreCompareGroup[]> {
  const d = db.dialect;
  const p = d.params();
  const b = p.add(query.b);
  const project = p.add(query.filter.projectId);
  // Only the spans of scored traces are sided: the span comparison reads every span of the range
  // already, and materializing all of them again (5M over the analytics benchmark's week) cost
  // four times the comparison itself.
  const sides = await sidedSpans(db, p, query, b, 'trace_id, span_id, parent_span_id', ['trace_id IN (SELECT target_trace FROM targets)']);
  const latest = `SELECT name, value, label, trace_id, span_id, response_id FROM (${latestScores(d, project, [])}) AS latest WHERE NOT deleted`;
  const scored = (t: string, s: string) => `SELECT ${t}.name AS name, ${t}.value AS value, ${t}.label AS label, ${s}.side_value AS side_value`;
  const sql = `WITH targets AS (${targetsSql(d, project, latest)}), sided AS (${sides})
    SELECT name, side_value = ${b} AS b, label, count(*) AS n, ${d.collect('value')} FILTER (WHERE value IS NOT NULL) AS vals FROM (
      ${scored('t', 's')} FROM targets AS t
      INNER JOIN (SELECT trace_id, span_id, any_value(side_value) AS side_value FROM sided GROUP BY trace_id, span_id) AS s
        ON s.trace_id = t.target_trace AND s.span_id = t.target_span
      UNION ALL
      ${scored('t', 'r')} FROM targets AS t
      INNER JOIN (SELECT trace_id, min(side_value) AS side_value FROM sided WHERE parent_span_id IS NULL GROUP BY trace_id) AS r
        ON r.trace_id = t.target_trace
      WHERE t.target_span IS NULL
    ) AS on_sides
    GROUP BY name, b, label`;
  return db.rows('compare scores', sql, p, (row) => ({
    name: row.get('name') as string,
    side: isTrue(row.get('b')) ? ('b' as const) : ('a' as const),
    label: (row.get('label') as string | null) ?? null,
    count: num(row.get('n')),
    values: ((row.get('vals') as unknown[] | null) ?? []).map(num),
  }));
}
