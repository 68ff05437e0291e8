import type { DuckDBValue } from '@duckdb/node-api';
import type { TimeRange } from '@spoor/model';

/** Collects positional parameters while a query is built; `add` returns the placeholder. */
export class SqlParams {
  readonly values: DuckDBValue[] = [];

  add(value: string | number): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A JSON pointer (RFC 6901) to a key path; any character in a key is safe. */
export function jsonPointer(keys: string[]): string {
  return keys.map((key) => `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** A case-insensitive "contains" pattern with `%`, `_` and `\` taken literally (ESCAPE '\'). */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `column >= from AND column < to` filters for the ends of the range that are set. */
export function timeFilters(p: SqlParams, column: string, range: TimeRange): string[] {
  const filters: string[] = [];
  if (range.fromUs !== null) filters.push(`${column} >= ${p.add(range.fromUs)}::BIGINT`);
  if (range.toUs !== null) filters.push(`${column} < ${p.add(range.toUs)}::BIGINT`);
  return filters;
}

/**
 * Matches a span whose own attribute `key`, or whose resource's attribute `key`, equals `value`
 * as text. `project` is the placeholder of the project id.
 */
export function attributeEquals(p: SqlParams, project: string, key: string, value: string): string {
  const v = p.add(value);
  return (
    `(json_extract_string(attributes, ${p.add(jsonPointer([key]))}) = ${v}` +
    ` OR source_id IN (SELECT source_id FROM sources WHERE project_id = ${project}` +
    ` AND json_extract_string(resource, ${p.add(jsonPointer(['attributes', key]))}) = ${v}))`
  );
}
