import { SPAN_CATEGORIES } from '@spoor/model';
import type { FlowMapRow, FlowSpanQuery } from '../ports/flows.js';
import { FLOW_MARGIN_US, flowRunsCte } from '../sql/flows.js';
import type { DuckDbSql } from './dialect.js';

/*
 * The flow map as one aggregate DuckDB computes: each span's path (a hash chain of its labels from
 * its run's root) by a recursive join of the spans with their parents, level by level, and then
 * the nodes, "calls" edges (parent path -> path) and "then" edges (the sibling that started just
 * before, a window) grouped with their counts, exact percentiles, cost, errors and loops, so that
 * only the map's rows leave the engine, not the 2M rows of bench:flows' spans.
 * The JS fold (`flows/fold.ts`) stays the rule and the oracle: where a run's parent links are not
 * a tree (a loop of parent ids, or two spans of a run with one id that a child names), the counts
 * say so and the caller folds instead.
 */

const LABEL_ALONE = ['llm', 'embedding'].map((c) => SPAN_CATEGORIES.indexOf(c as never));
const key53 = (expr: string) => `CAST(hash(${expr}) >> 11 AS DOUBLE)`;
/** A node's or an edge's first span as the fold meets it: run, then start, then span key, then "then" before "calls". */
const FIRST = "min({'r': run, 's': start_us, 'k': k, 'o': kind_order})";

