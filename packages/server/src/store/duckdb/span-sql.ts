import { SPAN_CATEGORIES, SPAN_KINDS, type SpanFilter, type SpanGroupBy } from '@spoor/model';
import { SPAN_GROUP_COLUMNS } from '../span-group-keys.js';
import { type SqlParams, attributeEquals, jsonPointer, likePattern, timeFilters } from './sql.js';

/** SQL pieces the analytics queries share: span filters and group keys over the `spans` table. */

/**
 * The `WHERE` conditions of a span filter, the project first. Every condition is on a column of
 * `spans` (or a subquery), so they also hold with `spans` aliased as `s` when the caller does
 * not name other tables' columns alike.
 */
export function spanConditions(p: SqlParams, filter: SpanFilter): { project: string; where: string[] } {
  const project = p.add(filter.projectId);
  const where = [`project_id = ${project}`, ...timeFilters(p, 'start_us', filter.range)];
  if (filter.service !== null) where.push(`service_name = ${p.add(filter.service)}`);
  if (filter.spanName !== null) where.push(`name = ${p.add(filter.spanName)}`);
  if (filter.text !== null) where.push(`name ILIKE ${p.add(likePattern(filter.text))} ESCAPE '\\'`);
  if (filter.status === 'error') where.push('status_code = 2');
  if (filter.status === 'ok') where.push('status_code <> 2');
  if (filter.minDurationMs !== null) where.push(`duration_us >= ${p.add(Math.ceil(filter.minDurationMs * 1000))}`);
  if (filter.maxDurationMs !== null) where.push(`duration_us <= ${p.add(Math.floor(filter.maxDurationMs * 1000))}`);
  if (filter.sessionId !== null) where.push(`session_id = ${p.add(filter.sessionId)}`);
  if (filter.model !== null) {
    const model = p.add(filter.model);
    where.push(`(llm_request_model = ${model} OR llm_response_model = ${model})`);
  }
  if (filter.kind !== null) where.push(`kind = ${SPAN_KINDS.indexOf(filter.kind)}`);
  if (filter.category !== null) where.push(`category = ${SPAN_CATEGORIES.indexOf(filter.category)}`);
  if (filter.rootOnly) where.push('parent_span_id IS NULL');
  for (const { key, value } of filter.attributes) where.push(attributeEquals(p, project, key, value));
  return { project, where };
}

/**
 * The SQL of a group key over `spans`, and the join it needs. An attribute is looked up on the
 * span first, then on its resource (so `service.version` works), through a join with the
 * project's sources, each resource parsed once.
 */
export function groupKey(p: SqlParams, project: string, by: SpanGroupBy): { key: string; join: string } {
  if ('column' in by) return { key: SPAN_GROUP_COLUMNS[by.column], join: '' };
  const spanPath = p.add(jsonPointer([by.attribute]));
  const resourcePath = p.add(jsonPointer(['attributes', by.attribute]));
  return {
    key: `coalesce(json_extract_string(attributes, ${spanPath}), resource_key.value)`,
    join: `LEFT JOIN (SELECT source_id, json_extract_string(resource, ${resourcePath}) AS value FROM sources WHERE project_id = ${project}) AS resource_key USING (source_id)`,
  };
}
