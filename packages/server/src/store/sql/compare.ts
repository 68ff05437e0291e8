import type { CompareQuery } from '@spoor/model';
import type { Params, SqlEngine } from './dialect.js';
import { groupKey, spanConditions } from './filters.js';

/**
 * The release comparison's SQL: the filtered spans of either side grouped by name and side, each
 * group's durations as a list. The ranks and percentiles come from sorting those lists in JS
 * (`comparison.ts`, `rank-sums.ts`): DuckDB's window operators over every span took longer than
 * the rest of the query, and ClickHouse's `arraySort` of the benchmark's 5M durations 0.7 s. Each
 * engine reads the groups its own fastest way (DuckDB's list vectors, ClickHouse's `RowBinary`).
 */

/**
 * The statement of a comparison's groups: `name`, `b` (true on side b), `n`, `errors`, `avg_us`,
 * `cost_n`, `cost_mean`, `cost_var` and `durations`, a list of `duration` (the durations as the
 * engine's reader takes them) over each group.
 */
export async function comparisonGroupsSql<P extends Params>(db: SqlEngine<P>, query: CompareQuery, duration: string): Promise<{ sql: string; p: P }> {
  const d = db.dialect;
  const p = d.params();
  const b = p.add(query.b);
  const sides = await sidedSpans(db, p, query, b);
  const sql = `SELECT name, side_value = ${b} AS b, count(*) AS n, countIf(status_code = 2) AS errors, avg(duration_us) AS avg_us,
      count(cost_usd) AS cost_n, avg(coalesce(cost_usd, 0)) AS cost_mean, ${d.varSamp('coalesce(cost_usd, 0)')} AS cost_var,
      ${d.collect(duration)} AS durations
    FROM (${sides}) AS sides GROUP BY name, b`;
  return { sql, p };
}

/**
 * The filtered spans on either side (that meet the `more` conditions too), with `columns` and the value that put each there (`side_value`),
 * read from `spans`: `span_facts`, or a relation with its columns (and more) under other names. For an
 * attribute, a resource that carries it decides the side of all its spans; only the spans of the
 * resources without it are decided by their own attribute. The attributes text is what costs
 * (1.85 GB of it over the 5M spans of the analytics benchmark, against 17 MB of start times), so
 * it is read only in the second branch, for the spans of those resources: when every resource
 * names its version, no span's attributes are read at all.
 */
export async function sidedSpans<P extends Params>(
  db: SqlEngine<P>,
  p: P,
  query: CompareQuery,
  b: string,
  columns = 'name, duration_us, status_code, cost_usd',
  more: readonly string[] = [],
  spans = db.dialect.tables.span_facts,
): Promise<string> {
  const d = db.dialect;
  const a = p.add(query.a);
  const { project, where: filter } = spanConditions(d, p, query.filter);
  const where = [...filter, ...more];
  if ('column' in query.by) {
    const { key } = groupKey(d, p, project, query.by);
    return `SELECT ${columns}, ${key} AS side_value FROM ${spans} WHERE ${where.join(' AND ')} AND ${key} IN (${a}, ${b})`;
  }
  const key = query.by.attribute;
  const resource = d.resourceAttribute(p, project, key);
  const fromResources = `SELECT ${columns}, ${resource.value} AS side_value FROM ${spans} ${resource.join}
    WHERE ${where.join(' AND ')} AND ${resource.value} IN (${a}, ${b})`;
  const lacking = await sourcesLacking(db, p, project, query.filter.projectId, key);
  if (lacking === null) return fromResources;
  const own = d.jsonText(p, 'attributes', [key]);
  return `${fromResources}
    UNION ALL
    SELECT ${columns}, ${own} AS side_value FROM ${spans}
      WHERE ${where.join(' AND ')} AND source_id IN ${lacking} AND ${own} IN (${a}, ${b})`;
}

/**
 * The set of the project's sources whose resource lacks `key`, as SQL after `IN`; `null` when it
 * is known to be empty. An engine that applies a semi join only after the other conditions'
 * expressions (DuckDB: it parsed every span's attributes before the join that would have left
 * most of them out, 4.7 s on the benchmark) gets the few ids read first, in a statement of their
 * own; a source first written between the two statements can be missed by that one request.
 */
export async function sourcesLacking<P extends Params>(db: SqlEngine<P>, p: P, project: string, projectId: string, key: string): Promise<string | null> {
  const d = db.dialect;
  const lacking = (q: P, projectSql: string) =>
    `SELECT source_id FROM ${d.sources} WHERE project_id = ${projectSql} AND ${d.jsonText(q, 'resource', ['attributes', key])} IS NULL`;
  if (!d.readsSmallSetsFirst) return `(${lacking(p, project)})`;
  const q = d.params();
  const ids = await db.rows('find the sources without the attribute', lacking(q, q.add(projectId)), q, (row) => row.get('source_id') as string);
  return ids.length === 0 ? null : p.texts(ids);
}
