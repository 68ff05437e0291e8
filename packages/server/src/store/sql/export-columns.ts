import { type ExportFormat, type ExportQuery, type ExportSignal, SPAN_CATEGORIES, SPAN_KINDS, STATUS_CODES } from '@spoor/model';
import type { Dialect, Params } from './dialect.js';
import { latestScores } from './scores.js';

/**
 * The columns of an export (`spoor export`, `GET /api/export`), declared once for every engine:
 * each column's name, its type as DuckDB reads the file back (`DESCRIBE SELECT * FROM
 * read_parquet(…)`), what it holds (the README's schema), and its SQL over the stored row `r`.
 * Both engines write the same names and types: kinds, status codes and categories as their
 * names, times as UTC timestamps (JSON Lines: ISO-8601 text with microseconds), attribute maps,
 * resources, events and links as the JSON text they were stored as, small counts as BIGINT.
 */

/** A column's type as DuckDB reads it back from the Parquet file; `TIMESTAMP WITH TIME ZONE` is ISO-8601 text in JSON Lines. */
export type ExportType = 'VARCHAR' | 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP WITH TIME ZONE' | 'DOUBLE[]';

export interface ExportColumn {
  name: string;
  type: ExportType;
  /** What it holds, for the README. */
  what: string;
  /** Its SQL over the stored row `r` and its source `src` (`null`: the stored column of the same name). */
  sql: ((d: Dialect, format: ExportFormat) => string) | null;
}

const column = (name: string, type: ExportType, what: string, sql: ExportColumn['sql'] = null): ExportColumn => ({ name, type, what, sql });
const stored = (name: string, type: ExportType, what: string, storedName: string): ExportColumn => column(name, type, what, () => `r.${storedName}`);
const names = (list: readonly string[], storedName: string) => (d: Dialect) => d.nameAt(list, `r.${storedName}`);
const time = (name: string, what: string, storedName: string): ExportColumn =>
  column(name, 'TIMESTAMP WITH TIME ZONE', what, (d, format) => (format === 'parquet' ? d.timestampOfUs(`r.${storedName}`) : d.isoOfUs(`r.${storedName}`)));
/** A count stored as a small unsigned integer, as a BIGINT (never NULL in the store, so the cast cannot fail). */
const count = (name: string, what: string, storedName: string): ExportColumn => column(name, 'BIGINT', what, () => `CAST(r.${storedName} AS BIGINT)`);
/** A list of numbers, empty where the store has none (ClickHouse keeps no NULL list). */
const list = (name: string, what: string): ExportColumn => column(name, 'DOUBLE[]', what, () => `coalesce(r.${name}, [])`);

/** The resource and scope of a record, from its source (`sources`). */
const SOURCE_COLUMNS: readonly ExportColumn[] = [
  column('resource', 'VARCHAR', "the resource's attributes, a JSON object", () => 'src.src_resource'),
  column('scope_name', 'VARCHAR', 'the instrumentation scope (library) that made it', () => 'src.src_scope_name'),
  column('scope_version', 'VARCHAR', "the scope's version", () => 'src.src_scope_version'),
];

export const SPAN_EXPORT: readonly ExportColumn[] = [
  column('project_id', 'VARCHAR', 'the project'),
  column('trace_id', 'VARCHAR', '32 lowercase hex digits'),
  column('span_id', 'VARCHAR', '16 lowercase hex digits'),
  column('parent_span_id', 'VARCHAR', "the parent's span id; NULL for a root span"),
  column('trace_state', 'VARCHAR', 'the W3C trace state'),
  column('name', 'VARCHAR', 'the span name'),
  column('kind', 'VARCHAR', '`internal`, `server`, `client`, `producer`, `consumer` or `unspecified`', names(SPAN_KINDS, 'kind')),
  column('service_name', 'VARCHAR', "the resource's `service.name`"),
  time('start_time', 'when it started', 'start_us'),
  time('end_time', 'when it ended', 'end_us'),
  column('duration_ms', 'DOUBLE', 'milliseconds, to the microsecond', () => 'CAST(r.duration_us AS DOUBLE) / 1000'),
  column('status_code', 'VARCHAR', '`unset`, `ok` or `error`', names(STATUS_CODES, 'status_code')),
  column('status_message', 'VARCHAR', "the status's message (`''` for none)"),
  column('attributes', 'VARCHAR', "the span's attributes as they came, a JSON object"),
  ...SOURCE_COLUMNS,
  column('events', 'VARCHAR', 'a JSON array of `{ timeUs, name, attributes, droppedAttributesCount }`'),
  column('links', 'VARCHAR', 'a JSON array of `{ traceId, spanId, traceState, attributes, droppedAttributesCount, flags }`'),
  count('dropped_attributes_count', 'attributes the sender dropped', 'dropped_attributes'),
  count('dropped_events_count', 'events the sender dropped', 'dropped_events'),
  count('dropped_links_count', 'links the sender dropped', 'dropped_links'),
  column('category', 'VARCHAR', '`workflow`, `agent`, `step`, `llm`, `tool`, `retriever`, `embedding` or `other`', names(SPAN_CATEGORIES, 'category')),
  column('is_llm', 'BOOLEAN', 'whether it is an LLM call (the `llm_` and token columns are NULL otherwise)'),
  column('llm_provider', 'VARCHAR', '`openai`, `anthropic`, …'),
  column('llm_operation', 'VARCHAR', '`chat`, `embeddings`, …'),
  column('llm_request_model', 'VARCHAR', 'the model asked for'),
  column('llm_response_model', 'VARCHAR', 'the model that answered'),
  column('input_tokens', 'BIGINT', 'input tokens (NULL: not reported)'),
  column('output_tokens', 'BIGINT', 'output tokens'),
  column('total_tokens', 'BIGINT', 'total tokens'),
  stored('cache_read_input_tokens', 'BIGINT', 'input tokens read from the cache', 'cache_read_tokens'),
  stored('cache_creation_input_tokens', 'BIGINT', 'input tokens written to the cache', 'cache_creation_tokens'),
  column('reasoning_tokens', 'BIGINT', 'reasoning tokens'),
  column('cost_usd', 'DOUBLE', 'the cost in US dollars'),
  column('cost_source', 'VARCHAR', "`price_table` (computed from the tokens) or `reported` (the sender's)"),
  stored('time_to_first_token_ms', 'DOUBLE', 'time to the first token of a streamed answer', 'ttft_ms'),
  column('finish_reasons', 'VARCHAR', 'a JSON array of the finish reasons'),
  column('session_id', 'VARCHAR', 'the session (`session.id` and the other conventions)'),
  column('user_id', 'VARCHAR', 'the user (`user.id` and the other conventions)'),
];

