import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { SpanStatsQuery, TimeseriesMetric, TimeseriesQuery } from '@spoor/model';
import type { RealtimeRecord, SpanStatsRecord, TimeseriesRow } from '../store.js';
import { type Columns, mapRows, num, numOrNull } from './read.js';
import { groupKey, spanConditions } from './span-sql.js';
import { SqlParams } from './sql.js';

/** The span statistics, time series and realtime queries of the DuckDB store (the comparison is in compare.ts). */

export async function columnsOf(connection: DuckDBConnection, sql: string, values: DuckDBValue[]): Promise<Columns> {
  const reader = await connection.runAndReadAll(sql, values);
  return reader.getColumnsObjectJS() as Columns;
}

const TOKEN_SUMS = `
  sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
  sum(coalesce(total_tokens, input_tokens + output_tokens)) AS total_tokens,
  sum(cache_read_tokens) AS cache_read_tokens, sum(cache_creation_tokens) AS cache_creation_tokens,
  sum(reasoning_tokens) AS reasoning_tokens, sum(cost_usd) AS cost_usd`;

export async function selectSpanStats(connection: DuckDBConnection, query: SpanStatsQuery): Promise<SpanStatsRecord[]> {
  const p = new SqlParams();
  const { project, where } = spanConditions(p, query.filter);
  const { key, join } = groupKey(p, project, query.groupBy);
  const columns = await columnsOf(
    connection,
    `SELECT ${key} AS key, count(*) AS n, count_if(status_code = 2) AS errors, avg(duration_us) AS avg_us,
       quantile_cont(duration_us, [0.5, 0.95, 0.99]) AS q, max(duration_us) AS max_us, ${TOKEN_SUMS}
     FROM spans ${join} WHERE ${where.join(' AND ')}
     GROUP BY 1 ORDER BY n DESC, key NULLS LAST LIMIT ${p.add(query.limit)}`,
    p.values,
  );
  return mapRows(columns, (row) => {
    const q = row.get('q') as number[];
    return {
      key: (row.get('key') as string | null) ?? null,
      count: num(row.get('n')),
      errorCount: num(row.get('errors')),
      avgUs: num(row.get('avg_us')),
      p50Us: q[0]!,
      p95Us: q[1]!,
      p99Us: q[2]!,
      maxUs: num(row.get('max_us')),
      inputTokens: numOrNull(row.get('input_tokens')),
      outputTokens: numOrNull(row.get('output_tokens')),
      totalTokens: numOrNull(row.get('total_tokens')),
      cacheReadInputTokens: numOrNull(row.get('cache_read_tokens')),
      cacheCreationInputTokens: numOrNull(row.get('cache_creation_tokens')),
      reasoningTokens: numOrNull(row.get('reasoning_tokens')),
      costUsd: numOrNull(row.get('cost_usd')),
    };
  });
}

const METRIC_SQL: Record<TimeseriesMetric, string> = {
  count: 'count(*)',
  errors: 'count_if(status_code = 2)',
  error_rate: 'count_if(status_code = 2) / count(*)',
  avg: 'avg(duration_us)',
  p50: 'quantile_cont(duration_us, 0.5)',
  p95: 'quantile_cont(duration_us, 0.95)',
  p99: 'quantile_cont(duration_us, 0.99)',
  tokens: 'sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0))',
  cost: 'sum(coalesce(cost_usd, 0))',
};

export async function selectSpanTimeseries(connection: DuckDBConnection, query: TimeseriesQuery): Promise<TimeseriesRow[]> {
  const p = new SqlParams();
  const { project, where } = spanConditions(p, query.filter);
  const step = p.add(query.stepUs);
  const value = METRIC_SQL[query.metric];
  let sql: string;
  if (query.groupBy === null) {
    sql = `SELECT (start_us // ${step}::BIGINT) * ${step}::BIGINT AS bucket, NULL AS key, ${value} AS value
           FROM spans WHERE ${where.join(' AND ')} GROUP BY 1 ORDER BY 1`;
  } else {
    // Only the groups with the most spans over the whole range get a line of their own. Rows by
    // bucket and key: the answer lists the series in the order their keys first come.
    const { key, join } = groupKey(p, project, query.groupBy);
    sql = `WITH base AS (SELECT *, ${key} AS group_key FROM spans ${join} WHERE ${where.join(' AND ')}),
           top AS (SELECT group_key FROM base GROUP BY 1 ORDER BY count(*) DESC, group_key NULLS LAST LIMIT ${p.add(query.limit)})
           SELECT (start_us // ${step}::BIGINT) * ${step}::BIGINT AS bucket, group_key AS key, ${value} AS value
           FROM base WHERE EXISTS (SELECT 1 FROM top WHERE top.group_key IS NOT DISTINCT FROM base.group_key)
           GROUP BY 1, 2 ORDER BY 1, 2 NULLS LAST`;
  }
  const columns = await columnsOf(connection, sql, p.values);
  return mapRows(columns, (row) => ({
    bucketUs: num(row.get('bucket')),
    key: (row.get('key') as string | null) ?? null,
    value: numOrNull(row.get('value')),
  }));
}

const SECOND_US = 1_000_000;

export async function selectRealtime(connection: DuckDBConnection, projectId: string, service: string | null, nowUs: number): Promise<RealtimeRecord> {
  const p = new SqlParams();
  const since60 = p.add(nowUs - 60 * SECOND_US);
  const where = [`project_id = ${p.add(projectId)}`, `end_us >= ${p.add(nowUs - 300 * SECOND_US)}::BIGINT`, `end_us <= ${p.add(nowUs)}::BIGINT`];
  if (service !== null) where.push(`service_name = ${p.add(service)}`);
  // `contains` first: only spans that mention the key have their attributes parsed. Counts are
  // `count(*) FILTER`, not `count_if`, which is NULL over no rows.
  const cacheHit = `CASE WHEN contains(attributes, '"cache.hit"') THEN json_extract_string(attributes, '/cache.hit') END`;
  const columns = await columnsOf(
    connection,
    `SELECT
       count(*) FILTER (WHERE parent_span_id IS NULL AND end_us >= ${since60}::BIGINT) AS roots60,
       count(*) FILTER (WHERE parent_span_id IS NULL) AS roots300,
       count(*) FILTER (WHERE parent_span_id IS NULL AND status_code = 2) AS errors300,
       coalesce(sum(duration_us) FILTER (WHERE parent_span_id IS NULL), 0) AS duration300,
       coalesce(sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)) FILTER (WHERE end_us >= ${since60}::BIGINT), 0) AS tokens60,
       coalesce(sum(cost_usd), 0) AS cost300,
       count(*) FILTER (WHERE ${cacheHit} = 'true') AS cache_hits,
       count(*) FILTER (WHERE ${cacheHit} = 'false') AS cache_misses
     FROM spans WHERE ${where.join(' AND ')}`,
    p.values,
  );
  const at = (name: string): number => num(columns[name]![0]);
  return {
    roots60: at('roots60'),
    roots300: at('roots300'),
    errors300: at('errors300'),
    durationUs300: at('duration300'),
    tokens60: at('tokens60'),
    cost300: at('cost300'),
    cacheHits: at('cache_hits'),
    cacheMisses: at('cache_misses'),
  };
}
