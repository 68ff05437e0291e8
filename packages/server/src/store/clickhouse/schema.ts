import { quoteName } from './client.js';
import { ID, NULLABLE_ID } from './schema-columns.js';
import { CACHE_HIT, SPAN_STATS_RESPONSE_ID, SPAN_STATS_RESPONSE_INDEX, SPAN_STATS_ZSTD_SINCE_8 } from './schema-span-columns.js';
import { EXPERIMENT_RESULTS_UNPRICED } from './schema-quality-tables.js';
import { TABLE_DEFS, TRACE_PARTS_KEY, TRACE_PARTS_LONGEST, TRACE_PARTS_TEXT_BYTES, TRACE_PARTS_UNPRICED } from './schema-tables.js';

/**
 * The ClickHouse schema. Times are epoch microseconds in Int64 columns, as in every engine
 * (`store/tables.ts` lists the shared columns, which come first here and in that order). The
 * record tables are MergeTree, partitioned by day so retention drops whole days, ordered project
 * first for the queries Spoor runs, with a bloom filter on trace ids for the trace detail. Names
 * that repeat (services, span names, models) are `LowCardinality`; JSON text is ZSTD-compressed.
 *
 * Every record table has a `batch_id`: the commit that wrote the row. ClickHouse has no
 * transaction across tables, so a commit records `begun` before its inserts and `committed`
 * after; a commit found begun and never committed (a crash, a lost connection) is deleted by its
 * `batch_id` and written again from the spool (`writer.ts`). That is what makes a batch written
 * twice stored once.
 *
 * Small mutable state (keys, rules, prices, policies, error group states) lives in
 * `ReplacingMergeTree` tables with a version (and a deleted flag where rows go away), read with
 * `FINAL`.
 */
export const CLICKHOUSE_SCHEMA_VERSION = 13;

/**
 * The tables a commit appends rows to, each row with its commit's `batch_id`: what the writer
 * deletes of a commit cut short. `span_stats` too: `spoor migrate` writes it in commits, and the
 * sampling move keeps a moved span's `batch_id`.
 */
export const BATCHED_TABLES = ['spans', 'trace_parts', 'logs', 'metric_points', 'errors', 'scores', 'llm_responses', 'running_spans', 'span_stats'] as const;

/** How a database's tables are laid out: one server's MergeTree tables, or a cluster's. */
export interface SchemaLayout {
  database: string;
  /** `ON CLUSTER` name: replicated tables `<name>_local` on every node, `Distributed` ones in front. */
  cluster: string | null;
}

/** The table statements write to, read from, delete from and alter (the local ones on a cluster). */
export function localName(layout: SchemaLayout, table: string): string {
  return `${quoteName(layout.database)}.${quoteName(layout.cluster === null ? table : `${table}_local`)}`;
}

/** `ON CLUSTER ...` for DDL and mutations, or nothing. */
export function onCluster(layout: SchemaLayout): string {
  return layout.cluster === null ? '' : ` ON CLUSTER ${quoteName(layout.cluster)}`;
}

