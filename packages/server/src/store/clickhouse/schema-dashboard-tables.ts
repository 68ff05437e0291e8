import { JSON_TEXT, LC, type TableDef } from './schema-columns.js';

/** Dashboards' table, appended only (`store/sql/dashboards.ts`). No TTL: a dashboard outlives the data it shows. */
export const DASHBOARD_TABLE_DEFS: readonly TableDef[] = [
  {
    name: 'dashboards',
    columns: `
  project_id ${LC},
  name String,
  version Int32,
  document ${JSON_TEXT},
  deleted Bool,
  author String,
  time_us Int64`,
    engine: 'MergeTree',
    orderBy: '(project_id, name, time_us)',
    shardBy: 'cityHash64(project_id)',
  },
];
