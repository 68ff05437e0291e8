import type { CompareQuery } from '@spoor/model';
import { type SideGroup, comparisonOf } from '../comparison.js';
import type { CompareSideRecord } from '../store.js';
import { ChParams, type ChClient } from './client.js';
import { groupKey, jsonText, resourceAttribute, spanConditions } from './span-sql.js';

/**
 * Release comparisons: per span name, both sides, with what the significance tests need. As in
 * the DuckDB store, ClickHouse groups the spans by name and side, each group's durations as a
 * list, and `comparison.ts` ranks and takes percentiles from the sorted lists. Only the lists of
 * the `limit` names with the most spans are sent: moving 5M durations out of ClickHouse as JSON
 * costs about what the scan does. (Sorting them there costs more than the radix sort in
 * `rank-sums.ts`: `arraySort` took 0.7 s over the benchmark's 5M durations.)
 */

interface SideRow {
  name: string;
  b: number | boolean;
  n: number;
  errors: number;
  avg_us: number;
  cost_n: number;
  cost_mean: number;
  cost_var: number | null;
  durations: number[];
}

export async function compareSpans(ch: ChClient, query: CompareQuery): Promise<CompareSideRecord[]> {
  const p = new ChParams();
  const a = p.add(query.a);
  const b = p.add(query.b);
  const rows = await ch.rows<SideRow>(
    'compare two releases',
    `SELECT name, b, n, errors, avg_us, cost_n, cost_mean, cost_var, durations FROM (
       SELECT *, dense_rank() OVER (ORDER BY total DESC, name ASC) AS place FROM (
         SELECT *, sum(n) OVER (PARTITION BY name) AS total FROM (
           SELECT name, side_value = ${b} AS b, count() AS n, countIf(status_code = 2) AS errors, avg(duration_us) AS avg_us,
             count(cost_usd) AS cost_n, avg(coalesce(cost_usd, 0)) AS cost_mean,
             if(count() > 1, varSampStable(coalesce(cost_usd, 0)), NULL) AS cost_var,
             groupArray(duration_us) AS durations
           FROM (${sidedSpans(p, ch, query, a, b)})
           GROUP BY name, b)))
     WHERE place <= ${p.add(query.limit, 'UInt64')}`,
    p,
  );
  const groups: SideGroup[] = rows.map((row) => ({
    name: row.name,
    side: row.b === true || row.b === 1 ? 'b' : 'a',
    count: row.n,
    errorCount: row.errors,
    avgUs: row.avg_us,
    costCount: row.cost_n,
    costMean: row.cost_mean,
    costVariance: row.cost_var,
    durations: Float64Array.from(row.durations),
  }));
  return comparisonOf(groups, query.limit);
}

/**
 * The filtered spans on either side, each with the value that put it there (`side_value`, a or
 * b). For an attribute, a resource that carries it decides the side of all its spans; only the
 * spans of resources without it are decided by their own attribute. The attributes text is what
 * costs (1.85 GB of it over the 5M spans of the analytics benchmark, against 17 MB of start
 * times), so it is read only in the second branch, for the spans of those resources: when every
 * resource names its version, no span's attributes are read at all.
 */
function sidedSpans(p: ChParams, ch: ChClient, query: CompareQuery, a: string, b: string): string {
  const { project, where } = spanConditions(p, ch.tables, query.filter);
  const columns = 'name, duration_us, status_code, cost_usd';
  if ('column' in query.by) {
    const key = groupKey(p, ch.tables, project, query.by);
    return `SELECT ${columns}, ${key} AS side_value FROM ${ch.tables.spans} WHERE ${where.join(' AND ')} AND side_value IN (${a}, ${b})`;
  }
  const key = query.by.attribute;
  const resources = (condition: string): string =>
    `SELECT source_id FROM ${ch.tables.sources} FINAL WHERE project_id = ${project} AND ${condition}`;
  const resourceValue = jsonText(p, 'resource', ['attributes', key]);
  const own = jsonText(p, 'attributes', [key]);
  return `SELECT ${columns}, ${resourceAttribute(p, ch.tables, project, key)} AS side_value FROM ${ch.tables.spans}
      WHERE ${where.join(' AND ')} AND source_id IN (${resources(`${resourceValue} IN (${a}, ${b})`)})
    UNION ALL
    SELECT ${columns}, ${own} AS side_value FROM ${ch.tables.spans}
      WHERE ${where.join(' AND ')} AND source_id IN (${resources(`${resourceValue} IS NULL`)}) AND side_value IN (${a}, ${b})`;
}
