import type { CompareQuery } from '@spoor/model';
import { type SideGroup, comparisonOf } from '../comparison.js';
import type { CompareSideRecord } from '../store.js';
import { ChParams, type ChClient } from './client.js';
import { RowBinaryReader } from './row-binary.js';
import { groupKey, jsonText, resourceAttribute, spanConditions } from './span-sql.js';

/**
 * Release comparisons: per span name, both sides, with what the significance tests need. As in
 * the DuckDB store, ClickHouse groups the spans by name and side, each group's durations as a
 * list, and `comparison.ts` ranks and takes percentiles from the sorted lists. Only the lists of
 * the `limit` names with the most spans are sent, in `RowBinary`: as JSON, moving millions of
 * durations out of ClickHouse cost about what the scan does, where as 8-byte integers they are
 * read straight into the arrays the ranks are taken from. (Sorting them there costs more than the
 * radix sort in `rank-sums.ts`: `arraySort` took 0.7 s over the benchmark's 5M durations.)
 */

export async function compareSpans(ch: ChClient, query: CompareQuery): Promise<CompareSideRecord[]> {
  const p = new ChParams();
  const a = p.add(query.a);
  const b = p.add(query.b);
  // Each column cast to the type the reader below takes it as (`b` is Nullable when the side's value is).
  const bytes = await ch.rawBytes(
    'compare two releases',
    `SELECT CAST(name AS String), CAST(b AS UInt8), CAST(n AS UInt64), CAST(errors AS UInt64), CAST(avg_us AS Float64),
       CAST(cost_n AS UInt64), CAST(cost_mean AS Float64), CAST(cost_var AS Nullable(Float64)), CAST(durations AS Array(Int64)) FROM (
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
  const groups: SideGroup[] = [];
  for (const read = new RowBinaryReader(bytes); read.more; ) {
    groups.push({
      name: read.string(),
      side: read.uint8() === 1 ? 'b' : 'a',
      count: read.uint64(),
      errorCount: read.uint64(),
      avgUs: read.float64(),
      costCount: read.uint64(),
      costMean: read.float64(),
      costVariance: read.nullableFloat64(),
      durations: read.int64Array(),
    });
  }
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
