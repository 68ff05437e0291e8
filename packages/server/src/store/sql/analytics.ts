import type { SpanStatsQuery, TimeseriesMetric, TimeseriesQuery } from '@spoor/model';
import { num, numOrNull } from '../record-rows.js';
import type { RealtimeRecord, SpanStatsRecord, TimeseriesRow } from '../store.js';
import type { Dialect, SqlEngine } from './dialect.js';
import { UNPRICED_CALL } from './pricing.js';
import { groupKey, originCondition, spanConditions } from './filters.js';

/** Span statistics, charts and the realtime numbers (the release comparison is in compare.ts). */

/** Token and cost sums of a group of spans; NULL where no span of the group has one. */
const TOKEN_SUMS = `
  sum(input_tokens) AS sum_input, sum(output_tokens) AS sum_output,
  sum(coalesce(total_tokens, input_tokens + output_tokens)) AS sum_total,
  sum(cache_read_tokens) AS sum_cache_read, sum(cache_creation_tokens) AS sum_cache_creation,
  sum(reasoning_tokens) AS sum_reasoning, sum(cost_usd) AS sum_cost`;

export function spanStats(db: SqlEngine, query: SpanStatsQuery): Promise<SpanStatsRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const { project, where } = spanConditions(d, p, query.filter);
  const { key, join } = groupKey(d, p, project, query.groupBy);
  return db.rows(
    'compute span statistics',
    `SELECT ${key} AS key, count(*) AS n, countIf(status_code = 2) AS errors, avg(duration_us) AS avg_us,
       ${d.quantiles('duration_us', [0.5, 0.95, 0.99])} AS q, max(duration_us) AS max_us, ${TOKEN_SUMS},
       countIf(${UNPRICED_CALL}) AS unpriced
     FROM ${d.tables.span_facts} ${join} WHERE ${where.join(' AND ')}
     GROUP BY key ORDER BY n DESC, key ASC NULLS LAST LIMIT ${p.count(query.limit)}`,
    p,
    (row) => {
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
        inputTokens: numOrNull(row.get('sum_input')),
        outputTokens: numOrNull(row.get('sum_output')),
        totalTokens: numOrNull(row.get('sum_total')),
        cacheReadInputTokens: numOrNull(row.get('sum_cache_read')),
        cacheCreationInputTokens: numOrNull(row.get('sum_cache_creation')),
        reasoningTokens: numOrNull(row.get('sum_reasoning')),
        costUsd: numOrNull(row.get('sum_cost')),
        unpricedCalls: num(row.get('unpriced')),
      };
    },
  );
}

function metricSql(d: Dialect, metric: TimeseriesMetric): string {
  switch (metric) {
    case 'count':
      return 'count(*)';
    case 'errors':
      return 'countIf(status_code = 2)';
    case 'error_rate':
      return 'countIf(status_code = 2) / count(*)';
    case 'avg':
      return 'avg(duration_us)';
    case 'p50':
      return d.quantile('duration_us', 0.5);
    case 'p95':
      return d.quantile('duration_us', 0.95);
    case 'p99':
      return d.quantile('duration_us', 0.99);
    case 'tokens':
      return 'sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0))';
    case 'cost':
      return 'sum(coalesce(cost_usd, 0))';
  }
}

export function spanTimeseries(db: SqlEngine, query: TimeseriesQuery): Promise<TimeseriesRow[]> {
  const d = db.dialect;
  const p = d.params();
  const { project, where } = spanConditions(d, p, query.filter);
  const step = p.int(query.stepUs);
  const bucket = `${d.intDiv('start_us', step)} * ${step}`;
  const value = metricSql(d, query.metric);
  let sql: string;
  if (query.groupBy === null) {
    sql = `SELECT ${bucket} AS bucket, NULL AS key, ${value} AS value
           FROM ${d.tables.span_facts} WHERE ${where.join(' AND ')} GROUP BY bucket ORDER BY bucket`;
  } else {
    // Only the groups with the most spans over the whole range get a line of their own. One scan:
    // every (bucket, group) is aggregated, then the groups ranked by their spans in all buckets.
    const { key, join } = groupKey(d, p, project, query.groupBy);
    sql = `SELECT bucket, key, value FROM (
             SELECT bucket, key, value, dense_rank() OVER (ORDER BY total DESC, key ASC NULLS LAST) AS place
             FROM (
               SELECT bucket, key, value, sum(n) OVER (PARTITION BY key) AS total
               FROM (SELECT ${bucket} AS bucket, ${key} AS key, count(*) AS n, ${value} AS value
                     FROM ${d.tables.span_facts} ${join} WHERE ${where.join(' AND ')} GROUP BY bucket, key) AS groups
             ) AS totals
           ) AS ranked
           WHERE place <= ${p.count(query.limit)}
           ORDER BY bucket, key ASC NULLS LAST`;
  }
  return db.rows('compute a time series', sql, p, (row) => ({
    bucketUs: num(row.get('bucket')),
    key: (row.get('key') as string | null) ?? null,
    value: numOrNull(row.get('value')),
  }));
}

const SECOND_US = 1_000_000;

/** Root spans, errors, tokens, cost and cache hits of the spans that ended in the last 60 and 300 s. */
export async function realtime(db: SqlEngine, projectId: string, service: string | null, nowUs: number): Promise<RealtimeRecord> {
  const d = db.dialect;
  const p = d.params();
  const since60 = p.int(nowUs - 60 * SECOND_US);
  const where = [`project_id = ${p.add(projectId)}`, `end_us >= ${p.int(nowUs - 300 * SECOND_US)}`, `end_us <= ${p.int(nowUs)}`];
  // The app's numbers: Spoor's own calls (judges, experiments, replays) are not its traffic.
  if (service !== null) where.push(`service_name = ${p.add(service)}`);
  else where.push(originCondition(p, 'service_name', 'app').slice(' AND '.length));
  // `count(*) FILTER`, not `countIf`: DuckDB's is NULL over no rows.
  const [row] = await db.rows(
    'compute realtime numbers',
    `SELECT
       count(*) FILTER (WHERE parent_span_id IS NULL AND end_us >= ${since60}) AS roots60,
       count(*) FILTER (WHERE parent_span_id IS NULL) AS roots300,
       count(*) FILTER (WHERE parent_span_id IS NULL AND status_code = 2) AS errors300,
       coalesce(sum(duration_us) FILTER (WHERE parent_span_id IS NULL), 0) AS duration300,
       coalesce(sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)) FILTER (WHERE end_us >= ${since60}), 0) AS tokens60,
       coalesce(sum(cost_usd), 0) AS cost300,
       count(*) FILTER (WHERE ${UNPRICED_CALL}) AS unpriced300,
       count(*) FILTER (WHERE ${d.cacheHitIs(true)}) AS cache_hits,
       count(*) FILTER (WHERE ${d.cacheHitIs(false)}) AS cache_misses
     FROM ${d.tables.span_facts} WHERE ${where.join(' AND ')}`,
    p,
    (r) => ({
      roots60: num(r.get('roots60')),
      roots300: num(r.get('roots300')),
      errors300: num(r.get('errors300')),
      durationUs300: num(r.get('duration300')),
      tokens60: num(r.get('tokens60')),
      cost300: num(r.get('cost300')),
      unpriced300: num(r.get('unpriced300')),
      cacheHits: num(r.get('cache_hits')),
      cacheMisses: num(r.get('cache_misses')),
    }),
  );
  return row ?? { roots60: 0, roots300: 0, errors300: 0, durationUs300: 0, tokens60: 0, cost300: 0, unpriced300: 0, cacheHits: 0, cacheMisses: 0 };
}
