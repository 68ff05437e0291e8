/**
 * The ClickHouse tables, one definition each: columns, engine, order, partitions, retention
 * column and sharding key. `schema.ts` turns them into statements for one server or a cluster.
 * The tables of quality (evaluators, datasets) are in `schema-quality-tables.ts`, the columns
 * the span tables share in `schema-span-columns.ts`.
 */

import { LONGEST_COLUMNS } from '../tables.js';
import { ID, JSON_TEXT, LC, LCN, NULLABLE_ID, TIME, type TableDef, dayOf } from './schema-columns.js';
import { QUALITY_TABLE_DEFS } from './schema-quality-tables.js';
import { SAMPLING_TABLE_DEFS } from './schema-sampling-tables.js';
import { REVIEW_TABLE_DEFS } from './schema-review-tables.js';
import { PROMPT_TABLE_DEFS } from './schema-prompt-tables.js';
import { DASHBOARD_TABLE_DEFS } from './schema-dashboard-tables.js';
import { CACHE_HIT, SPAN_COLUMNS, SPAN_STATS_COLUMNS, SPAN_STATS_RESPONSE_ID, SPAN_STATS_RESPONSE_INDEX } from './schema-span-columns.js';

export type { TableDef } from './schema-columns.js';

/**
 * A part's longest span per category (`TracePart.longestUs`), as column definitions; NULL in parts
 * stored before schema 9, which readers take from `spans`.
 */
/** A part's LLM calls with tokens and no cost (`TracePart.unpricedCalls`); NULL in parts stored before schema 10. */
export const TRACE_PARTS_UNPRICED = 'unpriced_calls Nullable(Int64)';
/**
 * The trace id's last 8 hex digits as a number (tables.ts' traceKeyOf), which the shared reads
 * compare before the id; parts stored before schema 12 have it worked out alike when read.
 */
export const TRACE_PARTS_KEY = "trace_key UInt32 DEFAULT if(match(trace_id, '[0-9a-fA-F]{8}$'), reinterpretAsUInt32(reverse(unhex(right(trace_id, 8)))), 0)";
/**
 * A part's spans' attributes, events and links in UTF-8 bytes (`TracePart.textBytes`), what a
 * trace's detail reads its size from; NULL in parts stored before schema 13, whose traces' sizes
 * are read from their spans.
 */
export const TRACE_PARTS_TEXT_BYTES = 'text_bytes Nullable(Int64)';

export const TRACE_PARTS_LONGEST: readonly string[] = LONGEST_COLUMNS.map((name) => `  ${name} Nullable(Int64)`);

