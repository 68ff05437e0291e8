import type { TimeRange } from '@spoor/model';
import type { ChParams } from './client.js';

/** SQL pieces the trace, log and metric reads share. */

/**
 * A case-insensitive "contains" pattern for `ILIKE` with `%`, `_` and `\` taken literally:
 * ClickHouse's LIKE escapes with a backslash, without an `ESCAPE` clause.
 */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `column >= from AND column < to` filters for the ends of the range that are set. */
export function timeFilters(p: ChParams, column: string, range: TimeRange): string[] {
  const filters: string[] = [];
  if (range.fromUs !== null) filters.push(`${column} >= ${p.add(range.fromUs, 'Int64')}`);
  if (range.toUs !== null) filters.push(`${column} < ${p.add(range.toUs, 'Int64')}`);
  return filters;
}

/**
 * The value at `keys` of the JSON text `json` as DuckDB's `json_extract_string` gives it: a
 * string unquoted, a number, boolean, list or map as its JSON text, NULL for a JSON null or a
 * missing key. Each key is one argument, so a key with dots (`http.method`) is one key.
 */
export function jsonText(json: string, keys: string): string {
  return `multiIf(JSONType(${json}, ${keys}) = 'String', JSONExtractString(${json}, ${keys}), JSONType(${json}, ${keys}) = 'Null', NULL, JSONExtractRaw(${json}, ${keys}))`;
}

/**
 * Matches a span whose own attribute `key`, or whose resource's attribute `key`, equals `value`
 * as text. `project` is the placeholder of the project id. Sources are keyed by id, so a source
 * written twice (its rows not merged yet) matches once all the same.
 */
export function attributeEquals(p: ChParams, project: string, key: string, sources: string, value: string): string {
  const v = p.add(value);
  const k = p.add(key);
  // A span whose attribute equals `value` holds it in its stored text, as a JSON string writes it
  // or (a number, a list) as it is: a substring test skips most spans before any JSON is parsed.
  const escaped = JSON.stringify(value).slice(1, -1);
  const holds = escaped === value ? `position(attributes, ${v}) > 0` : `(position(attributes, ${v}) > 0 OR position(attributes, ${p.add(escaped)}) > 0)`;
  return (
    `((${holds} AND ${jsonText('attributes', k)} = ${v})` +
    ` OR source_id IN (SELECT source_id FROM ${sources} WHERE project_id = ${project}` +
    ` AND ${jsonText('resource', `'attributes', ${k}`)} = ${v}))`
  );
}
