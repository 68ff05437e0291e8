/** The ClickHouse tables of quality: evaluators (definitions, runs, the runner lease), datasets and experiments. */

import { ID, JSON_TEXT, LC, NULLABLE_ID, TIME, type TableDef, dayOf } from './schema-columns.js';

/** A result's calls without a price; NULL in rows stored before schema 10. */
export const EXPERIMENT_RESULTS_UNPRICED = 'unpriced_calls Nullable(Int64)';

export const QUALITY_TABLE_DEFS: readonly TableDef[] = [
  {
    // A change is a row with a higher row_version; a deletion a row marked deleted, kept so a name made again goes on from its version.
    name: 'evaluators',
    columns: `
  project_id ${LC},
  name String,
  spec String,
  version Int64,
  state ${LC},
  paused_reason Nullable(String),
  created_us Int64,
  updated_us Int64,
  row_version UInt64,
  deleted Bool`,
    engine: 'ReplacingMergeTree',
    replacing: 'row_version',
    orderBy: '(project_id, name)',
    shardBy: 'cityHash64(project_id)',
  },
  {
    // Appended; the newest run of a target counts (store/sql/evaluators.ts).
    name: 'evaluator_runs',
    columns: `
  project_id ${LC},
  evaluator ${LC},
  version Int64,
  trace_id ${ID},
  span_id String,
  ok Bool,
  error Nullable(String),
  cost_usd Float64,
  time_us ${TIME}`,
    engine: 'MergeTree',
    partitionBy: dayOf('time_us'),
    ttlColumn: 'time_us',
    orderBy: '(project_id, evaluator, version, trace_id)',
    // Every run of one trace on one shard, so its newest is found there.
    shardBy: 'cityHash64(trace_id)',
  },
  {
    name: 'evaluator_leases',
    columns: `
  project_id String,
  holder String,
  expires_us Int64,
  version UInt64`,
    engine: 'ReplacingMergeTree',
    replacing: 'version',
    orderBy: 'project_id',
    shardBy: 'cityHash64(project_id)',
  },
  {
    // A row per dataset version, appended (no replacing: every version stays readable).
    name: 'datasets',
    columns: `
  project_id ${LC},
  name String,
  description String,
  version Int64,
  first_version Int64,
  created_us Int64,
  time_us Int64,
  deleted Bool`,
    engine: 'MergeTree',
    orderBy: '(project_id, name, version)',
    shardBy: 'cityHash64(project_id)',
  },
  {
    // A row per change of an item, by the dataset version that made it (store/sql/datasets.ts).
    name: 'dataset_items',
    columns: `
  project_id ${LC},
  dataset String,
  item_id String,
  version Int64,
  created_us Int64,
  time_us Int64,
  input ${JSON_TEXT},
  expected_output Nullable(String) CODEC(ZSTD(3)),
  metadata ${JSON_TEXT},
  source_trace_id Nullable(String),
  source_span_id Nullable(String),
  deleted Bool`,
    engine: 'MergeTree',
    orderBy: '(project_id, dataset, item_id, version)',
    shardBy: 'cityHash64(project_id)',
  },
  {
    // A row per change of an experiment's state, appended; the newest row of an id is the
    // experiment (store/sql/experiments.ts). No TTL: experiments outlive the traces they made.
    name: 'experiments',
    columns: `
  project_id ${LC},
  experiment_id String,
  name String,
  dataset String,
  dataset_version Int64,
  target ${JSON_TEXT},
  evaluators ${JSON_TEXT},
  metadata ${JSON_TEXT},
  state ${LC},
  error Nullable(String),
  item_count Int64,
  created_us Int64,
  time_us Int64,
  finished_us Nullable(Int64),
  deleted Bool`,
    engine: 'MergeTree',
    orderBy: '(project_id, experiment_id, time_us)',
    shardBy: 'cityHash64(project_id)',
  },
  {
    // A row per run of an item, appended; the newest row of an item is its result. No TTL.
    name: 'experiment_results',
    columns: `
  project_id ${LC},
  experiment_id String,
  item_id String,
  trace_id ${NULLABLE_ID},
  span_id ${NULLABLE_ID},
  output Nullable(String) CODEC(ZSTD(3)),
  error Nullable(String) CODEC(ZSTD(3)),
  latency_ms Nullable(Float64),
  input_tokens Nullable(Int64),
  output_tokens Nullable(Int64),
  cost_usd Nullable(Float64),
  time_us Int64,
  ${EXPERIMENT_RESULTS_UNPRICED}`,
    engine: 'MergeTree',
    orderBy: '(project_id, experiment_id, item_id, time_us)',
    shardBy: 'cityHash64(project_id)',
  },
];
