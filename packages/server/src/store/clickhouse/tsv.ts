/**
 * ClickHouse `TabSeparated` text, for the few rows a commit inserts beside its Native blocks
 * (its new sources, its state rows in `spool_positions`).
 */

/** Characters TabSeparated escapes inside a value. */
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

export function escapeTsv(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/[\\\t\n\r\0]/g, (c) => ESCAPES[c]!) : text;
}
