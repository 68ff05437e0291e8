import type { DuckDBConnection } from '@duckdb/node-api';
import type { CompareQuery } from '@spoor/model';
import type { CompareSideRecord } from '../store.js';
import { columnsOf } from './analytics.js';
import { mapRows, num, numOrNull } from './read.js';
import { groupKey, spanConditions } from './span-sql.js';
import { SqlParams, jsonPointer } from './sql.js';

/**
 * The release comparison of the DuckDB store: both sides of a comparison per span name, with the
 * rank sums and tie terms of the durations that the Mann-Whitney test needs (average ranks for
 * ties, both sides ranked together).
 *
 * Where the time goes, measured on the analytics benchmark (5.2M spans, 2 threads): reading the
 * span attributes text alone takes 1.4 s, so an attribute that the span's resource carries is read
 * from `sources` (12 rows there) and the attributes of a span are parsed only when its resource
 * lacks the key. Ranks come from one sort per name of (duration, side), shared by three window
 * functions, with the name as a small integer (a VARCHAR partition cost 2.5 times as much) and no
 * other column carried through the sort (each carried column cost about as much again).
 */
export async function selectComparison(connection: DuckDBConnection, query: CompareQuery): Promise<CompareSideRecord[]> {
  const p = new SqlParams();
  const sides = await sidedSpans(connection, p, query);
  const columns = await columnsOf(
    connection,
    `WITH sides AS (${sides}),
     stats AS (
       SELECT name, b, count(*) AS n, count_if(status_code = 2) AS errors, avg(duration_us) AS avg_us,
         quantile_cont(duration_us, [0.5, 0.95]) AS q,
         count(cost_usd) AS cost_n, avg(coalesce(cost_usd, 0)) AS cost_mean, var_samp(coalesce(cost_usd, 0)) AS cost_var
       FROM sides GROUP BY name, b
     ),
     names AS (SELECT name, row_number() OVER (ORDER BY sum(n) DESC, name) AS i FROM stats GROUP BY name QUALIFY i <= ${p.add(query.limit)}),
     ranked AS (
       SELECT i, b,
         rank() OVER (PARTITION BY i ORDER BY duration_us) AS rank_d,
         rank() OVER (PARTITION BY i ORDER BY duration_us, b) AS rank_db,
         row_number() OVER (PARTITION BY i ORDER BY duration_us, b) AS rn
       FROM sides JOIN names USING (name)
     ),
     ranks AS (
       SELECT i, b, count(*) AS n, sum(rank_d + rank_db + 2 * (rn - rank_db)) AS twice_rank_sum, sum(3 * (rn - rank_d) * (rn - rank_d + 1)) AS ties
       FROM ranked GROUP BY i, b
     ),
     totals AS (
       SELECT i, b, sum(n) OVER (PARTITION BY i) AS n_all, sum(CASE WHEN b THEN twice_rank_sum ELSE 0 END) OVER (PARTITION BY i) AS twice_b,
         sum(ties) OVER (PARTITION BY i) AS tie_term
       FROM ranks
     )
     SELECT s.*, CASE WHEN s.b THEN twice_b / 2 ELSE (n_all * (n_all + 1) - twice_b) / 2 END AS rank_sum, tie_term
     FROM stats s JOIN names USING (name) JOIN totals t ON t.i = names.i AND t.b = s.b
     ORDER BY s.name, s.b`,
    p.values,
  );
  return mapRows(columns, (row) => {
    const q = row.get('q') as number[];
    return {
      name: row.get('name') as string,
      side: row.get('b') === true ? 'b' : 'a',
      count: num(row.get('n')),
      errorCount: num(row.get('errors')),
      avgUs: num(row.get('avg_us')),
      p50Us: q[0]!,
      p95Us: q[1]!,
      rankSum: num(row.get('rank_sum')),
      tieTerm: num(row.get('tie_term')),
      costCount: num(row.get('cost_n')),
      costMean: num(row.get('cost_mean')),
      costVariance: numOrNull(row.get('cost_var')),
    };
  });
}

/*
 * Why the rank sums hold. Within a name, sorted by duration and then side (a before b): a span
 * of side b with duration d has rank_d = L + 1 (L spans are shorter), rank_db = L + ca + 1 (the
 * ca spans of side a with duration d come first) and rn = rank_db + j (j spans of side b with
 * duration d before it). Its average rank is L + (ca + cb + 1) / 2, and summed over the cb spans
 * of side b with duration d that is what (rank_d + rank_db) / 2 + (rn - rank_db) sums to. Side a
 * has the rest of 1 + 2 + ... + n. A run of t equal durations takes the positions
 * rn - rank_d = 0 .. t - 1, and 3k(k + 1) summed over k = 0 .. t - 1 is t³ - t.
 */

/**
 * The SQL of the filtered spans on either side, with `b` true on side b. For an attribute, a
 * resource that carries it decides the side of all its spans; the spans of resources without it
 * are decided by their own attribute. Those resources are listed first, in a statement of their
 * own: as a subquery, DuckDB parsed every span's attributes before the join that would have left
 * most of them out (4.7 s on the benchmark). A resource first written between the two statements
 * can be missed by this one request.
 */
async function sidedSpans(connection: DuckDBConnection, p: SqlParams, query: CompareQuery): Promise<string> {
  const { project, where } = spanConditions(p, query.filter);
  const a = p.add(query.a);
  const b = p.add(query.b);
  const columns = 'name, duration_us, status_code, cost_usd';
  if ('column' in query.by) {
    const { key } = groupKey(p, project, query.by);
    return `SELECT ${columns}, ${key} = ${b} AS b FROM spans WHERE ${where.join(' AND ')} AND ${key} IN (${a}, ${b})`;
  }
  const resourcePath = p.add(jsonPointer(['attributes', query.by.attribute]));
  const fromResources = `SELECT ${columns}, r.value = ${b} AS b
    FROM spans JOIN (SELECT source_id, json_extract_string(resource, ${resourcePath}) AS value FROM sources WHERE project_id = ${project}) AS r USING (source_id)
    WHERE ${where.join(' AND ')} AND r.value IN (${a}, ${b})`;
  const lacking = await columnsOf(
    connection,
    'SELECT source_id FROM sources WHERE project_id = $1 AND json_extract_string(resource, $2) IS NULL',
    [query.filter.projectId, jsonPointer(['attributes', query.by.attribute])],
  );
  const sourceIds = (lacking.source_id ?? []) as string[];
  if (sourceIds.length === 0) return fromResources;
  const spanPath = p.add(jsonPointer([query.by.attribute]));
  const own = `json_extract_string(attributes, ${spanPath})`;
  return `${fromResources}
    UNION ALL
    SELECT ${columns}, ${own} = ${b} AS b FROM spans
    WHERE ${where.join(' AND ')} AND source_id IN (${sourceIds.map((id) => p.add(id)).join(', ')}) AND ${own} IN (${a}, ${b})`;
}
