import type { Row } from '../record-rows.js';
import type { Dialect, SqlEngine } from '../sql/dialect.js';
import { type ChClient, ChParams, type Tables } from './client.js';
import { errorEventsSql, errorStatesSql } from './error-events.js';

/** ClickHouse's side of the queries written once (`store/sql/`): its parameters, names and functions. */

/**
 * DuckDB's `quantile_cont` to the last bit: at rank r = (n - 1)·q between the values of ranks
 * ⌊r⌋ and ⌈r⌉, lo·(1 - d) + hi·d with d = r - ⌊r⌋. ClickHouse's `quantileExactInclusive` is
 * the same definition, but its lo + (hi - lo)·d differed in the last bit in a third of the groups
 * of the bench data; sorting the group's values costs a few ms more per 200,000 spans. (The
 * sorted array is one expression however often it is written: ClickHouse computes it once.)
 */
function quantileSameBits(expr: string, q: number): string {
  const sorted = `arraySort(groupArray(${expr}))`;
  // The values' count, not the rows': `groupArray` leaves NULLs out (a score with a label only has no value).
  const rank = `((count(${expr}) - 1) * ${q})`;
  const d = `(${rank} - floor(${rank}))`;
  return `${sorted}[toUInt64(floor(${rank})) + 1] * (1 - ${d}) + ${sorted}[toUInt64(ceil(${rank})) + 1] * ${d}`;
}

/**
 * The attribute `key` of the span's resource as text, from a map of the project's resources made
 * once per query as one scalar subquery (sent along to every shard of a cluster), so no join is
 * needed. Only the resources that carry the key are in it (`groupArray` leaves NULLs out); the
 * others map to NULL.
 */
function resourceAttribute(tables: Tables, p: ChParams, project: string, key: string): string {
  const values = `(SELECT (groupArray(source_id), groupArray(assumeNotNull(value)))
    FROM (SELECT source_id, ${jsonText(p, 'resource', ['attributes', key])} AS value FROM ${tables.sources} FINAL WHERE project_id = ${project}) WHERE value IS NOT NULL)`;
  return `transform(toString(source_id), tupleElement(${values}, 1), tupleElement(${values}, 2), CAST(NULL, 'Nullable(String)'))`;
}

/** `JSONExtract` to `Nullable(String)` gives what DuckDB's `json_extract_string` gives, in one parse. */
const jsonText = (p: ChParams, json: string, keys: readonly string[]): string =>
  `JSONExtract(${json}, ${keys.map((key) => p.add(key)).join(', ')}, 'Nullable(String)')`;

/**
 * Above this many values an `IN` set of trace ids is not matched against the primary key: at 5M
 * spans, a trace list filter that 450,000 traces pass took 1.1 s that way and 0.35 s without, and
 * a week's sessions matched 198,000 trace ids for 0.7-0.9 s where reading `trace_parts` whole
 * takes ~60 ms (bench:analytics: the query 1.66 s -> 0.85-0.95 s). A set of a few traces, such
 * as one session's runs, still gains from the key (under 20 ms).
 */
const MAX_INDEXED_IN_SET = 10_000;