export async function selectFlowMapRows(db: DuckDbSql, query: FlowSpanQuery, page: number): Promise<FlowMapRow[]> {
  const d = db.dialect;
  const p = d.params();
  const runs = await flowRunsCte(db, p, query, { joinKey: (expr) => `hash(${expr})` });
  const project = p.add(query.filter.projectId);
  const near = [`s.project_id = ${project}`, `r.run < ${p.count(query.maxRuns)}`];
  if (query.filter.range.fromUs !== null) near.push(`s.start_us >= ${p.int(query.filter.range.fromUs - FLOW_MARGIN_US)}`);
  if (query.filter.range.toUs !== null) near.push(`s.start_us < ${p.int(query.filter.range.toUs + FLOW_MARGIN_US)}`);
  const sql = `WITH RECURSIVE ${runs},
  s AS MATERIALIZED (
    SELECT r.run, ${key53('s.span_id')} AS k, CASE WHEN s.parent_span_id IS NULL THEN NULL ELSE ${key53('s.parent_span_id')} END AS pk,
      CASE WHEN s.category IN (${LABEL_ALONE.join(', ')}) THEN hash(s.category) ELSE hash(s.name, s.category) END AS lab,
      s.category AS cat, s.name, s.start_us, s.duration_us AS d, CASE WHEN s.status_code = 2 THEN 1 ELSE 0 END AS failed, s.cost_usd AS cost
    FROM ${d.tables.spans} AS s JOIN runs AS r ON hash(s.trace_id) = r.trace_hash WHERE ${near.join(' AND ')}),
  links AS MATERIALIZED (
    SELECT c.*, u.k AS up FROM s AS c LEFT JOIN s AS u ON u.run = c.run AND u.k = c.pk AND u.k <> c.k),
  tree AS (
    SELECT run, k, up, start_us, cat, name, d, failed, cost, hash(lab) AS path, NULL::UBIGINT AS up_path, 0 AS depth FROM links WHERE up IS NULL
    UNION ALL
    SELECT l.run, l.k, l.up, l.start_us, l.cat, l.name, l.d, l.failed, l.cost, hash(t.path, l.lab), t.path, t.depth + 1
    FROM tree AS t JOIN links AS l ON l.run = t.run AND l.up = t.k WHERE t.depth < 1000),
  placed AS MATERIALIZED (SELECT *, lag(path) OVER (PARTITION BY run, up ORDER BY start_us, k) AS prev_path FROM tree),
  items AS (
    SELECT 0 AS kind, 0 AS kind_order, path AS a, coalesce(up_path, 0) AS b, run, start_us, k, cat, name, depth, d, failed, cost FROM placed
    UNION ALL SELECT 1, 1, path, up_path, run, start_us, k, cat, name, depth, d, failed, cost FROM placed WHERE up IS NOT NULL
    UNION ALL SELECT 2, 0, path, prev_path, run, start_us, k, cat, name, depth, d, failed, cost FROM placed WHERE prev_path IS NOT NULL),
  per_run AS (SELECT kind, a, b, run, count(*) AS c FROM items GROUP BY kind, a, b, run),
  looped AS (SELECT kind, a, b, count(*) AS runs, count(*) FILTER (WHERE c > 1) AS loop_runs, max(c) AS max_repeats,
      min(run, ${p.count(page)}) AS sample FROM per_run GROUP BY kind, a, b),
  totals AS (SELECT kind, a, b, count(*) AS spans, sum(failed) AS errors, sum(cost) AS cost, count(cost) AS costed,
      quantile_cont(d, 0.5) AS p50, quantile_cont(d, 0.95) AS p95, ${FIRST} AS first_key,
      arg_min(name, {'r': run, 's': start_us, 'k': k}) AS name, any_value(cat) AS cat, any_value(depth) AS depth FROM items GROUP BY kind, a, b),
  sampled AS (SELECT one.kind, one.a, one.b, list(runs.trace_id ORDER BY runs.run) AS traces
    FROM (SELECT kind, a, b, unnest(sample) AS run FROM looped) AS one JOIN runs USING (run) GROUP BY one.kind, one.a, one.b)
  SELECT t.kind, CAST(t.a AS VARCHAR) AS a, CAST(t.b AS VARCHAR) AS b, CAST(t.cat AS INTEGER) AS cat, t.name, CAST(t.depth AS INTEGER) AS depth,
    CAST(l.runs AS DOUBLE) AS runs, CAST(t.spans AS DOUBLE) AS spans, CAST(t.errors AS DOUBLE) AS errors, t.cost, CAST(t.costed AS DOUBLE) AS costed,
    CAST(l.loop_runs AS DOUBLE) AS loop_runs, CAST(l.max_repeats AS DOUBLE) AS max_repeats, CAST(t.p50 AS DOUBLE) AS p50, CAST(t.p95 AS DOUBLE) AS p95,
    t.first_key.r AS first_run, CAST(t.first_key.s AS DOUBLE) AS first_start, t.first_key.k AS first_span, t.first_key.o AS first_kind, sm.traces
  FROM totals AS t JOIN looped AS l USING (kind, a, b) JOIN sampled AS sm USING (kind, a, b)
  UNION ALL
  SELECT -1, NULL, NULL, NULL, NULL, NULL, CAST((SELECT count(*) FROM runs) AS DOUBLE), CAST((SELECT count(*) FROM s) AS DOUBLE),
    CAST((SELECT count(*) FROM links) AS DOUBLE), NULL, CAST((SELECT count(*) FROM tree) AS DOUBLE), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`;
  return db.rows('read a flow map', sql, p, (row) => ({
    kind: Number(row.get('kind')),
    a: (row.get('a') as string | null) ?? '',
    // A root's parent path is 0 (a join does not match NULLs).
    b: row.get('b') === '0' ? null : (row.get('b') as string | null),
    category: SPAN_CATEGORIES[Number(row.get('cat'))] ?? 'other',
    name: (row.get('name') as string | null) ?? '',
    depth: Number(row.get('depth')),
    runs: Number(row.get('runs')),
    spans: Number(row.get('spans')),
    errors: Number(row.get('errors')),
    costUsd: row.get('cost') === null ? 0 : Number(row.get('cost')),
    costed: Number(row.get('costed')),
    loopRuns: Number(row.get('loop_runs')),
    maxRepeats: Number(row.get('max_repeats')),
    p50Us: Number(row.get('p50')),
    p95Us: Number(row.get('p95')),
    first: [Number(row.get('first_run')), Number(row.get('first_start')), Number(row.get('first_span')), Number(row.get('first_kind'))],
    traceIds: (row.get('traces') as string[] | null) ?? [],
  }));
}
