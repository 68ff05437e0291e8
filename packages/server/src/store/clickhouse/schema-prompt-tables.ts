import { JSON_TEXT, LC, type TableDef } from './schema-columns.js';

/**
 * Prompts' tables, appended only (`store/sql/prompts.ts` reads versions by number and label moves
 * in time order). No TTL: a prompt outlives the traces made with it.
 */
export const PROMPT_TABLE_DEFS: readonly TableDef[] = [
  {
    name: 'prompt_versions',
    columns: `
  project_id ${LC},
  name String,
  version Int32,
  body ${JSON_TEXT},
  created_by String,
  created_us Int64`,
    engine: 'MergeTree',
    orderBy: '(project_id, name, version)',
    shardBy: 'cityHash64(project_id)',
  },
  {
    name: 'prompt_events',
    columns: `
  project_id ${LC},
  name String,
  kind ${LC},
  label String,
  split ${JSON_TEXT},
  actor String,
  time_us Int64`,
    engine: 'MergeTree',
    orderBy: '(project_id, name, time_us)',
    shardBy: 'cityHash64(project_id)',
  },
];
