import { EXPERIMENT_STATES, type ExperimentState } from '@spoor/model';
import { type Row, isTrue, num, numOrNull } from '../record-rows.js';
import type { ExperimentRecord, ExperimentResultRecord, ExperimentResultTotals } from '../ports/experiments.js';
import type { Dialect, Params, SqlEngine } from './dialect.js';

/**
 * Experiments' reads, and the rows both engines write, for every engine. Both tables are
 * appended: an experiment's row per change of its state, an item's result per run. An experiment
 * is its newest row (by time, then by state rank, so a finish and a deletion written in one
 * microsecond read as the deletion), left out once that row is a deletion; an item's result is
 * its newest row by time.
 */

const EXPERIMENT_COLUMNS =
  'experiment_id, name, dataset, dataset_version, target, evaluators, metadata, state, error, item_count, created_us, time_us, finished_us, deleted';
const RESULT_COLUMNS = 'experiment_id, item_id, trace_id, span_id, output, error, latency_ms, input_tokens, output_tokens, cost_usd, time_us, unpriced_calls';
/** Which of two rows of one microsecond is the later: deleted > failed > done > running. */
const STATE_RANK = `CASE WHEN deleted THEN 3 WHEN state = 'failed' THEN 2 WHEN state = 'done' THEN 1 ELSE 0 END`;
const EXPERIMENT_ORDER = `time_us DESC, ${STATE_RANK} DESC`;
const RESULT_ORDER = 'time_us DESC';

/** An experiment's row of `experiments` (without its project), as both engines write it. */
export function experimentRow(e: ExperimentRecord): Record<string, unknown> {
  return {
    experiment_id: e.experimentId,
    name: e.name,
    dataset: e.dataset,
    dataset_version: e.datasetVersion,
    target: e.target,
    evaluators: e.evaluators,
    metadata: e.metadata,
    state: e.state,
    error: e.error,
    item_count: e.itemCount,
    created_us: e.createdUs,
    time_us: e.timeUs,
    finished_us: e.finishedUs,
    deleted: e.deleted,
  };
}

/** A result as a row of `experiment_results` (without its project), as both engines write it. */
export function resultRow(r: ExperimentResultRecord): Record<string, unknown> {
  return {
    experiment_id: r.experimentId,
    item_id: r.itemId,
    trace_id: r.traceId,
    span_id: r.spanId,
    output: r.output,
    error: r.error,
    latency_ms: r.latencyMs,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    cost_usd: r.costUsd,
    time_us: r.timeUs,
    unpriced_calls: r.unpricedCalls,
  };
}

const text = (value: unknown): string | null => (value as string | null | undefined) ?? null;

/** A double column that may hold NaN or an infinity, read as unknown. */
function finiteOrNull(value: unknown): number | null {
  const n = numOrNull(value);
  return n !== null && Number.isFinite(n) ? n : null;
}

function experimentOf(row: Row): ExperimentRecord {
  const state = row.get('state') as string;
  return {
    experimentId: row.get('experiment_id') as string,
    name: row.get('name') as string,
    dataset: row.get('dataset') as string,
    datasetVersion: num(row.get('dataset_version')),
    target: row.get('target') as string,
    evaluators: row.get('evaluators') as string,
    metadata: row.get('metadata') as string,
    // A state this Spoor does not know (written by a newer one) reads as stopped, not as running.
    state: (EXPERIMENT_STATES as readonly string[]).includes(state) ? (state as ExperimentState) : 'failed',
    error: text(row.get('error')),
    itemCount: num(row.get('item_count')),
    createdUs: num(row.get('created_us')),
    timeUs: num(row.get('time_us')),
    finishedUs: numOrNull(row.get('finished_us')),
    deleted: isTrue(row.get('deleted')),
  };
}

function resultOf(row: Row): ExperimentResultRecord {
  return {
    experimentId: row.get('experiment_id') as string,
    itemId: row.get('item_id') as string,
    traceId: text(row.get('trace_id')),
    spanId: text(row.get('span_id')),
    output: text(row.get('output')),
    error: text(row.get('error')),
    latencyMs: finiteOrNull(row.get('latency_ms')),
    inputTokens: numOrNull(row.get('input_tokens')),
    outputTokens: numOrNull(row.get('output_tokens')),
    costUsd: finiteOrNull(row.get('cost_usd')),
    timeUs: num(row.get('time_us')),
    unpricedCalls: numOrNull(row.get('unpriced_calls')),
  };
}

/**
 * The newest row of each of the project's experiments that meet `conditions`, deletions included.
 * The conditions must hold alike for every row of an experiment (its id, name or dataset, never
 * its state or time), or an older row could stand in for a newer one.
 */
function latestExperiments(d: Dialect, p: Params, projectId: string, conditions: readonly string[]): string {
  const where = [`project_id = ${p.add(projectId)}`, ...conditions].join(' AND ');
  return d.firstPer(`SELECT ${EXPERIMENT_COLUMNS} FROM ${d.tables.experiments} WHERE ${where}`, 'experiment_id', EXPERIMENT_ORDER);
}

