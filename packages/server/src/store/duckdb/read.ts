import {
  SPAN_CATEGORIES,
  SPAN_KINDS,
  STATUS_CODES,
  type AttributeValue,
  type Attributes,
  type InstrumentationScope,
  type LlmFields,
  type LogRecordData,
  type MetricPointRecord,
  type MetricType,
  type Resource,
  type Temporality,
} from '@spoor/model';
import type { StoredLog, StoredSpan } from '../stored-trace.js';

/**
 * Converters from DuckDB results to model records. Small results are read by column
 * (`getColumnsObjectJS`, `mapRows`); large ones (a trace's spans, logs) as one JSON array per row
 * (`JsonArrayShape`, `mapArrayRows`), because converting value by value is what costs.
 */
export type Columns = Record<string, unknown[]>;

/** A view of row `i` of a columnar result, read as `row.get('name')`. */
class RowView {
  i = 0;
  constructor(private readonly columns: Columns) {}
  get(name: string): unknown {
    return this.columns[name]![this.i];
  }
}

/** Converts every row of a columnar result with `convert`. */
export function mapRows<T>(columns: Columns, convert: (row: RowView) => T): T[] {
  const first = Object.values(columns)[0];
  const n = first?.length ?? 0;
  const out = new Array<T>(n);
  const row = new RowView(columns);
  for (let i = 0; i < n; i++) {
    row.i = i;
    out[i] = convert(row);
  }
  return out;
}

/** Anything a converter can read a row's columns from. */
interface Row {
  get(name: string): unknown;
}

/**
 * Parses JSON text columns in place, each with one `JSON.parse` over the whole column instead of
 * one per value. `NULL` stays `null`.
 */
export function parseJsonColumns(columns: Columns, names: readonly string[]): Columns {
  for (const name of names) {
    const texts = columns[name];
    if (texts === undefined || texts.length === 0) continue;
    let joined = '[';
    for (let i = 0; i < texts.length; i++) {
      if (i > 0) joined += ',';
      const text = texts[i];
      joined += text === null || text === undefined ? 'null' : (text as string);
    }
    columns[name] = JSON.parse(`${joined}]`) as unknown[];
  }
  return columns;
}

export const METRIC_JSON_COLUMNS = ['attributes', 'quantiles', 'exemplars'] as const;

function num(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : (value as number);
}

function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

function numbersOrNull(value: unknown): number[] | null {
  return Array.isArray(value) ? value.map(num) : null;
}

/** Parses JSON once per distinct text: a trace's spans share a few resources and scopes. */
export class JsonParseCache {
  private readonly cache = new Map<string, unknown>();

  of<T>(text: string): T {
    let value = this.cache.get(text);
    if (value === undefined) {
      value = JSON.parse(text);
      this.cache.set(text, value);
    }
    return value as T;
  }
}

/**
 * A row shape read as one JSON array per row (`json_array(...)`): the SQL of the array, and each
 * field's index in it. Fields cast `::JSON` arrive parsed, VARCHAR ones as strings (a JSON text
 * column that way arrives as its text); resource and scope are looked up by `source_id` (see
 * `SourceTexts`), not repeated on every row. A field `<expression> AS <name>` is read by name.
 */
export interface JsonArrayShape {
  sql: string;
  index: ReadonlyMap<string, number>;
}

export function jsonArrayShape(fields: ReadonlyArray<string>): JsonArrayShape {
  const parts = fields.map((f) => {
    const alias = / AS (\w+)$/.exec(f);
    return alias === null ? { sql: f, name: f.split('::')[0]! } : { sql: f.slice(0, alias.index), name: alias[1]! };
  });
  return { sql: `json_array(${parts.map((p) => p.sql).join(', ')})`, index: new Map(parts.map((p, i) => [p.name, i])) };
}

/**
 * A row shape read for an answer (`StoredSpan`, `StoredLog`): the scalar fields as a `json_array`,
 * and the JSON text columns as they are stored, read as field `fields + i` of each row.
 */
export interface StoredRowShape extends JsonArrayShape {
  texts: readonly string[];
}

function storedRowShape(fields: ReadonlyArray<string>, texts: readonly string[]): StoredRowShape {
  const shape = jsonArrayShape(fields);
  const index = new Map(shape.index);
  texts.forEach((name, i) => index.set(name, shape.index.size + i));
  return { sql: shape.sql, index, texts };
}

/**
 * The select list that reads rows of `shape` in the order `orderBy` as two values, aggregated in
 * SQL: `row_arrays`, every row's `json_array` in one JSON array, and `row_texts`, every row's JSON texts
 * joined by U+0001, a character valid JSON never holds raw (`JSON.stringify` escapes it). One
 * `JSON.parse` and one `split` then read a 20,000-span trace in 70 ms, where one `json_array`
 * per row with the texts inside took 115 ms: the texts were escaped into JSON strings by DuckDB,
 * unescaped by `JSON.parse`, and converted one by one.
 */
