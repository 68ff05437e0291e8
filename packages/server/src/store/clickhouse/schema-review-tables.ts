import { JSON_TEXT, LC, type TableDef } from './schema-columns.js';

/**
 * Review queues' tables, appended only (`store/sql/queues.ts` reads the newest row of a queue, the
 * first of an item, and the events in time order). No TTL: a queue's reviews outlive its traces.
 */
export const REVIEW_TABLE_DEFS: readonly TableDef[] = [
  {
    name: 'review_queues',
    columns: `
  project_id ${LC},
  name String,
  spec ${JSON_TEXT},
  filtered Bool,
  created_us Int64,
  time_us Int64,
  deleted Bool`,
    engine: 'MergeTree',
    orderBy: '(project_id, name, time_us)',
    shardBy: 'cityHash64(project_id)',
  },
  {
    name: 'review_items',
    columns: `
  project_id ${LC},
  queue String,
  item_id String,
  kind ${LC},
  trace_id Nullable(String),
  span_id Nullable(String),
  session_id Nullable(String),
  origin ${LC},
  added_us Int64`,
    engine: 'MergeTree',
    orderBy: '(project_id, queue, item_id)',
    shardBy: 'cityHash64(project_id)',
  },
  {
    name: 'review_events',
    columns: `
  project_id ${LC},
  queue String,
  item_id String,
  reviewer String,
  kind ${LC},
  time_us Int64,
  until_us Int64,
  review ${JSON_TEXT}`,
    engine: 'MergeTree',
    orderBy: '(project_id, queue, time_us)',
    shardBy: 'cityHash64(project_id)',
  },
];
