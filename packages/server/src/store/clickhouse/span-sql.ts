import { SPAN_CATEGORIES, SPAN_KINDS, type SpanFilter, type SpanGroupBy } from '@spoor/model';
import { SPAN_GROUP_COLUMNS } from '../span-group-keys.js';
import type { ChParams, Tables } from './client.js';
import { attributeEquals, jsonText, likePattern, timeFilters } from './sql.js';

export { jsonText } from './sql.js';

/**
 * SQL pieces the ClickHouse analytics queries share: span filters and group keys over the
 * `spans` table, answering what `duckdb/span-sql.ts` answers.
 */

/** The project's sources, each once (`sources` is a ReplacingMergeTree). */
const sourcesOf = (tables: Tables, project: string): string => `${tables.sources} FINAL WHERE project_id = ${project}`;

/**
 * The `WHERE` conditions of a span filter, the project first. Every condition is on a column of
 * `spans` (or a subquery over `sources`).
 */
export function spanConditions(p: ChParams, tables: Tables, filter: SpanFilter): { project: string; where: string[] } {
  const project = p.add(filter.projectId);
  const where = [`project_id = ${project}`, ...timeFilters(p, 'start_us', filter.range)];
  if (filter.service !== null) where.push(`service_name = ${p.add(filter.service)}`);
  if (filter.spanName !== null) where.push(`name = ${p.add(filter.spanName)}`);
  if (filter.text !== null) where.push(`name ILIKE ${p.add(likePattern(filter.text))}`);
  if (filter.status === 'error') where.push('status_code = 2');
  if (filter.status === 'ok') where.push('status_code <> 2');
  if (filter.minDurationMs !== null) where.push(`duration_us >= ${p.add(Math.ceil(filter.minDurationMs * 1000), 'Int64')}`);
  if (filter.maxDurationMs !== null) where.push(`duration_us <= ${p.add(Math.floor(filter.maxDurationMs * 1000), 'Int64')}`);
  if (filter.sessionId !== null) where.push(`session_id = ${p.add(filter.sessionId)}`);
  if (filter.model !== null) {
    const model = p.add(filter.model);
    where.push(`(llm_request_model = ${model} OR llm_response_model = ${model})`);
  }
  if (filter.kind !== null) where.push(`kind = ${SPAN_KINDS.indexOf(filter.kind)}`);
  if (filter.category !== null) where.push(`category = ${SPAN_CATEGORIES.indexOf(filter.category)}`);
  if (filter.rootOnly) where.push('parent_span_id IS NULL');
  for (const { key, value } of filter.attributes) where.push(attributeEquals(p, tables, project, key, value));
  return { project, where };
}

/**
 * The SQL of a group key over `spans` (a `Nullable(String)` or `String`). An attribute is looked
 * up on the span first, then on its resource (so `service.version` works): the project's
 * resources' values come in as one scalar subquery (a map from source id, made once per query,
 * sent along to every shard of a cluster), so no join is needed and a span whose attributes lack
 * the key is not parsed past a substring test.
 */
export function groupKey(p: ChParams, tables: Tables, project: string, by: SpanGroupBy): string {
  if ('column' in by) return SPAN_GROUP_COLUMNS[by.column];
  return `coalesce(${ownAttribute(p, by.attribute)}, ${resourceAttribute(p, tables, project, by.attribute)})`;
}

/**
 * The span's own attribute `key` as text, parsed only when its JSON mentions the key (attributes
 * are written by `JSON.stringify`, so a key appears in them as `JSON.stringify(key)`).
 */
export function ownAttribute(p: ChParams, key: string): string {
  return `if(position(attributes, ${p.add(JSON.stringify(key))}) > 0, ${jsonText(p, 'attributes', [key])}, NULL)`;
}

/** The attribute `key` of the span's resource as text, from a map of the project's resources. */
export function resourceAttribute(p: ChParams, tables: Tables, project: string, key: string): string {
  // Only the resources that carry the key (`groupArray` leaves NULLs out); the others map to NULL.
  const values = `(SELECT (groupArray(source_id), groupArray(assumeNotNull(value)))
    FROM (SELECT source_id, ${jsonText(p, 'resource', ['attributes', key])} AS value FROM ${sourcesOf(tables, project)}) WHERE value IS NOT NULL)`;
  return `transform(toString(source_id), tupleElement(${values}, 1), tupleElement(${values}, 2), CAST(NULL, 'Nullable(String)'))`;
}
