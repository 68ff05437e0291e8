import {
  SPAN_CATEGORIES,
  SPAN_KINDS,
  STATUS_CODES,
  type AttributeValue,
  type Attributes,
  type ExactCounts,
  type InstrumentationScope,
  type LlmFields,
  type LogRecordData,
  type MetricPointRecord,
  type MetricType,
  type Resource,
  type Temporality,
} from '@spoor/model';
import type { StoredLog, StoredSpan, StoredSpanFields } from './stored-trace.js';

/**
 * Converters from rows of the record tables (`tables.ts`) to model records, for every engine: an
 * engine reads a row its own way and hands it over as a `Row` (by column name), or as an array
 * with a `RowShape` telling each column's index in it.
 */

/** Where each column is in rows read as arrays. */
export interface RowShape {
  index: ReadonlyMap<string, number>;
}

/** Anything a converter can read a row's columns from. */
export interface Row {
  get(name: string): unknown;
}

export function num(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : (value as number);
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

export function numbersOrNull(value: unknown): number[] | null {
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

/** Resource and scope JSON texts by `source_id`. */
export type SourceTexts = ReadonlyMap<string, { resource: string; scope: string }>;

/** Texts as UTF-8 bytes, by index: text `k` is `bytes[starts[k] .. ends[k])`. */
export interface TextBytes {
  bytes: Uint8Array;
  starts: Uint32Array;
  ends: Uint32Array;
}

/**
 * Appends each row's `k` JSON texts to its array, decoded: text `r * k + j` of `texts` is row
 * `r`'s text `j`. Both engines read a trace's rows so, the arrays with one `JSON.parse` and the
 * texts as bytes, never escaped into JSON strings and unescaped again.
 */
export function appendTexts(rows: unknown[][], texts: TextBytes, k: number): unknown[][] {
  const { starts, ends } = texts;
  const bytes = Buffer.from(texts.bytes.buffer, texts.bytes.byteOffset, texts.bytes.byteLength);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    for (let t = r * k; t < (r + 1) * k; t++) row.push(bytes.toString('utf8', starts[t], ends[t]));
  }
  return rows;
}

/**
 * Rows that arrive as JSON arrays, each as its UTF-8 bytes, joined into one JSON array of them and
 * parsed at once: how both engines read a trace's plain values (`bytes` and `rows` are the
 * arrays' summed length and count, known before the first is added). With `values`, the rows'
 * brackets are left out and `parseValues` answers every row's values in one flat array: a page of
 * 50,000 rows parsed in half the time of as many arrays, most of it their collection.
 */
export class JsonArrayRows {
  private readonly json: Uint8Array;
  private at = 1;

  constructor(
    bytes: number,
    rows: number,
    private readonly values = false,
  ) {
    this.json = new Uint8Array(bytes + rows + 1);
    this.json[0] = OPEN_BRACKET;
  }

  add(source: Uint8Array, from: number, to: number): void {
    const cut = this.values ? 1 : 0;
    const start = from + cut;
    const end = to - cut;
    // An empty row has no values to add.
    if (end <= start) return;
    this.json.set(source.subarray(start, end), this.at);
    this.at += end - start;
    this.json[this.at++] = COMMA;
  }

  parse(): unknown[][] {
    return this.parsed() as unknown[][];
  }

  parseValues(): unknown[] {
    return this.parsed();
  }

  private parsed(): unknown[] {
    if (this.at === 1) return [];
    this.json[this.at - 1] = CLOSE_BRACKET;
    return JSON.parse(Buffer.from(this.json.buffer, this.json.byteOffset, this.at).toString('utf8')) as unknown[];
  }
}

const OPEN_BRACKET = 0x5b;
const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;

/** Converts rows read with `shape`, looking resources and scopes up in `sources`. */
export function mapArrayRows<T>(rows: unknown[][], shape: RowShape, sources: SourceTexts, convert: (row: Row) => T): T[] {
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

/** A span row's fields but its attributes, events and links (read as bytes for a trace's answer). */
export function spanFieldsFromRow(row: Row): StoredSpanFields {
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
    resourceJson: row.get('resource') as string,
    scopeJson: row.get('scope') as string,
    droppedAttributesCount: num(row.get('dropped_attributes')),
    droppedEventsCount: num(row.get('dropped_events')),
    droppedLinksCount: num(row.get('dropped_links')),
    sessionId: (row.get('session_id') as string | null) ?? null,
    userId: (row.get('user_id') as string | null) ?? null,
    category: SPAN_CATEGORIES[num(row.get('category'))] ?? 'other',
    llm: llmFromRow(row),
  };
}

export function storedSpanFromRow(row: Row): StoredSpan {
  return {
    ...spanFieldsFromRow(row),
    attributesJson: row.get('attributes') as string,
    eventsJson: row.get('events') as string,
    linksJson: row.get('links') as string,
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
  const record: LogRecordData = {
    ...logFieldsFromRow(row),
    body: row.get('body') as AttributeValue,
    attributes: row.get('attributes') as Attributes,
    resource: shared.of<Resource>(row.get('resource') as string),
    scope: shared.of<InstrumentationScope>(row.get('scope') as string),
  };
  if (isTrue(row.get('body_bytes'))) record.bodyBytes = true;
  return record;
}

export function storedLogFromRow(row: Row): StoredLog {
  const stored: StoredLog = {
    ...logFieldsFromRow(row),
    bodyJson: row.get('body') as string,
    attributesJson: row.get('attributes') as string,
    resourceJson: row.get('resource') as string,
    scopeJson: row.get('scope') as string,
  };
  if (isTrue(row.get('body_bytes'))) stored.bodyBytes = true;
  return stored;
}

/** A boolean column as an engine's JSON gives it: `true`, or ClickHouse's `Bool` as 1 in some paths. */
export function isTrue(value: unknown): boolean {
  return value === true || value === 1;
}

/** An int64 column, exactly, as decimal text: DuckDB reads it as a bigint, ClickHouse reads are asked for text. */
function int64TextOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
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
    intValue: int64TextOrNull(row.get('int_value')),
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
    ...exactCountsOf(row.get('exact_counts')),
  };
}

/** `exactCounts` of a point whose row holds some (parsed from its JSON text), else nothing: the field is absent. */
function exactCountsOf(value: unknown): { exactCounts?: ExactCounts } {
  return value === null || value === undefined ? {} : { exactCounts: value as ExactCounts };
}