/** The statements that create the database and every table (idempotent: `IF NOT EXISTS`). */
export function schemaStatements(layout: SchemaLayout): string[] {
  const db = quoteName(layout.database);
  const statements = [`CREATE DATABASE IF NOT EXISTS ${db}${onCluster(layout)}`];
  for (const def of TABLE_DEFS) {
    const local = localName(layout, def.name);
    let engine: string = def.engine;
    if (layout.cluster !== null) {
      // Replicated: each shard's replicas share the table's path in Keeper.
      const path = `'/clickhouse/tables/{shard}/${layout.database}/${def.name}'`;
      engine = `Replicated${def.engine}(${path}, '{replica}'${def.replacing ? `, ${def.replacing}` : ''})`;
    } else if (def.replacing !== undefined) engine = `${def.engine}(${def.replacing})`;
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${local}${onCluster(layout)} (${def.columns}
) ENGINE = ${engine}` +
        (def.partitionBy !== undefined ? `\nPARTITION BY ${def.partitionBy}` : '') +
        `\nORDER BY ${def.orderBy}` +
        (def.settings !== undefined ? `\nSETTINGS ${def.settings}` : ''),
    );
    if (layout.cluster !== null) {
      statements.push(
        `CREATE TABLE IF NOT EXISTS ${db}.${quoteName(def.name)}${onCluster(layout)} AS ${local}
ENGINE = Distributed(${quoteName(layout.cluster)}, ${db}, ${quoteName(`${def.name}_local`)}, ${def.shardBy})`,
      );
    }
  }
  return statements;
}

/** How long each signal's records are kept, in seconds; `null`: kept until deleted. */
export interface RetentionTtl {
  tracesSeconds: number;
  logsSeconds: number;
  metricsSeconds: number;
}

/** Which signal's retention each record table follows. */
const TTL_SIGNAL: Record<string, keyof RetentionTtl> = {
  spans: 'tracesSeconds',
  span_stats: 'tracesSeconds',
  trace_parts: 'tracesSeconds',
  errors: 'tracesSeconds',
  scores: 'tracesSeconds',
  llm_responses: 'tracesSeconds',
  running_spans: 'tracesSeconds',
  evaluator_runs: 'tracesSeconds',
  sampling_decisions: 'tracesSeconds',
  logs: 'logsSeconds',
  metric_points: 'metricsSeconds',
};

/** `ALTER TABLE ... MODIFY TTL` (or `REMOVE TTL`) for every record table: `--retention` as ClickHouse TTLs. */
export function ttlStatements(layout: SchemaLayout, retention: RetentionTtl | null): string[] {
  return TABLE_DEFS.filter((def) => def.ttlColumn !== undefined).map((def) => {
    const table = `${localName(layout, def.name)}${onCluster(layout)}`;
    if (retention === null) return `ALTER TABLE ${table} REMOVE TTL`;
    const seconds = Math.max(1, Math.round(retention[TTL_SIGNAL[def.name]!]));
    return `ALTER TABLE ${table} MODIFY TTL toDateTime(intDiv(${def.ttlColumn}, 1000000), 'UTC') + INTERVAL ${seconds} SECOND`;
  });
}

/**
 * Steps that bring a database written by an older Spoor up to `CLICKHOUSE_SCHEMA_VERSION`, run
 * after the `CREATE ... IF NOT EXISTS` statements, keyed by the version each upgrades from.
 */
export const CLICKHOUSE_MIGRATIONS: readonly { from: number; statements: (layout: SchemaLayout) => string[] }[] = [
  {
    // Parts written before it compute the column from their attributes when it is read.
    from: 1,
    statements: (layout) => addColumn(layout, 'spans', `cache_hit ${CACHE_HIT}`),
  },
  {
    // Rows stored before read as they always did: no bytes body (false), no exact integer (NULL).
    from: 2,
    statements: (layout) => [...addColumn(layout, 'logs', 'body_bytes Bool'), ...addColumn(layout, 'metric_points', 'int_value Nullable(Int64)')],
  },
  {
    // Spans moved before kept no response id: their scores by response id were found in llm_responses, where their rows stayed.
    from: 6,
    statements: (layout) => [
      ...addColumn(layout, 'span_stats', SPAN_STATS_RESPONSE_ID),
      `ALTER TABLE ${localName(layout, 'span_stats')}${onCluster(layout)} ADD INDEX IF NOT EXISTS ${SPAN_STATS_RESPONSE_INDEX.slice('INDEX '.length)}`,
    ],
  },
  {
    // Random ids, and span_stats' counts and amounts, stored with LZ4, which barely shrinks them:
    // ZSTD from now on (a codec is metadata: parts written before keep LZ4 until merged).
    from: 7,
    statements: (layout) => [
      `ALTER TABLE ${localName(layout, 'trace_parts')}${onCluster(layout)} MODIFY COLUMN trace_id ${ID}`,
      `ALTER TABLE ${localName(layout, 'llm_responses')}${onCluster(layout)} MODIFY COLUMN response_id ${ID}`,
      `ALTER TABLE ${localName(layout, 'logs')}${onCluster(layout)} MODIFY COLUMN trace_id ${NULLABLE_ID}, MODIFY COLUMN span_id ${NULLABLE_ID}`,
      `ALTER TABLE ${localName(layout, 'span_stats')}${onCluster(layout)} ${SPAN_STATS_ZSTD_SINCE_8.map((c) => `MODIFY COLUMN ${c}`).join(', ')}`,
    ],
  },
  {
    // Trace parts keep their longest span per category (tail sampling's "slower than" rules);
    // parts stored before hold NULL there, and are read from spans instead.
    from: 8,
    statements: (layout) => TRACE_PARTS_LONGEST.flatMap((column) => addColumn(layout, 'trace_parts', column.trim())),
  },
  {
    // Trace parts and experiment results count their LLM calls without a price; rows stored
    // before hold NULL (read as 0; trace parts until their trace is re-priced). Metric points
    // stored before read as they always did: their counts as the doubles they were stored as.
    from: 9,
    statements: (layout) => [
      ...addColumn(layout, 'trace_parts', TRACE_PARTS_UNPRICED),
      ...addColumn(layout, 'experiment_results', EXPERIMENT_RESULTS_UNPRICED),
      ...addColumn(layout, 'metric_points', 'exact_counts Nullable(String)'),
    ],
  },
  {
    // Trace parts keep their id's last 8 hex digits as a number; for parts stored before, ClickHouse works it out when read.
    from: 11,
    statements: (layout) => addColumn(layout, 'trace_parts', TRACE_PARTS_KEY),
  },
  {
    // Trace parts keep their spans' text bytes, so a trace's detail knows its size without reading
    // its spans; parts stored before hold NULL (no backfill: it would read every span), and their
    // traces' sizes are read from the spans.
    from: 12,
    statements: (layout) => addColumn(layout, 'trace_parts', TRACE_PARTS_TEXT_BYTES),
  },
];

/** `ADD COLUMN` for a table, on the local tables and the Distributed ones in front of them. */
function addColumn(layout: SchemaLayout, table: string, column: string): string[] {
  const statements = [`ALTER TABLE ${localName(layout, table)}${onCluster(layout)} ADD COLUMN IF NOT EXISTS ${column}`];
  if (layout.cluster !== null)
    statements.push(`ALTER TABLE ${quoteName(layout.database)}.${quoteName(table)}${onCluster(layout)} ADD COLUMN IF NOT EXISTS ${column}`);
  return statements;
}