export function storedRowsSelect(shape: StoredRowShape, orderBy: string): string {
  return (
    `'[' || string_agg(${shape.sql}, ',' ORDER BY ${orderBy}) || ']' AS row_arrays, ` +
    `string_agg(${shape.texts.join(' || chr(1) || ')}, chr(1) ORDER BY ${orderBy}) AS row_texts`
  );
}

/** The rows of `storedRowsSelect`'s two values, each row's texts appended to its array. */
export function storedRowsFrom(shape: StoredRowShape, rowsJson: string | null | undefined, texts: string | null | undefined): unknown[][] {
  if (rowsJson === null || rowsJson === undefined) return [];
  const rows = JSON.parse(rowsJson) as unknown[][];
  const parts = (texts ?? '').split('\u0001');
  const k = shape.texts.length;
  if (parts.length !== rows.length * k) throw new Error('a stored JSON text holds U+0001: it is not valid JSON');
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    for (let j = 0; j < k; j++) row.push(parts[i * k + j]);
  }
  return rows;
}

/** A DOUBLE column as JSON can carry it: DuckDB writes NaN and infinities as bare words, which no JSON parser takes. */
const finite = (column: string): string => `CASE WHEN isfinite(${column}) THEN ${column} END AS ${column}`;

/** Spans for an answer (`StoredSpan`): attributes, events and links stay the stored text. */
export const SPAN_SHAPE = storedRowShape(
  [
    'project_id', 'trace_id', 'span_id', 'parent_span_id', 'trace_state', 'flags', 'name', 'kind', 'service_name',
    'start_us', 'end_us', 'status_code', 'status_message', 'source_id', 'dropped_attributes', 'dropped_events',
    'dropped_links', 'session_id', 'is_llm', 'llm_provider', 'llm_operation', 'llm_request_model', 'llm_response_model',
    'input_tokens', 'output_tokens', 'total_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'reasoning_tokens',
    finite('cost_usd'), finite('ttft_ms'), 'finish_reasons::JSON', 'cost_source', 'category', 'user_id',
  ],
  ['attributes', 'events', 'links'],
);

const LOG_FIELDS = [
  'project_id', 'log_id', 'time_us', 'observed_us', 'trace_id', 'span_id', 'flags', 'severity_number', 'severity_text',
  'source_id', 'service_name', 'event_name', 'dropped_attributes',
];

/** Logs as records (`LogRecordData`), body and attributes parsed. */
export const LOG_SHAPE = jsonArrayShape([...LOG_FIELDS, 'body::JSON', 'attributes::JSON']);

/** Logs for an answer (`StoredLog`): body and attributes as the stored text. */
export const STORED_LOG_SHAPE = storedRowShape(LOG_FIELDS, ['body', 'attributes']);

/** Resource and scope JSON texts by `source_id`. */
export type SourceTexts = ReadonlyMap<string, { resource: string; scope: string }>;

/** Converts rows read with `shape`, looking resources and scopes up in `sources`. */
export function mapArrayRows<T>(rows: unknown[][], shape: JsonArrayShape, sources: SourceTexts, convert: (row: Row) => T): T[] {
  const { index } = shape;
  const sourceAt = index.get('source_id')!;
  const view = {
    a: [] as unknown[],
    get(name: string): unknown {
      if (name === 'resource' || name === 'scope') return sources.get(this.a[sourceAt] as string)?.[name] ?? '{}';
      return this.a[index.get(name)!];
    },
  };
  const out = new Array<T>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    view.a = rows[i]!;
    out[i] = convert(view);
  }
  return out;
}

/** The `llm` fields of a span row (`is_llm` and the llm columns), or `null` for a span that is not an LLM call. */
export function llmFromRow(row: Row): LlmFields | null {
  if (row.get('is_llm') !== true) return null;
  return {
    provider: (row.get('llm_provider') as string | null) ?? null,
    operation: (row.get('llm_operation') as string | null) ?? null,
    requestModel: (row.get('llm_request_model') as string | null) ?? null,
    responseModel: (row.get('llm_response_model') as string | null) ?? null,
    inputTokens: numOrNull(row.get('input_tokens')),
    outputTokens: numOrNull(row.get('output_tokens')),
    totalTokens: numOrNull(row.get('total_tokens')),
    cacheReadInputTokens: numOrNull(row.get('cache_read_tokens')),
    cacheCreationInputTokens: numOrNull(row.get('cache_creation_tokens')),
    reasoningTokens: numOrNull(row.get('reasoning_tokens')),
    costUsd: numOrNull(row.get('cost_usd')),
    costSource: (row.get('cost_source') as LlmFields['costSource']) ?? null,
    timeToFirstTokenMs: numOrNull(row.get('ttft_ms')),
    finishReasons: (row.get('finish_reasons') as string[] | null) ?? null,
  };
}

