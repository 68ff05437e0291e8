import type { TimeRange } from '@spoor/model';
import type { ChParams, Tables } from './client.js';

/** SQL pieces every area of the ClickHouse store shares. */

/** `column >= from AND column < to` filters for the ends of the range that are set. */
export function timeFilters(p: ChParams, column: string, range: TimeRange): string[] {
  const filters: string[] = [];
  if (range.fromUs !== null) filters.push(`${column} >= ${p.add(range.fromUs, 'Int64')}`);
  if (range.toUs !== null) filters.push(`${column} < ${p.add(range.toUs, 'Int64')}`);
  return filters;
}

/**
 * A case-insensitive "contains" pattern for `ILIKE` with `%`, `_` and `\` taken literally:
 * ClickHouse's LIKE escapes with a backslash, without an `ESCAPE` clause.
 */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A JSON text's value at `keys` as text, what DuckDB's `json_extract_string` gives: a string
 * unquoted, any other value as its JSON text, `NULL` for JSON null or no such key. Each key is a
 * whole member name (`service.version` is one key, not a path).
 */
export function jsonText(p: ChParams, json: string, keys: readonly string[]): string {
  return `JSONExtract(${json}, ${keys.map((key) => p.add(key)).join(', ')}, 'Nullable(String)')`;
}

/**
 * Matches a span whose own attribute `key`, or whose resource's attribute `key`, equals `value`
 * as text. `project` is the placeholder of the project id. Sources are keyed by id, so a source
 * written twice (its rows not merged yet) matches once all the same.
 */
export function attributeEquals(p: ChParams, tables: Tables, project: string, key: string, value: string): string {
  const v = p.add(value);
  // A span whose attribute equals `value` holds it in its stored text, as a JSON string writes it
  // or (a number, a list) as it is: a substring test skips most spans before any JSON is parsed.
  const escaped = JSON.stringify(value).slice(1, -1);
  const holds = escaped === value ? `position(attributes, ${v}) > 0` : `(position(attributes, ${v}) > 0 OR position(attributes, ${p.add(escaped)}) > 0)`;
  return (
    `((${holds} AND ${jsonText(p, 'attributes', [key])} = ${v})` +
    ` OR source_id IN (SELECT source_id FROM ${tables.sources} WHERE project_id = ${project}` +
    ` AND ${jsonText(p, 'resource', ['attributes', key])} = ${v}))`
  );
}
