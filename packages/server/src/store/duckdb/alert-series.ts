import type { DuckDBConnection } from '@duckdb/node-api';
import { SPAN_GROUP_COLUMNS, type SpanGroupColumn } from '@spoor/model';
import { type AlertLabel, type AlertMatcher, type AlertSeriesQuery, type AlertSeriesRow, type AlertSeriesSource, StoreError } from '../store.js';
import { mapRows, num, numOrNull, columnsOf } from './read.js';
import { groupKey } from './span-sql.js';
import { SqlParams, jsonPointer } from './sql.js';

/**
 * Alert rule series: one aggregate per group of labels and time bucket, in one statement per
 * call. The alert scheduler runs hundreds of these every 15 s, so every statement filters on the
 * project and the time column first (DuckDB's zone maps then skip the row groups outside the
 * range) and leaves nothing to JS but reading the result.
 */

/** Where a source's records are and which time puts them in a bucket. */
const TABLES: Record<AlertSeriesSource, { table: string; time: string }> = {
  // A span counts when it ends, as in the realtime numbers: a run is known once it is over.
  spans: { table: 'spans', time: 'end_us' },
  duration: { table: 'spans', time: 'end_us' },
  logs: { table: 'logs', time: 'time_us' },
  // Not `errors`: a step that only passes on its LLM call's error is not a second error.
  errors: { table: 'error_events', time: 'time_us' },
};

const STATUS_LABEL = `['unset', 'ok', 'error'][status_code + 1]`;
/** OpenTelemetry severity numbers 1-4 are trace, 5-8 debug, ... 21-24 fatal; 0 is unset. */
const SEVERITY_LABEL = `['unset', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'][(severity_number::INTEGER + 3) // 4 + 1]`;

const LOG_LABELS = new Map([
  ['service', 'service_name'],
  ['severity', SEVERITY_LABEL],
  ['text', 'body_text'],
  ['trace_id', 'trace_id'],
]);

const ERROR_LABELS = new Map([
  ['service', 'service_name'],
  ['fingerprint', 'fingerprint'],
  ['type', 'exception_type'],
  ['provider', 'provider'],
  ['tool', 'tool_name'],
]);

const isSpanGroupColumn = (name: string): name is SpanGroupColumn => (SPAN_GROUP_COLUMNS as readonly string[]).includes(name);

/**
 * An aggregate over the rows of one group and bucket. `stepSeconds` adds the step in seconds as
 * a parameter when called: only `rate` needs it, and DuckDB rejects parameters a statement does
 * not use.
 */
type ValueSql = (stepSeconds: () => string) => string;

const count: ValueSql = () => 'count(*)';
const rate: ValueSql = (stepSeconds) => `count(*) / ${stepSeconds()}`;
const quantile = (q: number): ValueSql => () => `quantile_cont(duration_us / 1000, ${q})`;

/** The functions that aggregate the matching records in one pass; `seriesSql` has the others. */
const VALUES: Record<AlertSeriesSource, ReadonlyMap<string, ValueSql>> = {
  spans: new Map([
    ['count', count],
    ['rate', rate],
    ['errors', () => 'count_if(status_code = 2)'],
    ['error_rate', () => 'count_if(status_code = 2) / count(*)'],
    ['tokens', () => 'sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0))'],
    ['input_tokens', () => 'sum(coalesce(input_tokens, 0))'],
    ['output_tokens', () => 'sum(coalesce(output_tokens, 0))'],
    ['cost', () => 'sum(coalesce(cost_usd, 0))'],
  ]),
  duration: new Map([
    ['avg', () => 'avg(duration_us / 1000)'],
    ['min', () => 'min(duration_us / 1000)'],
    ['max', () => 'max(duration_us / 1000)'],
    ['p50', quantile(0.5)],
    ['p90', quantile(0.9)],
    ['p95', quantile(0.95)],
    ['p99', quantile(0.99)],
  ]),
  logs: new Map([
    ['count', count],
    ['rate', rate],
  ]),
  errors: new Map([['count', count]]),
};

/**
 * The SQL of a query's labels over one source's rows. Attribute labels are looked up on the
 * record, then on its resource; all of them share one join with the project's `sources`, each
 * resource parsed once per key rather than once per record.
 */
class LabelSql {
  private readonly resourceColumns = new Map<string, string>();

  constructor(
    private readonly p: SqlParams,
    private readonly project: string,
    private readonly source: AlertSeriesSource,
  ) {}

  of(label: AlertLabel): string {
    const sql = label.attribute ? this.attribute(label.name) : this.builtin(label.name);
    if (sql === undefined) throw new StoreError(`alert series of ${this.source} have no label '${label.name}'`);
    return sql;
  }