export const TABLE_DEFS: readonly TableDef[] = [
  {
    name: 'spans',
    columns: `
${SPAN_COLUMNS},
  batch_id UInt64 CODEC(T64, ZSTD(1)),
  cache_hit ${CACHE_HIT},
  INDEX trace_idx trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
  INDEX session_idx session_id TYPE bloom_filter(0.01) GRANULARITY 4,
  INDEX start_idx start_us TYPE minmax GRANULARITY 1,
  INDEX end_idx end_us TYPE minmax GRANULARITY 1`,
    engine: 'MergeTree',
    partitionBy: dayOf('start_us'),
    // Five minutes first: most reads are a window of time (alert rules every 15 s over the last
    // minutes, realtime numbers, the dashboard's ranges); within them, by service and name.
    // Ordered by service first, a 5-minute window read ~40% of a day's granules on 5M spans; by
    // hour, 25 granules (205k rows, their attributes parsed for `cache.hit`) for the 17k spans of
    // the realtime window, 55-80 ms; by 5 minutes, 4 granules, 24-30 ms, and the table is smaller
    // (77 -> 63 B/span: a trace's spans lie closer together).
    orderBy: '(project_id, intDiv(start_us, 300000000), service_name, name, start_us)',
    ttlColumn: 'start_us',
    shardBy: 'cityHash64(trace_id)',
  },
  {
    // Tail sampling: the spans of sampled-out traces, moved out of `spans` without
    // what sampling is for (`sql/span-stats.ts`). A trace's spans lie together within five
    // minutes, so its id is stored about once (16 B a span of random hex in `spans`, where rows
    // lie by service and name).
    name: 'span_stats',
    columns: `
${SPAN_STATS_COLUMNS},
  batch_id UInt64 CODEC(T64, ZSTD(1)),
  cache_hit ${CACHE_HIT},
  ${SPAN_STATS_RESPONSE_ID},
  INDEX start_idx start_us TYPE minmax GRANULARITY 1,
  ${SPAN_STATS_RESPONSE_INDEX}`,
    engine: 'MergeTree',
    partitionBy: dayOf('start_us'),
    orderBy: '(project_id, intDiv(start_us, 300000000), trace_id, start_us)',
    ttlColumn: 'start_us',
    shardBy: 'cityHash64(trace_id)',
  },
  {
    name: 'trace_parts',
    columns: `
  project_id ${LC},
  trace_id ${ID},
  start_us ${TIME},
  end_us ${TIME},
  span_count Int64,
  error_count Int64,
  root_name ${LCN},
  root_service ${LCN},
  first_name ${LC},
  first_service ${LC},
  input_tokens Nullable(Int64),
  output_tokens Nullable(Int64),
  cost_usd Nullable(Float64),
  root_failed Nullable(Bool),
  session_id Nullable(String),
  user_id Nullable(String),
${TRACE_PARTS_LONGEST.join(',\n')},
  ${TRACE_PARTS_UNPRICED},
  ${TRACE_PARTS_KEY},
  ${TRACE_PARTS_TEXT_BYTES},
  batch_id UInt64 CODEC(T64, ZSTD(1)),
  INDEX start_idx start_us TYPE minmax GRANULARITY 1`,
    engine: 'MergeTree',
    partitionBy: dayOf('start_us'),
    orderBy: '(project_id, trace_id)',
    ttlColumn: 'end_us',
    shardBy: 'cityHash64(trace_id)',
  },
  {
    name: 'logs',
    columns: `
  project_id ${LC},
  log_id String,
  time_us ${TIME},
  observed_us ${TIME},
  trace_id ${NULLABLE_ID},
  span_id ${NULLABLE_ID},
  flags UInt32,
  severity_number UInt8,
  severity_text ${LC},
  body ${JSON_TEXT},
  body_text ${JSON_TEXT},
  attributes ${JSON_TEXT},
  source_id ${LC},
  service_name ${LC},
  event_name ${LC},
  dropped_attributes UInt32,
  body_bytes Bool,
  batch_id UInt64 CODEC(T64, ZSTD(1)),
  INDEX trace_idx trace_id TYPE bloom_filter(0.001) GRANULARITY 1`,
    engine: 'MergeTree',
    partitionBy: dayOf('time_us'),
    orderBy: '(project_id, time_us)',
    ttlColumn: 'time_us',
    shardBy: 'cityHash64(log_id)',
  },
  {
    name: 'metric_points',
    columns: `
  project_id ${LC},
  name ${LC},
  description ${LC},
  unit ${LC},
  type ${LC},
  temporality ${LC},
  is_monotonic Nullable(Bool),
  service_name ${LC},
  source_id ${LC},
  attributes ${JSON_TEXT},
  start_us Nullable(Int64),
  time_us ${TIME},
  flags UInt32,
  value Nullable(Float64),
  count Nullable(Float64),
  sum Nullable(Float64),
  min Nullable(Float64),
  max Nullable(Float64),
  bucket_counts Array(Float64),
  explicit_bounds Array(Float64),
  scale Nullable(Int32),
  zero_count Nullable(Float64),
  zero_threshold Nullable(Float64),
  positive_offset Nullable(Int32),
  positive_counts Array(Float64),
  negative_offset Nullable(Int32),
  negative_counts Array(Float64),
  quantiles Nullable(String),
  exemplars ${JSON_TEXT},
  int_value Nullable(Int64),
  exact_counts Nullable(String),
  has_bucket_counts Bool,
  has_explicit_bounds Bool,
  has_positive_counts Bool,
  has_negative_counts Bool,
  batch_id UInt64 CODEC(T64, ZSTD(1))`,
    engine: 'MergeTree',
    partitionBy: dayOf('time_us'),
    orderBy: '(project_id, name, service_name, time_us)',
    ttlColumn: 'time_us',
    shardBy: 'cityHash64(name)',
  },
  {
    name: 'errors',
    columns: `
  project_id ${LC},
  fingerprint String,
  time_us ${TIME},
  trace_id Nullable(String),
  span_id Nullable(String),
  parent_span_id Nullable(String),
  service_name ${LC},
  span_name ${LC},
  exception_type ${LC},
  message String,
  message_key String,
  frame Nullable(String),
  provider ${LCN},
  http_status Nullable(Int32),
  error_type ${LCN},
  finish_reason ${LCN},
  tool_name ${LCN},
  source ${LC},
  batch_id UInt64 CODEC(T64, ZSTD(1)),
  INDEX trace_idx trace_id TYPE bloom_filter(0.01) GRANULARITY 1`,
    engine: 'MergeTree',
    partitionBy: dayOf('time_us'),
    orderBy: '(project_id, fingerprint, time_us)',
    ttlColumn: 'time_us',
    shardBy: 'cityHash64(coalesce(trace_id, fingerprint))',
  },
  {
    // Appended like the record tables; a read keeps each score_id's newest row (store/sql/scores.ts).
    name: 'scores',
    columns: `
  project_id ${LC},
  score_id String,
  time_us ${TIME},
  written_us Int64,
  trace_id Nullable(String),
  span_id Nullable(String),
  session_id Nullable(String),
  response_id Nullable(String),
  name ${LC},
  value Nullable(Float64),
  label ${LCN},
  comment Nullable(String),
  source ${LC},
  author ${LC},
  deleted Bool,
  batch_id UInt64 CODEC(T64, ZSTD(1)),
  INDEX trace_idx trace_id TYPE bloom_filter(0.01) GRANULARITY 1`,
    engine: 'MergeTree',
    partitionBy: dayOf('time_us'),
    orderBy: '(project_id, name, time_us)',
    ttlColumn: 'time_us',
    // Every version of a score on one shard, so the newest is found there.
    shardBy: 'cityHash64(score_id)',
  },
  {
    // Running snapshots (store/tables.ts RUNNING_SPANS): few, short-lived (the sweep deletes those
    // a later snapshot or the ended span replaced), read by trace.
    name: 'running_spans',
    columns: `
${SPAN_COLUMNS},
  received_us Int64,
  batch_id UInt64 CODEC(T64, ZSTD(1))`,
    engine: 'MergeTree',
    partitionBy: dayOf('start_us'),
    orderBy: '(project_id, trace_id, span_id, received_us)',
    ttlColumn: 'start_us',
    shardBy: 'cityHash64(trace_id)',
  },
  {
    name: 'llm_responses',
    columns: `
  project_id ${LC},
  response_id ${ID},
  trace_id ${ID},
  span_id ${ID},
  time_us ${TIME},
  batch_id UInt64 CODEC(T64, ZSTD(1))`,
    engine: 'MergeTree',
    partitionBy: dayOf('time_us'),
    orderBy: '(project_id, response_id)',
    ttlColumn: 'time_us',
    shardBy: 'cityHash64(response_id)',
  },
  {
    name: 'sources',
    columns: `
  project_id ${LC},
  source_id String,
  resource ${JSON_TEXT},
  scope ${JSON_TEXT}`,
    engine: 'ReplacingMergeTree',
    replacing: '',
    orderBy: '(project_id, source_id)',
    shardBy: 'cityHash64(source_id)',
  },
  {
    // One row per step of a commit (`writer.ts`): `begun` before its inserts, `committed` after,
    // `abandoned` once a begun commit's rows are deleted.
    name: 'spool_positions',
    columns: `
  server_id String,
  position String,
  segment UInt64,
  offset UInt64,
  batch_id UInt64,
  state ${LC},
  at_us Int64`,
    engine: 'MergeTree',
    orderBy: '(server_id, segment, offset)',
    shardBy: 'cityHash64(server_id)',
  },
  {
    name: 'spoor_meta',
    columns: `
  key String,
  value String,
  version UInt64`,
    engine: 'ReplacingMergeTree',
    replacing: 'version',
    orderBy: 'key',
    shardBy: 'cityHash64(key)',
  },
  {
    name: 'model_prices',
    columns: `
  project_id ${LC},
  model String,
  price String,
  updated_us Int64,
  version UInt64,
  deleted UInt8`,
    engine: 'ReplacingMergeTree',
    replacing: 'version, deleted',
    orderBy: '(project_id, model)',
    shardBy: 'cityHash64(project_id)',
  },
  {
    name: 'api_keys',
    columns: `
  id String,
  project_id ${LC},
  role ${LC},
  name String,
  hash String,
  created_us Int64,
  created_by String,
  revoked_us Nullable(Int64),
  version UInt64`,
    engine: 'ReplacingMergeTree',
    replacing: 'version',
    orderBy: 'id',
    shardBy: 'cityHash64(id)',
  },
  {
    name: 'masking_policies',
    columns: `
  project_id String,
  policy String,
  updated_us Int64,
  version UInt64,
  deleted UInt8`,
    engine: 'ReplacingMergeTree',
    replacing: 'version, deleted',
    orderBy: 'project_id',
    shardBy: 'cityHash64(project_id)',
  },
  {
    name: 'audit_log',
    columns: `
  time_us Int64,
  project_id ${LC},
  key_id String,
  action ${LC},
  target String,
  detail Nullable(String)`,
    engine: 'MergeTree',
    orderBy: '(project_id, time_us)',
    shardBy: 'cityHash64(project_id)',
  },
  {
    name: 'alert_rules',
    columns: `
  project_id ${LC},
  name String,
  spec String,
  created_us Int64,
  updated_us Int64,
  version UInt64,
  deleted UInt8`,
    engine: 'ReplacingMergeTree',
    replacing: 'version, deleted',
    orderBy: '(project_id, name)',
    shardBy: 'cityHash64(project_id)',
  },
  {
    // Default alert rules: a row once a project's defaults were seeded.
    name: 'alert_rule_seeds',
    columns: `
  project_id String,
  seeded_us Int64`,
    engine: 'ReplacingMergeTree',
    replacing: 'seeded_us',
    orderBy: 'project_id',
    shardBy: 'cityHash64(project_id)',
  },
  {
    name: 'alert_state',
    columns: `
  project_id String,
  state String CODEC(ZSTD(3)),
  updated_us Int64,
  version UInt64`,
    engine: 'ReplacingMergeTree',
    replacing: 'version',
    orderBy: 'project_id',
    shardBy: 'cityHash64(project_id)',
  },
  {
    name: 'alert_history',
    columns: `
  project_id ${LC},
  time_us Int64,
  rule String,
  labels String,
  kind ${LC},
  severity ${LC},
  value Nullable(Float64),
  receiver Nullable(String),
  detail Nullable(String),
  seq UInt64`,
    engine: 'MergeTree',
    orderBy: '(project_id, time_us, seq)',
    shardBy: 'cityHash64(project_id)',
  },
  {
    name: 'silences',
    columns: `
  project_id ${LC},
  id String,
  matchers String,
  starts_us Int64,
  ends_us Int64,
  created_by String,
  comment String,
  version UInt64`,
    engine: 'ReplacingMergeTree',
    replacing: 'version',
    orderBy: '(project_id, id)',
    shardBy: 'cityHash64(project_id)',
  },
  {
    name: 'error_group_states',
    columns: `
  project_id ${LC},
  fingerprint String,
  status ${LC},
  updated_us Int64,
  resolved_us Nullable(Int64),
  version UInt64`,
    engine: 'ReplacingMergeTree',
    replacing: 'version',
    orderBy: '(project_id, fingerprint)',
    shardBy: 'cityHash64(project_id)',
  },
  ...QUALITY_TABLE_DEFS,
  // Tail sampling.
  ...SAMPLING_TABLE_DEFS,
  // Review queues.
  ...REVIEW_TABLE_DEFS,
  // Prompts.
  ...PROMPT_TABLE_DEFS,
  // Dashboards.
  ...DASHBOARD_TABLE_DEFS,
];
