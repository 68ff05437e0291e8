import type { RetainedRecords } from '../store.js';
import { ChParams, type ChClient } from './client.js';
import { type SchemaLayout, localName, onCluster } from './schema.js';

/** Each kind of record: its table, the time that ends its use, and whether its table is partitioned by day of that time. */
const RETAINED: Record<
  Exclude<RetainedRecords, 'silences'>,
  {
    table:
      | 'spans'
      | 'span_stats'
      | 'trace_parts'
      | 'errors'
      | 'alert_history'
      | 'logs'
      | 'metric_points'
      | 'scores'
      | 'llm_responses'
      | 'evaluator_runs'
      | 'running_spans'
      | 'sampling_decisions';
    column: string;
    byDay: boolean;
  }
> = {
  spans: { table: 'spans', column: 'start_us', byDay: true },
  spanStats: { table: 'span_stats', column: 'start_us', byDay: true },
  // Partitioned by start, deleted by end: a day of parts may hold one that ends after the cutoff.
  traceParts: { table: 'trace_parts', column: 'end_us', byDay: false },
  errors: { table: 'errors', column: 'time_us', byDay: true },
  alertHistory: { table: 'alert_history', column: 'time_us', byDay: false },
  logs: { table: 'logs', column: 'time_us', byDay: true },
  metricPoints: { table: 'metric_points', column: 'time_us', byDay: true },
  scores: { table: 'scores', column: 'time_us', byDay: true },
  llmResponses: { table: 'llm_responses', column: 'time_us', byDay: true },
  evaluatorRuns: { table: 'evaluator_runs', column: 'time_us', byDay: true },
  runningSpans: { table: 'running_spans', column: 'start_us', byDay: true },
  samplingDecisions: { table: 'sampling_decisions', column: 'start_us', byDay: true },
};

const DAY_US = 86_400_000_000;
/** The last day `toDateTime` holds (2106-02-06): past it, days saturate into one partition. */
const LAST_DAY_US = Math.floor((2 ** 32 - 1) / 86_400) * DAY_US - DAY_US;

/**
 * Deletes every project's records of one kind older than the cutoff; how many. The count is
 * taken just before the delete: rows that arrive older than the cutoff in between are deleted
 * and not counted.
 */
export async function deleteOlderThan(ch: ChClient, layout: SchemaLayout, records: RetainedRecords, cutoffUs: number): Promise<number> {
  if (records === 'silences') return deleteEndedSilences(ch, layout, cutoffUs);
  const { table, column, byDay } = RETAINED[records];
  const target = `${localName(layout, table)}${onCluster(layout)}`;
  // The cutoff's day (UTC): the days before it hold nothing but records older than the cutoff.
  const dayUs = Math.floor(cutoffUs / DAY_US) * DAY_US;
  const p = new ChParams();
  const count = await ch.row<{ n: number; partial: number }>(
    `count the ${table} to delete`,
    `SELECT count() AS n, countIf(${column} >= ${p.add(dayUs, 'Int64')}) AS partial FROM ${ch.tables[table]} WHERE ${column} < ${p.add(cutoffUs, 'Int64')}`,
    p,
  );
  const n = count?.n ?? 0;
  if (n === 0) return 0;
  let rest = n;
  if (byDay && dayUs > 0 && dayUs <= LAST_DAY_US) {
    // Whole days go with their partition: no rewrite, unlike a delete. A day's partition id is
    // its `YYYYMMDD` (the partition key is the UTC date of the column, `schema.ts`).
    const days = await ch.rows<{ id: string }>(
      `list the days of ${table} to drop`,
      `SELECT DISTINCT toString(toYYYYMMDD(toDate(toDateTime(intDiv(${column}, 1000000), 'UTC')))) AS id FROM ${ch.tables[table]} WHERE ${column} < {day:Int64}`,
      { day: dayUs },
    );
    const ids = days.map((d) => d.id).filter((id) => /^\d{8}$/.test(id));
    if (ids.length > 0) await ch.command(`drop old days of ${table}`, `ALTER TABLE ${target} ${ids.map((id) => `DROP PARTITION ID '${id}'`).join(', ')}`);
    rest = count?.partial ?? 0;
  }
  if (rest > 0) await ch.command(`delete old ${table}`, `DELETE FROM ${target} WHERE ${column} < {cutoff:Int64}`, { cutoff: cutoffUs });
  return n;
}

/**
 * Silences are versioned rows: a silence goes when its newest version ended before the cutoff,
 * with every older version (deleting by each row's own end could bring an older version back).
 * Versions written after the silences were read stay: the silence was changed meanwhile.
 */
async function deleteEndedSilences(ch: ChClient, layout: SchemaLayout, cutoffUs: number): Promise<number> {
  const ended = await ch.rows<{ key: string; version: number }>(
    'find the silences that ended',
    `SELECT concat(project_id, '/', id) AS key, version FROM ${ch.tables.silences} FINAL WHERE ends_us < {cutoff:Int64}`,
    { cutoff: cutoffUs },
  );
  if (ended.length === 0) return 0;
  const p = new ChParams();
  const keys = p.add(
    ended.map((s) => s.key),
    'Array(String)',
  );
  const versions = p.add(
    ended.map((s) => s.version),
    'Array(UInt64)',
  );
  await ch.command(
    'delete the silences that ended',
    `DELETE FROM ${localName(layout, 'silences')}${onCluster(layout)}
     WHERE concat(project_id, '/', id) IN ${keys} AND version <= transform(concat(project_id, '/', id), ${keys}, ${versions}, toUInt64(0))`,
    p,
  );
  return ended.length;
}
