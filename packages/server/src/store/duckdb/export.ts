import type { DuckDBConnection } from '@duckdb/node-api';
import { BatchBuilder, type TableBatch } from '../columns.js';
import type { SamplingDecision } from '../ports/sampling.js';
import { COPIED_TABLES, type CopiedTableName } from '../tables.js';
import type { OnConnection } from './alerts.js';

/**
 * Reads a DuckDB store's record tables out as the same column batches ingest writes, in row id
 * order and a chunk at a time: what `spoor migrate` copies into another engine, resuming after
 * the last row id it copied. Tail sampling's decisions come out the same way, as records.
 */

/** A chunk of `sampling_decisions`: each row's project and decision, and the last row id read. */
export interface DecisionChunk {
  decisions: Array<{ projectId: string; decision: SamplingDecision }>;
  lastRowId: number;
}

export class DuckDbExporter {
  constructor(private readonly on: OnConnection) {}

  /** Up to `limit` rows of a record table after a row id. */
  chunk(table: CopiedTableName, afterRowId: number, limit: number): Promise<{ batch: TableBatch; lastRowId: number } | null> {
    return this.on(`export ${table}`, (c) => selectTableChunk(c, table, afterRowId, limit));
  }

  /** Up to `limit` sampling decisions after a row id, every project's; `null` when none is left. */
  decisionChunk(afterRowId: number, limit: number): Promise<DecisionChunk | null> {
    return this.on('export sampling decisions', (c) => selectDecisionChunk(c, afterRowId, limit));
  }

  countRows(table: CopiedTableName | 'sampling_decisions'): Promise<number> {
    return this.on(`count ${table}`, (c) => countRows(c, table));
  }

  errorGroupStates(): Promise<Array<{ projectId: string; fingerprint: string; status: string; updatedUs: number }>> {
    return this.on('export error group states', selectErrorGroupStates);
  }

  projects(): Promise<string[]> {
    return this.on('list projects', selectProjects);
  }
}

/** A value as `getColumnsObjectJS` gives it, as the batch builder takes it. */
function numberOf(value: unknown): number | null {
  return value === null || value === undefined ? null : typeof value === 'bigint' ? Number(value) : (value as number);
}

function listOf(value: unknown): number[] | null {
  if (value === null || value === undefined) return null;
  const items = Array.isArray(value) ? value : (value as { items: unknown[] }).items;
  return items.map((v) => numberOf(v) ?? 0);
}

/**
 * Up to `limit` rows of `table` after row id `afterRowId`, as the columns `getColumnsObjectJS`
 * gives, their row ids in `spoor_row_id`; `null` when none is left.
 */
async function rowsAfter(
  connection: DuckDBConnection,
  table: string,
  columns: readonly string[],
  afterRowId: number,
  limit: number,
): Promise<Record<string, unknown[]> | null> {
  // A window of row ids, not `rowid > $1 ORDER BY rowid LIMIT n`: DuckDB scans and sorts the
  // whole table for that (12-57 s per 50,000-row chunk of 5M spans, so a migration went
  // quadratic), while a range reads only its row groups (0.4-0.9 s). A window that deleted rows
  // left empty moves on to the next row id there is.
  const select = `SELECT rowid AS spoor_row_id, ${columns.join(', ')} FROM ${table} WHERE rowid > $1 AND rowid <= $2 ORDER BY rowid`;
  let found = (await connection.runAndReadAll(select, [afterRowId, afterRowId + limit])).getColumnsObjectJS() as Record<string, unknown[]>;
  if ((found.spoor_row_id ?? []).length === 0) {
    const next = (await connection.runAndReadAll(`SELECT min(rowid) AS next FROM ${table} WHERE rowid > $1`, [afterRowId])).getColumnsObjectJS().next![0];
    if (next === null || next === undefined) return null;
    const from = numberOf(next)! - 1;
    found = (await connection.runAndReadAll(select, [from, from + limit])).getColumnsObjectJS() as Record<string, unknown[]>;
  }
  return (found.spoor_row_id ?? []).length === 0 ? null : found;
}

