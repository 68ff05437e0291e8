import type { SpanStatsQuery, TimeseriesMetric, TimeseriesQuery } from '@spoor/model';
import type { RealtimeRecord, SpanStatsRecord, TimeseriesRow } from '../store.js';
import { ChParams, type ChClient } from './client.js';
import { groupKey, spanConditions } from './span-sql.js';

/**
 * Span statistics, charts and the realtime numbers, answering what the DuckDB store answers.
 * Percentiles are exact and interpolated: `quantileExactInclusive` is DuckDB's `quantile_cont`
 * linear between the two closest ranks of (n - 1) * q).
 */

const TOKEN_SUMS = `
  sum(input_tokens) AS sum_input, sum(output_tokens) AS sum_output,
  sum(coalesce(total_tokens, input_tokens + output_tokens)) AS sum_total,
  sum(cache_read_tokens) AS sum_cache_read, sum(cache_creation_tokens) AS sum_cache_creation,
  sum(reasoning_tokens) AS sum_reasoning, sum(cost_usd) AS sum_cost`;

interface StatsRow {
  key: string | null;
  n: number;
  errors: number;
  avg_us: number;
  q: [number, number, number];
  max_us: number;
  sum_input: number | null;
  sum_output: number | null;
  sum_total: number | null;
  sum_cache_read: number | null;
  sum_cache_creation: number | null;
  sum_reasoning: number | null;
  sum_cost: number | null;
}

export async function spanStats(ch: ChClient, query: SpanStatsQuery): Promise<SpanStatsRecord[]> {
  const p = new ChParams();
  const { project, where } = spanConditions(p, ch.tables, query.filter);
  const key = groupKey(p, ch.tables, project, query.groupBy);
  const rows = await ch.rows<StatsRow>(
    'read span statistics',
    `SELECT ${key} AS key, count() AS n, countIf(status_code = 2) AS errors, avg(duration_us) AS avg_us,
       quantilesExactInclusive(0.5, 0.95, 0.99)(duration_us) AS q, max(duration_us) AS max_us, ${TOKEN_SUMS}
     FROM ${ch.tables.spans} WHERE ${where.join(' AND ')}
     GROUP BY key ORDER BY n DESC, key ASC NULLS LAST LIMIT ${p.add(query.limit, 'UInt64')}`,
    p,
  );
  return rows.map((row) => ({
    key: row.key,
    count: row.n,
    errorCount: row.errors,
    avgUs: row.avg_us,
    p50Us: row.q[0],
    p95Us: row.q[1],
    p99Us: row.q[2],
    maxUs: row.max_us,
    inputTokens: row.sum_input,
    outputTokens: row.sum_output,
    totalTokens: row.sum_total,
    cacheReadInputTokens: row.sum_cache_read,
    cacheCreationInputTokens: row.sum_cache_creation,
    reasoningTokens: row.sum_reasoning,
    costUsd: row.sum_cost,
  }));
}

const METRIC_SQL: Record<TimeseriesMetric, string> = {
  count: 'count()',
  errors: 'countIf(status_code = 2)',
  error_rate: 'countIf(status_code = 2) / count()',
  avg: 'avg(duration_us)',
  p50: 'quantileExactInclusive(0.5)(duration_us)',
  p95: 'quantileExactInclusive(0.95)(duration_us)',
  p99: 'quantileExactInclusive(0.99)(duration_us)',
  tokens: 'sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0))',
  cost: 'sum(coalesce(cost_usd, 0))',
};

export async function spanTimeseries(ch: ChClient, query: TimeseriesQuery): Promise<TimeseriesRow[]> {
  const p = new ChParams();
  const { project, where } = spanConditions(p, ch.tables, query.filter);
  const step = p.add(query.stepUs, 'Int64');
  const bucket = `intDiv(start_us, ${step}) * ${step}`;
  const value = METRIC_SQL[query.metric];
  let sql: string;
  if (query.groupBy === null) {
    sql = `SELECT ${bucket} AS bucket, NULL AS key, ${value} AS value
           FROM ${ch.tables.spans} WHERE ${where.join(' AND ')} GROUP BY bucket ORDER BY bucket`;
  } else {
    // Only the groups with the most spans over the whole range get a line of their own. One scan:
    // every (bucket, group) is aggregated, then the groups ranked by their spans in all buckets.
    const key = groupKey(p, ch.tables, project, query.groupBy);
    sql = `SELECT bucket, key, value FROM (
             SELECT bucket, key, value, dense_rank() OVER (ORDER BY total DESC, key ASC NULLS LAST) AS place
             FROM (
               SELECT bucket, key, value, sum(n) OVER (PARTITION BY key) AS total
               FROM (SELECT ${bucket} AS bucket, ${key} AS key, count() AS n, ${value} AS value
                     FROM ${ch.tables.spans} WHERE ${where.join(' AND ')} GROUP BY bucket, key)
             )
           )
           WHERE place <= ${p.add(query.limit, 'UInt64')}
           ORDER BY bucket, key`;
  }
  const rows = await ch.rows<{ bucket: number; key: string | null; value: number | null }>('read a span time series', sql, p);
  return rows.map((row) => ({ bucketUs: row.bucket, key: row.key, value: row.value }));
}

const SECOND_US = 1_000_000;

interface RealtimeRow {
  roots60: number;
  roots300: number;
  errors300: number;
  duration300: number;
  tokens60: number;
  cost300: number;
  cache_hits: number;
  cache_misses: number;
}

export async function realtime(ch: ChClient, projectId: string, service: string | null, nowUs: number): Promise<RealtimeRecord> {
  const p = new ChParams();
  const since60 = p.add(nowUs - 60 * SECOND_US, 'Int64');
  const where = [`project_id = ${p.add(projectId)}`, `end_us >= ${p.add(nowUs - 300 * SECOND_US, 'Int64')}`, `end_us <= ${p.add(nowUs, 'Int64')}`];
  if (service !== null) where.push(`service_name = ${p.add(service)}`);
  const row = await ch.row<RealtimeRow>(
    'read the realtime numbers',
    `SELECT
       countIf(parent_span_id IS NULL AND end_us >= ${since60}) AS roots60,
       countIf(parent_span_id IS NULL) AS roots300,
       countIf(parent_span_id IS NULL AND status_code = 2) AS errors300,
       sumIf(duration_us, parent_span_id IS NULL) AS duration300,
       sumIf(coalesce(input_tokens, 0) + coalesce(output_tokens, 0), end_us >= ${since60}) AS tokens60,
       coalesce(sum(cost_usd), 0) AS cost300,
       countIf(cache_hit = 1) AS cache_hits,
       countIf(cache_hit = -1) AS cache_misses
     FROM ${ch.tables.spans} WHERE ${where.join(' AND ')}`,
    p,
  );
  return {
    roots60: row?.roots60 ?? 0,
    roots300: row?.roots300 ?? 0,
    errors300: row?.errors300 ?? 0,
    durationUs300: row?.duration300 ?? 0,
    tokens60: row?.tokens60 ?? 0,
    cost300: row?.cost300 ?? 0,
    cacheHits: row?.cache_hits ?? 0,
    cacheMisses: row?.cache_misses ?? 0,
  };
}