  /** The `LEFT JOIN` the attribute labels need, or nothing. */
  join(): string {
    if (this.resourceColumns.size === 0) return '';
    const columns = [...this.resourceColumns].map(([key, alias]) => `json_extract_string(resource, ${this.p.add(jsonPointer(['attributes', key]))}) AS ${alias}`);
    return `LEFT JOIN (SELECT source_id, ${columns.join(', ')} FROM sources WHERE project_id = ${this.project}) AS resource_keys USING (source_id)`;
  }

  private builtin(name: string): string | undefined {
    switch (this.source) {
      case 'spans':
      case 'duration':
        if (name === 'status') return STATUS_LABEL;
        return isSpanGroupColumn(name) ? groupKey(this.p, this.project, { column: name }).key : undefined;
      case 'logs':
        return LOG_LABELS.get(name);
      case 'errors':
        return ERROR_LABELS.get(name);
    }
  }

  /**
   * Attributes are written with `JSON.stringify` (append.ts), so a record whose text does not
   * contain the quoted key has no such attribute, and is not parsed at all: a matcher on a tool
   * call attribute over an hour of the analytics bench data (about 200,000 spans) took 58 ms
   * with this test first, 107 ms without.
   */
  private attribute(key: string): string | undefined {
    if (this.source === 'errors') return undefined;
    let alias = this.resourceColumns.get(key);
    if (alias === undefined) {
      alias = `r${this.resourceColumns.size}`;
      this.resourceColumns.set(key, alias);
    }
    const own = `CASE WHEN contains(attributes, ${this.p.add(JSON.stringify(key))}) THEN json_extract_string(attributes, ${this.p.add(jsonPointer([key]))}) END`;
    return `coalesce(${own}, resource_keys.${alias})`;
  }
}

/** A matcher as a condition; the negations also hold where the label is absent, as in Prometheus. */
function matcherSql(p: SqlParams, labels: LabelSql, matcher: AlertMatcher): string {
  const label = labels.of(matcher);
  const value = p.add(matcher.value);
  switch (matcher.op) {
    case '=':
      return `${label} = ${value}`;
    case '!=':
      return `${label} IS DISTINCT FROM ${value}`;
    case '=~':
      return `regexp_matches(${label}, ${value})`;
    case '!~':
      return `NOT coalesce(regexp_matches(${label}, ${value}), false)`;
  }
}

/** What every statement of a query is made of. */
interface Parts {
  p: SqlParams;
  project: string;
  /** `... AS l0, ... AS l1`: select items of the `by` labels. */
  keys: string[];
  /** `l0, l1, ...`: the names of `keys`. */
  keyNames: string[];
  bucket: string;
  /** The project and the time range, by which DuckDB's zone maps skip row groups. */
  scope: string[];
  matchers: string[];
  join: string;
  /** The first bucket's start (placeholder). */
  start: string;
}

function partsOf(query: AlertSeriesQuery): Parts {
  const p = new SqlParams();
  const project = p.add(query.projectId);
  const { time } = TABLES[query.source];
  const start = p.add(query.startUs);
  const end = p.add(query.startUs + query.buckets * query.stepUs);
  const labels = new LabelSql(p, project, query.source);
  const keyNames = query.by.map((_, i) => `l${i}`);
  return {
    p,
    project,
    keys: query.by.map((label, i) => `${labels.of(label)} AS ${keyNames[i]}`),
    keyNames,
    bucket: `(${time} - ${start}::BIGINT) // ${p.add(query.stepUs)}::BIGINT`,
    scope: [`project_id = ${project}`, `${time} >= ${start}::BIGINT`, `${time} < ${end}::BIGINT`],
    matchers: query.matchers.map((matcher) => matcherSql(p, labels, matcher)),
    join: labels.join(),
    start,
  };
}

const selectKeys = (parts: Parts): string => [...parts.keys, `${parts.bucket} AS bucket`].join(', ');

/** The one-pass functions: aggregate the matching records per group and bucket. */
function aggregateSql(query: AlertSeriesQuery, value: ValueSql, parts: Parts): string {
  const sql = value(() => `${parts.p.add(query.stepUs / 1e6)}::DOUBLE`);
  return `SELECT ${selectKeys(parts)}, ${sql} AS value
    FROM ${TABLES[query.source].table} ${parts.join} WHERE ${[...parts.scope, ...parts.matchers].join(' AND ')} GROUP BY ALL`;
}

/**
 * The mean cost of the workflows (root spans) that ended in the bucket, each costed as its whole
 * trace: its spans' costs summed from `trace_parts`, which holds them per trace already, read
 * only for the roots' traces. A trace without a cost costs 0.
 */