/** Up to `limit` rows of `table` after row id `afterRowId`, as a column batch, and the last row id read; `null` when none is left. */
async function selectTableChunk(
  connection: DuckDBConnection,
  table: CopiedTableName,
  afterRowId: number,
  limit: number,
): Promise<{ batch: TableBatch; lastRowId: number } | null> {
  const specs = COPIED_TABLES[table];
  const columns = await rowsAfter(
    connection,
    table,
    specs.map((s) => s.name),
    afterRowId,
    limit,
  );
  if (columns === null) return null;
  const ids = columns.spoor_row_id!;
  const b = new BatchBuilder(table, specs, ids.length);
  for (let i = 0; i < ids.length; i++) {
    for (const spec of specs) {
      const value = columns[spec.name]![i];
      if (spec.type === 'varchar') b.varchar((value as string | null) ?? null);
      else if (spec.type === 'boolean') b.boolean(value === null || value === undefined ? null : Boolean(value));
      else if (spec.type === 'double[]') b.list(listOf(value));
      else if (spec.type === 'int64') b.int64(value === null || value === undefined ? null : BigInt(value as bigint));
      else b.number(numberOf(value));
    }
    b.endRow();
  }
  return { batch: b.build(), lastRowId: numberOf(ids.at(-1))! };
}

const DECISION_COLUMNS = ['project_id', 'trace_id', 'kept', 'reason', 'start_us', 'end_us', 'decided_us'];

async function selectDecisionChunk(connection: DuckDBConnection, afterRowId: number, limit: number): Promise<DecisionChunk | null> {
  const c = await rowsAfter(connection, 'sampling_decisions', DECISION_COLUMNS, afterRowId, limit);
  if (c === null) return null;
  const ids = c.spoor_row_id!;
  const decisions = ids.map((_, i) => ({
    projectId: c.project_id![i] as string,
    decision: {
      traceId: c.trace_id![i] as string,
      kept: Boolean(c.kept![i]),
      reason: c.reason![i] as string,
      startUs: numberOf(c.start_us![i])!,
      endUs: numberOf(c.end_us![i])!,
      decidedUs: numberOf(c.decided_us![i])!,
    },
  }));
  return { decisions, lastRowId: numberOf(ids.at(-1))! };
}

async function countRows(connection: DuckDBConnection, table: string): Promise<number> {
  const reader = await connection.runAndReadAll(`SELECT count(*) AS n FROM ${table}`);
  return Number(reader.getColumnsObjectJS().n![0]);
}

/** What users decided about error groups, every project's. */
async function selectErrorGroupStates(
  connection: DuckDBConnection,
): Promise<Array<{ projectId: string; fingerprint: string; status: string; updatedUs: number }>> {
  const reader = await connection.runAndReadAll('SELECT project_id, fingerprint, status, updated_us FROM error_group_states ORDER BY updated_us');
  const c = reader.getColumnsObjectJS() as Record<string, unknown[]>;
  return (c.project_id ?? []).map((projectId, i) => ({
    projectId: projectId as string,
    fingerprint: c.fingerprint![i] as string,
    status: c.status![i] as string,
    updatedUs: numberOf(c.updated_us![i])!,
  }));
}

/** Every project that has records, keys or settings. */
async function selectProjects(connection: DuckDBConnection): Promise<string[]> {
  const reader = await connection.runAndReadAll(
    `SELECT project_id FROM sources UNION SELECT project_id FROM api_keys UNION SELECT project_id FROM alert_rules
     UNION SELECT project_id FROM model_prices UNION SELECT project_id FROM audit_log UNION SELECT project_id FROM alert_state
     UNION SELECT project_id FROM datasets UNION SELECT project_id FROM evaluators UNION SELECT project_id FROM experiments ORDER BY 1`,
  );
  return (reader.getColumnsObjectJS().project_id ?? []) as string[];
}
