import type { DuckDBValue } from '@duckdb/node-api';
import type { Row } from '../record-rows.js';
import type { Dialect, Params, SqlEngine, SqlTables } from '../sql/dialect.js';
import type { OnConnection } from './alerts.js';
import { mapRows, columnsOf } from './read.js';
import { errorEventConditions } from './error-events.js';

/** DuckDB's side of the queries written once (`store/sql/`): its parameters, names and functions. */

/** Collects positional parameters while a query is built; each method returns the placeholder. */
export class DuckDbParams implements Params {
  readonly values: DuckDBValue[] = [];

  add(value: string | number | boolean): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  int(value: number): string {
    return `${this.add(value)}::BIGINT`;
  }

  count(value: number): string {
    return this.add(value);
  }

  /**
   * @duckdb/node-api binds a whole JS number as an INTEGER or BIGINT, and one past 2^63 (a score
   * filter's 1e19) fails to bind ("bigint out of int64 range"): such a number goes as its shortest
   * decimal text, which DuckDB casts back to the same double.
   */
  float(value: number): string {
    return `${this.add(Number.isInteger(value) && !Number.isSafeInteger(value) ? String(value) : value)}::DOUBLE`;
  }

  /**
   * A long list as one JSON parameter: DuckDB binds 2,000 parameters for some 50 ms more than one
   * JSON text of the same values (60-90 ms against 19-24 ms, 2,000 trace ids against a
   * 200,000-row table, `node` on this machine), which each of tail sampling's reads of a round
   * paid. A short list stays a list, which DuckDB turns into a filter it pushes into the scan.
   */
  texts(values: readonly string[]): string {
    if (values.length > LIST_TEXTS) return `(SELECT unnest(from_json(${this.add(JSON.stringify(values))}::JSON, '["VARCHAR"]')))`;
    return `(${values.map((value) => this.add(value)).join(', ')})`;
  }

  ints(values: readonly number[]): string {
    return `(SELECT unnest(from_json(${this.add(JSON.stringify(values))}::JSON, '["BIGINT"]')))`;
  }
}

/** The most texts `DuckDbParams.texts` binds one by one. */
const LIST_TEXTS = 64;