/** The dialect over one database's tables. */
export function clickHouseDialect(tables: Tables): Dialect<ChParams> {
  return {
    params: () => new ChParams(),
    tables,
    sources: `${tables.sources} FINAL`,
    intDiv: (a, b) => `intDiv(${a}, ${b})`,
    // Older ClickHouse servers take `IS DISTINCT FROM` only in a join's ON.
    distinctFrom: (a, b) => `NOT coalesce(${a} = ${b}, false)`,
    contains: (text, needle) => `position(${text}, ${needle}) > 0`,
    // ClickHouse's LIKE escapes with a backslash, without an `ESCAPE` clause.
    ilike: (expr, pattern) => `${expr} ILIKE ${pattern}`,
    // `(?-s)`: ClickHouse's `.` matches a line break, DuckDB's (RE2's default) does not.
    matches: (p, expr, pattern) => `match(${expr}, ${p.add(`(?-s)${pattern}`)})`,
    jsonText,
    // ClickHouse gives an array's default past its end (`''` for strings), NULL only for a Nullable one.
    nameAt: (names, index) => `arrayElement(CAST([${names.map((n) => `'${n}'`).join(', ')}] AS Array(Nullable(String))), ${index} + 1)`,
    notNull: (expr) => `assumeNotNull(${expr})`,
    textBytes: (expr) => `length(${expr})`,
    noIndex: (expr) => `identity(${expr})`,
    ctesComputedOnce: false,
    readsSmallSetsFirst: false,
    partsByStart: true,
    largeInSets: `SETTINGS use_index_for_in_with_subqueries_max_values = ${MAX_INDEXED_IN_SET}`,

    quantile: (expr, q) => `quantileExactInclusive(${q})(${expr})`,
    quantiles: (expr, qs) => `quantilesExactInclusive(${qs.join(', ')})(${expr})`,
    quantileSameBits,
    varSamp: (expr) => `if(count() > 1, varSampStable(${expr}), NULL)`,
    collect: (expr) => `groupArray(${expr})`,
    collectOrdered: (expr) => `groupArray(${expr})`,
    collectDistinct: (expr) => `groupUniqArray(${expr})`,
    latest: (value, order, n) =>
      `arraySlice(arrayMap(t -> t.2, arraySort(t -> (-t.1, t.2), groupArrayIf((${order}, assumeNotNull(${value})), ${value} IS NOT NULL))), 1, ${n})`,
    sortList: (list) => `arraySort(${list})`,
    distinctList: (list) => `arrayDistinct(${list})`,
    firstPer: (select, partition, order) => `${select} ORDER BY ${partition}, ${order} LIMIT 1 BY ${partition}`,
    firstPerMostlyOne: (select, partition, order) => `${select} ORDER BY ${partition}, ${order} LIMIT 1 BY ${partition}`,
    // Several servers may write one slot at once: none can know whether it wrote the slot's first row.
    scoreVersions: null,
    scoredSpanFacts: null,

    // `cache_hit` is a column made from the attributes when a span is written (schema-tables.ts).
    cacheHitIs: (hit) => `cache_hit = ${hit ? 1 : -1}`,
    resourceAttribute: (p, project, key) => ({ value: resourceAttribute(tables, p, project, key), join: '' }),
    errorEvents: (project, conditions, few) => errorEventsSql(tables, project, conditions, few),
    errorStates: (project) => errorStatesSql(tables, project),

    // Export: a time is a DateTime64(6, 'UTC'), which Parquet holds as DuckDB's does.
    timestampOfUs: (us) => `fromUnixTimestamp64Micro(${us}, 'UTC')`,
    isoOfUs: (us) => `formatDateTime(fromUnixTimestamp64Micro(${us}, 'UTC'), '%Y-%m-%dT%H:%i:%S.%fZ')`,
    // `JSONExtractRaw` answers '' where DuckDB's `json_extract` answers NULL.
    jsonMember: (json, key) => `nullIf(JSONExtractRaw(${json}, '${key.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'), '')`,
  };
}

/** The ClickHouse store's way to run the queries written once: rows as JSON objects. */
export class ClickHouseSql implements SqlEngine<ChParams> {
  readonly dialect: Dialect<ChParams>;

  constructor(readonly ch: ChClient) {
    this.dialect = clickHouseDialect(ch.tables);
  }

  async rows<T>(what: string, sql: string, params: ChParams, convert: (row: Row) => T): Promise<T[]> {
    const rows = await this.ch.rows<Record<string, unknown>>(what, sql, params);
    const view = {
      r: {} as Record<string, unknown>,
      get(name: string): unknown {
        return this.r[name];
      },
    };
    return rows.map((row) => {
      view.r = row;
      return convert(view);
    });
  }
}