export function storedSpanFromRow(row: Row): StoredSpan {
  return {
    projectId: row.get('project_id') as string,
    traceId: row.get('trace_id') as string,
    spanId: row.get('span_id') as string,
    parentSpanId: (row.get('parent_span_id') as string | null) ?? null,
    traceState: row.get('trace_state') as string,
    flags: num(row.get('flags')),
    name: row.get('name') as string,
    kind: SPAN_KINDS[num(row.get('kind'))] ?? 'unspecified',
    serviceName: row.get('service_name') as string,
    startTimeUs: num(row.get('start_us')),
    endTimeUs: num(row.get('end_us')),
    status: { code: STATUS_CODES[num(row.get('status_code'))] ?? 'unset', message: row.get('status_message') as string },
    attributesJson: row.get('attributes') as string,
    resourceJson: row.get('resource') as string,
    scopeJson: row.get('scope') as string,
    eventsJson: row.get('events') as string,
    linksJson: row.get('links') as string,
    droppedAttributesCount: num(row.get('dropped_attributes')),
    droppedEventsCount: num(row.get('dropped_events')),
    droppedLinksCount: num(row.get('dropped_links')),
    sessionId: (row.get('session_id') as string | null) ?? null,
    userId: (row.get('user_id') as string | null) ?? null,
    category: SPAN_CATEGORIES[num(row.get('category'))] ?? 'other',
    llm: llmFromRow(row),
  };
}

/** A log row's plain columns: what a log record and a stored log share. */
function logFieldsFromRow(row: Row): Omit<LogRecordData, 'body' | 'attributes' | 'resource' | 'scope'> {
  return {
    projectId: row.get('project_id') as string,
    logId: row.get('log_id') as string,
    timeUs: num(row.get('time_us')),
    observedTimeUs: num(row.get('observed_us')),
    traceId: (row.get('trace_id') as string | null) ?? null,
    spanId: (row.get('span_id') as string | null) ?? null,
    flags: num(row.get('flags')),
    severityNumber: num(row.get('severity_number')),
    severityText: row.get('severity_text') as string,
    serviceName: row.get('service_name') as string,
    eventName: row.get('event_name') as string,
    droppedAttributesCount: num(row.get('dropped_attributes')),
  };
}

export function logFromRow(row: Row, shared: JsonParseCache): LogRecordData {
  return {
    ...logFieldsFromRow(row),
    body: row.get('body') as AttributeValue,
    attributes: row.get('attributes') as Attributes,
    resource: shared.of<Resource>(row.get('resource') as string),
    scope: shared.of<InstrumentationScope>(row.get('scope') as string),
  };
}

export function storedLogFromRow(row: Row): StoredLog {
  return {
    ...logFieldsFromRow(row),
    bodyJson: row.get('body') as string,
    attributesJson: row.get('attributes') as string,
    resourceJson: row.get('resource') as string,
    scopeJson: row.get('scope') as string,
  };
}

export function metricPointFromRow(row: Row, shared: JsonParseCache): MetricPointRecord {
  const positiveCounts = numbersOrNull(row.get('positive_counts'));
  const negativeCounts = numbersOrNull(row.get('negative_counts'));
  return {
    projectId: row.get('project_id') as string,
    name: row.get('name') as string,
    description: row.get('description') as string,
    unit: row.get('unit') as string,
    type: row.get('type') as MetricType,
    temporality: row.get('temporality') as Temporality,
    isMonotonic: (row.get('is_monotonic') as boolean | null) ?? null,
    serviceName: row.get('service_name') as string,
    resource: shared.of<Resource>(row.get('resource') as string),
    scope: shared.of<InstrumentationScope>(row.get('scope') as string),
    attributes: row.get('attributes') as Attributes,
    startTimeUs: numOrNull(row.get('start_us')),
    timeUs: num(row.get('time_us')),
    flags: num(row.get('flags')),
    value: numOrNull(row.get('value')),
    count: numOrNull(row.get('count')),
    sum: numOrNull(row.get('sum')),
    min: numOrNull(row.get('min')),
    max: numOrNull(row.get('max')),
    bucketCounts: numbersOrNull(row.get('bucket_counts')),
    explicitBounds: numbersOrNull(row.get('explicit_bounds')),
    scale: numOrNull(row.get('scale')),
    zeroCount: numOrNull(row.get('zero_count')),
    zeroThreshold: numOrNull(row.get('zero_threshold')),
    positive: positiveCounts === null ? null : { offset: num(row.get('positive_offset')), bucketCounts: positiveCounts },
    negative: negativeCounts === null ? null : { offset: num(row.get('negative_offset')), bucketCounts: negativeCounts },
    quantiles: (row.get('quantiles') as MetricPointRecord['quantiles']) ?? null,
    exemplars: row.get('exemplars') as MetricPointRecord['exemplars'],
  };
}

export { num, numOrNull };
