import { ID, LC, TIME, type TableDef, dayOf } from './schema-columns.js';

/** Tail sampling's tables: the policies set through the API, and a decision per trace. */
export const SAMPLING_TABLE_DEFS: readonly TableDef[] = [
  {
    name: 'sampling_policies',
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
    // Appended by the project's lease holder, a trace once; by trace id, so a lookup of a round's
    // traces reads a few granules. Kept as long as the trace's spans (retention by its start).
    name: 'sampling_decisions',
    columns: `
  project_id ${LC},
  trace_id ${ID},
  kept Bool,
  reason ${LC},
  start_us ${TIME},
  end_us ${TIME},
  decided_us Int64`,
    engine: 'MergeTree',
    partitionBy: dayOf('start_us'),
    orderBy: '(project_id, trace_id)',
    ttlColumn: 'start_us',
    shardBy: 'cityHash64(trace_id)',
  },
];