export async function getExperiment(db: SqlEngine, projectId: string, experimentId: string): Promise<ExperimentRecord | null> {
  const d = db.dialect;
  const p = d.params();
  const [newest] = await db.rows(
    'read an experiment',
    `SELECT ${EXPERIMENT_COLUMNS} FROM ${d.tables.experiments} WHERE project_id = ${p.add(projectId)} AND experiment_id = ${p.add(experimentId)} ORDER BY ${EXPERIMENT_ORDER} LIMIT 1`,
    p,
    experimentOf,
  );
  return newest === undefined || newest.deleted ? null : newest;
}

export async function latestByName(db: SqlEngine, projectId: string, name: string): Promise<ExperimentRecord | null> {
  const d = db.dialect;
  const p = d.params();
  const latest = latestExperiments(d, p, projectId, [`name = ${p.add(name)}`]);
  const [found] = await db.rows(
    'read an experiment by name',
    `SELECT * FROM (${latest}) AS latest WHERE NOT deleted ORDER BY created_us DESC, experiment_id DESC LIMIT 1`,
    p,
    experimentOf,
  );
  return found ?? null;
}

export function listExperiments(db: SqlEngine, projectId: string, dataset: string | null, limit: number): Promise<ExperimentRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const latest = latestExperiments(d, p, projectId, dataset === null ? [] : [`dataset = ${p.add(dataset)}`]);
  return db.rows(
    'list experiments',
    `SELECT * FROM (${latest}) AS latest WHERE NOT deleted ORDER BY created_us DESC, experiment_id DESC LIMIT ${p.count(limit)}`,
    p,
    experimentOf,
  );
}

/** The newest result of each item of these experiments, after `afterItemId` when given. */
function latestResults(d: Dialect, p: Params, projectId: string, experimentIds: readonly string[], afterItemId: string | null): string {
  const where = [`project_id = ${p.add(projectId)}`, `experiment_id IN ${p.texts(experimentIds)}`];
  if (afterItemId !== null) where.push(`item_id > ${p.add(afterItemId)}`);
  return d.firstPer(`SELECT ${RESULT_COLUMNS} FROM ${d.tables.experiment_results} WHERE ${where.join(' AND ')}`, 'experiment_id, item_id', RESULT_ORDER);
}

export function listResults(
  db: SqlEngine,
  projectId: string,
  experimentId: string,
  afterItemId: string | null,
  limit: number,
): Promise<ExperimentResultRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const latest = latestResults(d, p, projectId, [experimentId], afterItemId);
  return db.rows('read experiment results', `SELECT * FROM (${latest}) AS latest ORDER BY item_id LIMIT ${p.count(limit)}`, p, resultOf);
}

export function resultTotals(db: SqlEngine, projectId: string, experimentIds: readonly string[]): Promise<ExperimentResultTotals[]> {
  if (experimentIds.length === 0) return Promise.resolve([]);
  const d = db.dialect;
  const p = d.params();
  const latest = latestResults(d, p, projectId, experimentIds, null);
  // Aggregates skip NULLs, and are NULL over none: a total no result knows stays unknown.
  return db.rows(
    'add up experiment results',
    `SELECT experiment_id, count(*) AS n_done, countIf(error IS NOT NULL) AS n_errored, sum(input_tokens) AS sum_input_tokens,
       sum(output_tokens) AS sum_output_tokens, sum(cost_usd) AS sum_cost_usd, coalesce(sum(unpriced_calls), 0) AS sum_unpriced, avg(latency_ms) AS mean_latency_ms
     FROM (${latest}) AS latest GROUP BY experiment_id ORDER BY experiment_id`,
    p,
    (row) => ({
      experimentId: row.get('experiment_id') as string,
      done: num(row.get('n_done')),
      errored: num(row.get('n_errored')),
      inputTokens: numOrNull(row.get('sum_input_tokens')),
      outputTokens: numOrNull(row.get('sum_output_tokens')),
      costUsd: finiteOrNull(row.get('sum_cost_usd')),
      unpricedCalls: num(row.get('sum_unpriced')),
      latencyMsMean: finiteOrNull(row.get('mean_latency_ms')),
    }),
  );
}

export async function allRows(db: SqlEngine, projectId: string): Promise<{ experiments: ExperimentRecord[]; results: ExperimentResultRecord[] }> {
  const d = db.dialect;
  const p = d.params();
  const experiments = await db.rows(
    'read experiments',
    `SELECT ${EXPERIMENT_COLUMNS} FROM ${d.tables.experiments} WHERE project_id = ${p.add(projectId)} ORDER BY experiment_id, time_us, ${STATE_RANK}`,
    p,
    experimentOf,
  );
  const q = d.params();
  const results = await db.rows(
    'read experiment results',
    `SELECT ${RESULT_COLUMNS} FROM ${d.tables.experiment_results} WHERE project_id = ${q.add(projectId)} ORDER BY experiment_id, item_id, time_us`,
    q,
    resultOf,
  );
  return { experiments, results };
}