export const LOG_EXPORT: readonly ExportColumn[] = [
  column('project_id', 'VARCHAR', 'the project'),
  column('log_id', 'VARCHAR', "Spoor's id of the record"),
  time('time', 'when it happened (its observed time when the sender gave none)', 'time_us'),
  time('observed_time', 'when it was observed', 'observed_us'),
  column('trace_id', 'VARCHAR', 'the trace it belongs to, or NULL'),
  column('span_id', 'VARCHAR', 'the span it belongs to, or NULL'),
  count('severity_number', '1 (trace) to 24 (fatal4); 0 unset', 'severity_number'),
  column('severity_text', 'VARCHAR', 'as sent (`INFO`, `error`, …)'),
  stored('body', 'VARCHAR', 'the body: a string as it is, any other value as JSON text (bytes as base64)', 'body_text'),
  column('attributes', 'VARCHAR', 'a JSON object'),
  ...SOURCE_COLUMNS,
  column('service_name', 'VARCHAR', "the resource's `service.name`"),
  column('event_name', 'VARCHAR', "the record's event name (`''` for none)"),
  count('dropped_attributes_count', 'attributes the sender dropped', 'dropped_attributes'),
];

export const METRIC_EXPORT: readonly ExportColumn[] = [
  column('project_id', 'VARCHAR', 'the project'),
  column('name', 'VARCHAR', "the metric's name"),
  column('description', 'VARCHAR', "the metric's description"),
  column('unit', 'VARCHAR', "the metric's unit"),
  column('type', 'VARCHAR', '`gauge`, `sum`, `histogram`, `exponential_histogram` or `summary`'),
  column('temporality', 'VARCHAR', '`cumulative`, `delta` or `unspecified`'),
  column('is_monotonic', 'BOOLEAN', "a sum's monotonicity; NULL for other types"),
  column('service_name', 'VARCHAR', "the resource's `service.name`"),
  column('attributes', 'VARCHAR', "the point's attributes, a JSON object"),
  ...SOURCE_COLUMNS,
  time('start_time', 'the start of a cumulative or delta window, or NULL', 'start_us'),
  time('time', 'the time of the point', 'time_us'),
  column('value', 'DOUBLE', "a gauge's or sum's value"),
  column('int_value', 'BIGINT', 'the exact value of a point sent as an integer'),
  column('count', 'DOUBLE', "a histogram's or summary's count"),
  column('sum', 'DOUBLE', "a histogram's or summary's sum"),
  column('min', 'DOUBLE', "a histogram's minimum"),
  column('max', 'DOUBLE', "a histogram's maximum"),
  list('bucket_counts', "a histogram's bucket counts (empty for other types)"),
  list('explicit_bounds', "a histogram's bucket bounds"),
  column('scale', 'INTEGER', "an exponential histogram's scale"),
  column('zero_count', 'DOUBLE', "an exponential histogram's zero bucket count"),
  column('zero_threshold', 'DOUBLE', "an exponential histogram's zero threshold"),
  column('positive_offset', 'INTEGER', "an exponential histogram's positive bucket offset"),
  list('positive_counts', "an exponential histogram's positive bucket counts"),
  column('negative_offset', 'INTEGER', "an exponential histogram's negative bucket offset"),
  list('negative_counts', "an exponential histogram's negative bucket counts"),
  column('quantiles', 'VARCHAR', "a summary's quantiles, a JSON array of `{ quantile, value }`"),
  column('exemplars', 'VARCHAR', 'a JSON array of exemplars'),
  column(
    'exact_counts',
    'VARCHAR',
    'the counts past 2^53, exactly: a JSON object of decimal strings (`count`, `bucketCounts`, `zeroCount`, `positive`, `negative`), NULL when the doubles are exact',
  ),
];

