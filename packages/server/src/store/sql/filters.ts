import {
  SPAN_CATEGORIES,
  SPAN_KINDS,
  SPOOR_SERVICE_NAME,
  type SpanFilter,
  type SpanGroupBy,
  type SpanGroupColumn,
  type TimeRange,
  type TraceOrigin,
} from '@spoor/model';
import { traceKeyOf } from '../tables.js';
import type { Dialect, Params } from './dialect.js';

/** SQL pieces every area shares: time ranges, text search, attribute matches, span filters and group keys. */

/** A case-insensitive "contains" pattern for `Dialect.ilike`: `%`, `_` and `\` taken literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `column >= from AND column < to` filters for the ends of the range that are set. */
export function timeFilters(p: Params, column: string, range: TimeRange): string[] {
  const filters: string[] = [];
  if (range.fromUs !== null) filters.push(`${column} >= ${p.int(range.fromUs)}`);
  if (range.toUs !== null) filters.push(`${column} < ${p.int(range.toUs)}`);
  return filters;
}

const quotedList = (values: readonly string[]): string => `[${values.map((v) => `'${v}'`).join(', ')}]`;

/**
 * The SQL of each column a span statistic may be grouped by, over `spans` (1-based list indexing
 * turns the stored kind and category numbers back into their names, alike in both engines).
 */
export const SPAN_GROUP_COLUMNS: Readonly<Record<SpanGroupColumn, string>> = {
  name: 'name',
  service: 'service_name',
  // The model asked for ("gpt-4o"), not the dated one that answered, is what users group by.
  model: 'coalesce(llm_request_model, llm_response_model)',
  provider: 'llm_provider',
  kind: `${quotedList(SPAN_KINDS)}[kind + 1]`,
  category: `${quotedList(SPAN_CATEGORIES)}[category + 1]`,
  operation: 'llm_operation',
  session: 'session_id',
};

/**
 * The span's (or log's) own attribute `key` as text, parsed only when its JSON mentions the key:
 * attributes are written by `JSON.stringify`, so a key appears in them as `JSON.stringify(key)`.
 * A matcher on a tool call attribute over an hour of the analytics bench data (about 200,000
 * spans) took 58 ms on DuckDB with this test first, 107 ms without.
 */
export function ownAttribute(d: Dialect, p: Params, key: string): string {
  return `CASE WHEN ${d.contains('attributes', p.add(JSON.stringify(key)))} THEN ${d.jsonText(p, 'attributes', [key])} END`;
}

/**
 * Matches a span whose own attribute `key`, or whose resource's attribute `key`, equals `value`
 * as text. `project` is the placeholder of the project id. Sources are keyed by id, so a source
 * written twice (its rows not merged yet) matches once all the same.
 */
export function attributeEquals(d: Dialect, p: Params, project: string, key: string, value: string): string {
  const v = p.add(value);
  // A span whose attribute equals `value` holds it in its stored text, as a JSON string writes it
  // or (a number, a list) as it is: a substring test skips most spans before any JSON is parsed.
  const escaped = JSON.stringify(value).slice(1, -1);
  const holds = escaped === value ? d.contains('attributes', v) : `(${d.contains('attributes', v)} OR ${d.contains('attributes', p.add(escaped))})`;
  return (
    `((${holds} AND ${d.jsonText(p, 'attributes', [key])} = ${v})` +
    ` OR source_id IN (SELECT source_id FROM ${d.tables.sources} WHERE project_id = ${project}` +
    ` AND ${d.jsonText(p, 'resource', ['attributes', key])} = ${v}))`
  );
}

/**
 * ` AND` the condition that keeps the rows of `origin`'s traces, by their `column` of service
 * names (`service_name` of a span, `first_service` of a trace part); nothing for all of them.
 * Spoor's own traces are wholly of `SPOOR_SERVICE_NAME` (each is a trace of its own), and ingest
 * refuses that service from clients, so one comparison on a column every read already has tells
 * them apart, with no column or migration of its own.
 */
