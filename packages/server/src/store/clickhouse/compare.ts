import type { CompareQuery } from '@spoor/model';
import { type SideGroup, comparisonOf } from '../comparison.js';
import type { CompareSideRecord } from '../store.js';
import { ChParams, type ChClient } from './client.js';
import { groupKey, ownAttribute, resourceAttribute, spanConditions } from './span-sql.js';

/**
 * Release comparisons: per span name, both sides, with what the significance tests need. As in
 * the DuckDB store, ClickHouse groups the spans by name and side, each group's durations as a
 * list, and `comparison.ts` ranks and takes percentiles from the sorted lists.
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
  const { project, where } = spanConditions(p, ch.tables, query.filter);
  const side = sideOf(p, ch, project, query);
  const a = p.add(query.a);
  const b = p.add(query.b);
  const rows = await ch.rows<SideRow>(
    'compare two releases',
    `SELECT name, b, count() AS n, countIf(status_code = 2) AS errors, avg(duration_us) AS avg_us,
       count(cost_usd) AS cost_n, avg(coalesce(cost_usd, 0)) AS cost_mean,
       if(count() > 1, varSampStable(coalesce(cost_usd, 0)), NULL) AS cost_var,
       groupArray(duration_us) AS durations
     FROM (SELECT toString(name) AS name, duration_us, status_code, cost_usd, ${side} AS side_value, side_value = ${b} AS b
           FROM ${ch.tables.spans} WHERE ${where.join(' AND ')} AND side_value IN (${a}, ${b}))
     GROUP BY name, b`,
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
 * The value that puts a span on a side. For an attribute, a resource that carries it decides the
 * side of all its spans; only the spans of resources without it are decided by their own
 * attribute (and only those have their attributes parsed).
 */
function sideOf(p: ChParams, ch: ChClient, project: string, query: CompareQuery): string {
  if ('column' in query.by) return groupKey(p, ch.tables, project, query.by);
  const fromResource = resourceAttribute(p, ch.tables, project, query.by.attribute);
  return `if(${fromResource} IS NOT NULL, ${fromResource}, ${ownAttribute(p, query.by.attribute)})`;
}