export const SCORE_EXPORT: readonly ExportColumn[] = [
  column('project_id', 'VARCHAR', 'the project'),
  column('score_id', 'VARCHAR', 'the slot it fills: its target, name, source and author'),
  time('time', 'when it was given', 'time_us'),
  column('trace_id', 'VARCHAR', 'the trace scored (NULL for a session score)'),
  column('span_id', 'VARCHAR', 'the span scored, or NULL for the trace'),
  column('session_id', 'VARCHAR', 'the session scored'),
  column('response_id', 'VARCHAR', 'the LLM response id it named'),
  column('name', 'VARCHAR', 'the score name'),
  column('value', 'DOUBLE', 'its value, or NULL for a label alone'),
  column('label', 'VARCHAR', 'its label'),
  column('comment', 'VARCHAR', 'its comment'),
  column('source', 'VARCHAR', '`otel`, `sdk`, `api`, `human` or `evaluator`'),
  column('author', 'VARCHAR', 'who gave it'),
];

interface ExportTable {
  columns: readonly ExportColumn[];
  /** The stored time column the range applies to. */
  timeColumn: string;
  /** Whether its records point at a source (resource and scope). */
  sources: boolean;
  /** The relation read as `r`. */
  from: (d: Dialect, project: string) => string;
  /** Conditions beyond the project and the range. */
  where: readonly string[];
}

export const EXPORT_TABLES: Readonly<Record<ExportSignal, ExportTable>> = {
  spans: { columns: SPAN_EXPORT, timeColumn: 'start_us', sources: true, from: (d) => d.tables.spans, where: [] },
  logs: { columns: LOG_EXPORT, timeColumn: 'time_us', sources: true, from: (d) => d.tables.logs, where: [] },
  metrics: { columns: METRIC_EXPORT, timeColumn: 'time_us', sources: true, from: (d) => d.tables.metric_points, where: [] },
  // The newest version of each score, unless that is its deletion (`sql/scores.ts`); the range is
  // applied to that version, never to an older one.
  scores: { columns: SCORE_EXPORT, timeColumn: 'time_us', sources: false, from: (d, project) => `(${latestScores(d, project, [])})`, where: ['NOT r.deleted'] },
};

/**
 * Parquet row groups of 16,384 rows (the DuckDB store's own, `duckdb/catalog.ts`), not DuckDB's
 * default 122,880: a row group is held whole until it is written, and spans carry their
 * attributes' text. Exporting bench:export's 5M spans with DuckDB at 384MB (the server's
 * memory_limit) took 12.5-17.8 s at a peak RSS of 536-552 MiB so; with the default row groups,
 * 157 s at 512MB (spilling), or 19-33 s at 1GB and 1.2 GiB.
 */
export const EXPORT_ROW_GROUP_ROWS = 16_384;

/** A column name as SQL writes it, alike in both engines (`time`, `count` and `sum` are words of theirs). */
const quoted = (name: string): string => `"${name}"`;

/**
 * The `SELECT` of an export: the signal's columns of the project's records in the range, in the
 * order the store keeps them (sorting millions of rows would cost more than writing them).
 * Stored columns are always named through `r.`: an output column may bear a stored column's
 * name (`kind`), and ClickHouse reads a bare name as the select's alias.
 */
export function exportSql(d: Dialect, p: Params, query: ExportQuery): string {
  const table = EXPORT_TABLES[query.signal];
  const project = p.add(query.projectId);
  const select = table.columns.map((c) => `${c.sql === null ? `r.${c.name}` : c.sql(d, query.format)} AS ${quoted(c.name)}`).join(',\n  ');
  const where = [
    `r.project_id = ${project}`,
    `r.${table.timeColumn} >= ${p.int(query.fromUs)}`,
    `r.${table.timeColumn} < ${p.int(query.toUs)}`,
    ...table.where,
  ];
  // Each source of the project once, its JSON parsed once (a few per service, against millions of records).
  const join = table.sources
    ? `\nLEFT JOIN (SELECT source_id AS src_id, ${d.jsonMember('resource', 'attributes')} AS src_resource,
    ${d.jsonText(p, 'scope', ['name'])} AS src_scope_name, ${d.jsonText(p, 'scope', ['version'])} AS src_scope_version
  FROM ${d.sources} WHERE project_id = ${project}) AS src ON src.src_id = r.source_id`
    : '';
  return `SELECT\n  ${select}\nFROM ${table.from(d, project)} AS r${join}\nWHERE ${where.join(' AND ')}`;
}