export function originCondition(p: Params, column: string, origin: TraceOrigin | undefined): string {
  if (origin === undefined || origin === 'all') return '';
  return ` AND ${column} ${origin === 'spoor' ? '=' : '<>'} ${p.add(SPOOR_SERVICE_NAME)}`;
}

/**
 * The `WHERE` conditions of a span filter, the project first. Every condition is on a column of
 * `spans` (or a subquery over `sources`).
 */
export function spanConditions(d: Dialect, p: Params, filter: SpanFilter): { project: string; where: string[] } {
  const project = p.add(filter.projectId);
  const where = [`project_id = ${project}`, ...timeFilters(p, 'start_us', filter.range)];
  if (filter.service !== null) where.push(`service_name = ${p.add(filter.service)}`);
  if (filter.spanName !== null) where.push(`name = ${p.add(filter.spanName)}`);
  if (filter.text !== null) where.push(d.ilike('name', p.add(likePattern(filter.text))));
  if (filter.status === 'error') where.push('status_code = 2');
  if (filter.status === 'ok') where.push('status_code <> 2');
  if (filter.minDurationMs !== null) where.push(`duration_us >= ${p.int(Math.ceil(filter.minDurationMs * 1000))}`);
  if (filter.maxDurationMs !== null) where.push(`duration_us <= ${p.int(Math.floor(filter.maxDurationMs * 1000))}`);
  if (filter.sessionId !== null) where.push(`session_id = ${p.add(filter.sessionId)}`);
  if (filter.model !== null) {
    const model = p.add(filter.model);
    where.push(`(llm_request_model = ${model} OR llm_response_model = ${model})`);
  }
  if (filter.kind !== null) where.push(`kind = ${SPAN_KINDS.indexOf(filter.kind)}`);
  if (filter.category !== null) where.push(`category = ${SPAN_CATEGORIES.indexOf(filter.category)}`);
  if (filter.rootOnly) where.push('parent_span_id IS NULL');
  const origin = originCondition(p, 'service_name', filter.origin);
  if (origin !== '') where.push(origin.slice(' AND '.length));
  for (const { key, value } of filter.attributes) where.push(attributeEquals(d, p, project, key, value));
  return { project, where };
}

/**
 * The SQL of a group key over `spans`, and the join it needs after `FROM spans`. An attribute is
 * looked up on the span first, then on its resource (so `service.version` works).
 */
export function groupKey(d: Dialect, p: Params, project: string, by: SpanGroupBy): { key: string; join: string } {
  if ('column' in by) return { key: SPAN_GROUP_COLUMNS[by.column], join: '' };
  const own = ownAttribute(d, p, by.attribute);
  const resource = d.resourceAttribute(p, project, by.attribute);
  return { key: `coalesce(${own}, ${resource.value})`, join: resource.join };
}

/** The `trace_parts` of one trace: its key first (`traceKeyOf`, a number the scan compares cheaply), then its id. */
export function partsOfTrace(p: Params, traceId: string): string {
  return `trace_key = ${traceKeyOf(traceId)} AND trace_id = ${p.add(traceId)}`;
}

/**
 * The most trace ids whose keys `partsOfTraces` lists before the ids: on 7.7M DuckDB parts, 2,000
 * ids took 80 ms by id and 7 with their keys, 10,000 took 97 and 32; the list stays well inside
 * ClickHouse's 256 KiB query text.
 */
const KEYED_IDS = 4096;

/** The `trace_parts` of some traces (at least one): by their keys first where they are few, then by id. */
export function partsOfTraces(p: Params, traceIds: readonly string[]): string {
  const ids = `trace_id IN ${p.texts(traceIds)}`;
  if (traceIds.length > KEYED_IDS) return ids;
  return `trace_key IN (${[...new Set(traceIds.map(traceKeyOf))].join(', ')}) AND ${ids}`;
}