/** A JSON pointer (RFC 6901) to a key path; any character in a key is safe. */
export function jsonPointer(keys: readonly string[]): string {
  return keys.map((key) => `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

const TABLES: SqlTables = {
  spans: 'spans',
  span_stats: 'span_stats',
  // The view (duckdb/schema.ts).
  span_facts: 'span_facts',
  trace_parts: 'trace_parts',
  logs: 'logs',
  metric_points: 'metric_points',
  errors: 'errors',
  sources: 'sources',
  audit_log: 'audit_log',
  scores: 'scores',
  llm_responses: 'llm_responses',
  // The view (duckdb/schema.ts).
  response_facts: 'response_facts',
  evaluators: 'evaluators',
  evaluator_runs: 'evaluator_runs',
  datasets: 'datasets',
  dataset_items: 'dataset_items',
  experiments: 'experiments',
  experiment_results: 'experiment_results',
  running_spans: 'running_spans',
  sampling_decisions: 'sampling_decisions',
  review_queues: 'review_queues',
  review_items: 'review_items',
  review_events: 'review_events',
  prompt_versions: 'prompt_versions',
  prompt_events: 'prompt_events',
  dashboards: 'dashboards',
};

export const duckDbDialect: Dialect<DuckDbParams> = {
  params: () => new DuckDbParams(),
  tables: TABLES,
  sources: 'sources',
  intDiv: (a, b) => `((${a}) // (${b}))`,
  distinctFrom: (a, b) => `${a} IS DISTINCT FROM ${b}`,
  contains: (text, needle) => `contains(${text}, ${needle})`,
  ilike: (expr, pattern) => `${expr} ILIKE ${pattern} ESCAPE '\\'`,
  matches: (p, expr, pattern) => `regexp_matches(${expr}, ${p.add(pattern)})`,
  jsonText: (p, json, keys) => `json_extract_string(${json}, ${p.add(jsonPointer(keys))})`,
  nameAt: (names, index) => `[${names.map((n) => `'${n}'`).join(', ')}][${index} + 1]`,
  notNull: (expr) => expr,
  textBytes: (expr) => `strlen(${expr})`,
  noIndex: (expr) => expr,
  ctesComputedOnce: true,
  readsSmallSetsFirst: true,
  partsByStart: false,
  largeInSets: '',

  quantile: (expr, q) => `quantile_cont(${expr}, ${q})`,
  quantiles: (expr, qs) => `quantile_cont(${expr}, [${qs.join(', ')}])`,
  quantileSameBits: (expr, q) => `quantile_cont(${expr}, ${q})`,
  varSamp: (expr) => `var_samp(${expr})`,
  collect: (expr) => `list(${expr})`,
  collectOrdered: (expr, order) => `list(${expr} ORDER BY ${order})`,
  // Cheaper than `list(DISTINCT ...)` per group (error groups: ~100 ms less over a week's 95,000 errors).
  collectDistinct: (expr) => `list_distinct(list(${expr}))`,
  latest: (value, order, n) => `(list(${value} ORDER BY ${order} DESC, ${value}) FILTER (WHERE ${value} IS NOT NULL))[1:${n}]`,
  sortList: (list) => `list_sort(${list})`,
  distinctList: (list) => `list_distinct(${list})`,
  firstPer: (select, partition, order) => `SELECT * FROM (${select}) AS candidates QUALIFY row_number() OVER (PARTITION BY ${partition} ORDER BY ${order}) = 1`,
  // Only the rows whose partition's hash is shared are ranked; the rest are alone in theirs. A window over every row cost
  // more than the join before it (1M scores' versions on the analytics benchmark: 0.5 s of CPU, against 0.15 s to find those
  // shared by grouping the hashes); the rows are computed once (`MATERIALIZED`).
  firstPerMostlyOne: (
    select,
    partition,
    order,
  ) => `WITH first_candidates AS MATERIALIZED (SELECT *, hash(${partition}) AS partition_hash FROM (${select}) AS candidates),
      first_shared AS (SELECT partition_hash FROM first_candidates GROUP BY partition_hash HAVING count(*) > 1)
    SELECT * EXCLUDE (partition_hash) FROM first_candidates WHERE partition_hash NOT IN (SELECT partition_hash FROM first_shared)
    UNION ALL
    SELECT * EXCLUDE (partition_hash) FROM first_candidates WHERE partition_hash IN (SELECT partition_hash FROM first_shared)
      QUALIFY row_number() OVER (PARTITION BY ${partition} ORDER BY ${order}) = 1`,
  // The slots written again are in `replaced_scores` (scores.ts): only their rows are ranked.
  scoreVersions: {
    row: 'rowid',
    older: (project) => `SELECT rowid FROM scores
      WHERE project_id = ${project} AND score_id IN (SELECT score_id FROM replaced_scores WHERE project_id = ${project})
      QUALIFY row_number() OVER (PARTITION BY score_id ORDER BY time_us DESC, written_us DESC) > 1`,
  },
  // Written with each score (score-facts.ts).
  scoredSpanFacts: { source: 'span_source_id', service: 'span_service', start: 'span_start_us' },

  // `contains` first: only spans that mention the key have their attributes parsed.
  cacheHitIs: (hit) => `CASE WHEN contains(attributes, '"cache.hit"') THEN json_extract_string(attributes, '/cache.hit') END = '${hit}'`,
  // One join with the project's sources, each resource parsed once.
  resourceAttribute: (p, project, key) => ({
    value: 'resource_key.value',
    join: `LEFT JOIN (SELECT source_id, json_extract_string(resource, ${p.add(jsonPointer(['attributes', key]))}) AS value FROM sources WHERE project_id = ${project}) AS resource_key USING (source_id)`,
  }),
  // The checks of the `error_events` view (duckdb/schema.ts), against the errors of the traces
  // read alone: over the view, each check built a hash table of every error of every project
  // first (2 s a read at 2,000,000 errors, whatever the range).
  errorEvents: (project, conditions) => `(WITH e AS (SELECT * FROM errors WHERE ${[`project_id = ${project}`, ...conditions].join(' AND ')}),
      near AS (SELECT * FROM errors WHERE project_id = ${project} AND trace_id IN (SELECT trace_id FROM e))
    SELECT e.* FROM e WHERE ${errorEventConditions('near')})`,
  errorStates: (project) => `(SELECT fingerprint, status, resolved_us FROM error_group_states WHERE project_id = ${project})`,

  // Export: `make_timestamptz` of microseconds is exact and ignores the session's time zone.
  timestampOfUs: (us) => `make_timestamptz(${us})`,
  isoOfUs: (us) => `strftime(make_timestamp(${us}), '%Y-%m-%dT%H:%M:%S.%fZ')`,
  jsonMember: (json, key) => `CAST(json_extract(${json}, '${jsonPointer([key]).replaceAll("'", "''")}') AS VARCHAR)`,
};

/** The DuckDB store's way to run the queries written once: each on a connection of its own. */
export class DuckDbSql implements SqlEngine<DuckDbParams> {
  readonly dialect = duckDbDialect;

  constructor(readonly on: OnConnection) {}

  rows<T>(what: string, sql: string, params: DuckDbParams, convert: (row: Row) => T): Promise<T[]> {
    return this.on(what, async (connection) => mapRows(await columnsOf(connection, sql, params.values), convert));
  }
}
