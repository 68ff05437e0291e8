/** `traceKeyOf` (store/tables.ts) in DuckDB's SQL, of a column of trace ids: what the migration and re-pricing write. */
export function traceKeySql(column: string): string {
  return `CASE WHEN regexp_matches(${column}, '[0-9a-fA-F]{8}$') THEN CAST('0x' || right(${column}, 8) AS UINTEGER) ELSE 0 END`;
}
