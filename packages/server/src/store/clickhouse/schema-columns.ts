/** What the ClickHouse table definitions (`schema-tables.ts`, `schema-quality-tables.ts`) are made of. */

/** Microseconds as the `DateTime` partitions and TTLs use. */
export const dayOf = (column: string): string => `toDate(toDateTime(intDiv(${column}, 1000000), 'UTC'))`;

export interface TableDef {
  name: string;
  columns: string;
  engine: 'MergeTree' | 'ReplacingMergeTree';
  /** ReplacingMergeTree's version (and deleted flag) columns. */
  replacing?: string;
  partitionBy?: string;
  orderBy: string;
  /** The column whose age retention goes by (a record table's TTL). */
  ttlColumn?: string;
  /** The Distributed table's sharding key: rows of one trace, or one key, on one shard. */
  shardBy: string;
  settings?: string;
}

export const LC = 'LowCardinality(String)';
export const LCN = 'LowCardinality(Nullable(String))';
export const JSON_TEXT = 'String CODEC(ZSTD(3))';
// T64 rather than Delta: on the 5M spans of the analytics benchmark, start times took 15.5 MB
// either way, but reading them took a third of the time (35-45 ms against 95-140 ms), and every
// query over a time range reads them.
export const TIME = 'Int64 CODEC(T64, ZSTD(1))';
// Span and trace ids are random hex: LZ4 (the default) barely shrinks them, ZSTD halves them
// (on the 5M spans of bench:analytics, trace_id 28.3 -> 13.8 B/span, span_id 16.1 -> 8.3,
// parent_span_id 15.3 -> 7.9; the spans table 106 -> 77 B/span).
export const ID = 'String CODEC(ZSTD(1))';
export const NULLABLE_ID = 'Nullable(String) CODEC(ZSTD(1))';