function costPerWorkflowSql(parts: Parts): string {
  const where = [...parts.scope, ...parts.matchers, 'parent_span_id IS NULL'];
  return `WITH roots AS (SELECT trace_id, ${selectKeys(parts)} FROM spans ${parts.join} WHERE ${where.join(' AND ')}),
    costs AS (
      SELECT trace_id, sum(coalesce(cost_usd, 0)) AS cost FROM trace_parts
      WHERE project_id = ${parts.project} AND trace_id IN (SELECT trace_id FROM roots) GROUP BY trace_id
    )
    SELECT ${[...parts.keyNames, 'bucket'].join(', ')}, avg(coalesce(cost, 0)) AS value
    FROM roots LEFT JOIN costs USING (trace_id) GROUP BY ALL`;
}

/** How error groups are counted by one occurrence each; see `firstOccurrenceSql`. */
interface FirstOccurrence {
  /** CTEs `from` and `earlier` need, each followed by a comma. */
  ctes: string;
  /** Where the group's occurrences are, and which of them can be its counted one. */
  from: string;
  conditions: string[];
  /** The groups whose counted occurrence came before the range. */
  earlier: string;
}

/**
 * Error groups, each counted in the bucket of one occurrence: the first in the range that meets
 * `conditions`, unless the group is in `earlier`. Labels and matchers apply to that occurrence, so
 * they filter only after it is chosen.
 */
function firstOccurrenceSql(parts: Parts, { ctes, from, conditions, earlier }: FirstOccurrence): string {
  const where = ['fingerprint NOT IN (SELECT fingerprint FROM earlier)', ...parts.matchers];
  return `WITH ${ctes}
    hits AS (SELECT * FROM ${from} WHERE ${[...parts.scope, ...conditions].join(' AND ')}),
    firsts AS (SELECT * FROM hits QUALIFY row_number() OVER (PARTITION BY fingerprint ORDER BY time_us, span_id NULLS FIRST, service_name) = 1),
    earlier AS (${earlier})
    SELECT ${selectKeys(parts)}, count(*) AS value FROM firsts WHERE ${where.join(' AND ')} GROUP BY ALL`;
}

/** Groups first seen in the bucket: seen in the range and never before it. */
function newErrorGroupSql(parts: Parts): string {
  return firstOccurrenceSql(parts, {
    ctes: '',
    from: 'error_events',
    conditions: [],
    earlier: `SELECT DISTINCT fingerprint FROM error_events
      WHERE project_id = ${parts.project} AND time_us < ${parts.start}::BIGINT AND fingerprint IN (SELECT fingerprint FROM firsts)`,
  });
}

/**
 * Resolved groups seen again in the bucket for the first time since they were resolved. Their
 * stored status stays `resolved` when they come back (error-groups.ts derives `unresolved`).
 */
function regressedErrorGroupSql(parts: Parts): string {
  return firstOccurrenceSql(parts, {
    ctes: `resolved AS (
      SELECT fingerprint, resolved_us FROM error_group_states
      WHERE project_id = ${parts.project} AND status = 'resolved' AND resolved_us IS NOT NULL
    ),`,
    from: 'error_events JOIN resolved USING (fingerprint)',
    conditions: ['time_us > resolved_us'],
    earlier: `SELECT DISTINCT fingerprint FROM error_events JOIN resolved USING (fingerprint)
      WHERE project_id = ${parts.project} AND time_us > resolved_us AND time_us < ${parts.start}::BIGINT`,
  });
}

/** The statement of a query, or a `StoreError` for a function its source does not have. */
function seriesSql(query: AlertSeriesQuery, parts: Parts): string {
  if (query.source === 'spans' && query.fn === 'cost_per_workflow') return costPerWorkflowSql(parts);
  if (query.source === 'errors' && query.fn === 'new_error_group') return newErrorGroupSql(parts);
  if (query.source === 'errors' && query.fn === 'regressed_error_group') return regressedErrorGroupSql(parts);
  const value = VALUES[query.source].get(query.fn);
  if (value === undefined) throw new StoreError(`alert series of ${query.source} have no function '${query.fn}'`);
  return aggregateSql(query, value, parts);
}

export async function selectAlertSeries(connection: DuckDBConnection, query: AlertSeriesQuery): Promise<AlertSeriesRow[]> {
  if (query.buckets <= 0 || query.stepUs <= 0) return [];
  const parts = partsOf(query);
  const columns = await columnsOf(connection, seriesSql(query, parts), parts.p.values);
  const { keyNames } = parts;
  return mapRows(columns, (row) => ({
    labels: keyNames.map((name) => (row.get(name) as string | null) ?? null),
    bucket: num(row.get('bucket')),
    value: numOrNull(row.get('value')),
  }));
}
