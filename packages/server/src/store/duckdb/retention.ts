import type { DuckDBConnection } from '@duckdb/node-api';
import type { RetainedRecords } from '../store.js';
import { CLEAR_FACTS_OLDER_THAN } from './score-facts.js';

/** Each kind of record, deleted by the time that ends its use. */
const DELETE_OLDER_THAN: Record<RetainedRecords, string> = {
  spans: 'DELETE FROM spans WHERE start_us < $1::BIGINT',
  spanStats: 'DELETE FROM span_stats WHERE start_us < $1::BIGINT',
  traceParts: 'DELETE FROM trace_parts WHERE end_us < $1::BIGINT',
  errors: 'DELETE FROM errors WHERE time_us < $1::BIGINT',
  alertHistory: 'DELETE FROM alert_history WHERE time_us < $1::BIGINT',
  silences: 'DELETE FROM silences WHERE ends_us < $1::BIGINT',
  logs: 'DELETE FROM logs WHERE time_us < $1::BIGINT',
  metricPoints: 'DELETE FROM metric_points WHERE time_us < $1::BIGINT',
  scores: 'DELETE FROM scores WHERE time_us < $1::BIGINT',
  llmResponses: 'DELETE FROM llm_responses WHERE time_us < $1::BIGINT',
  evaluatorRuns: 'DELETE FROM evaluator_runs WHERE time_us < $1::BIGINT',
  // By start, as spans: a span running past the cutoff started before it.
  runningSpans: 'DELETE FROM running_spans WHERE start_us < $1::BIGINT',
  // By the trace's start, as its spans.
  samplingDecisions: 'DELETE FROM sampling_decisions WHERE start_us < $1::BIGINT',
};

/** Deletes every project's records of one kind older than the cutoff; how many. */
export async function deleteRecordsOlderThan(connection: DuckDBConnection, records: RetainedRecords, cutoffUs: number): Promise<number> {
  // The scores' facts of the spans go first: a score whose facts are cleared is read by its span.
  if (records === 'spans' || records === 'spanStats') await connection.run(CLEAR_FACTS_OLDER_THAN, [cutoffUs]);
  return Number((await connection.run(DELETE_OLDER_THAN[records], [cutoffUs])).rowsChanged);
}
