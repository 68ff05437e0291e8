import {
  SPAN_CATEGORIES,
  SPAN_KINDS,
  STATUS_CODES,
  type AttributeValue,
  type ErrorOccurrenceRecord,
  type LogRecordData,
  type MetricPointRecord,
  type ScoreRecord,
  type SpanRecord,
} from '@spoor/model';
import { BatchBuilder, type Column, type ColumnSpec, type TableBatch } from './columns.js';
import { SOURCES, SourceIds } from './sources.js';
import { addUtf8Lengths } from './text-bytes.js';
import { type TracePart, tracePartsOf } from './trace-parts.js';

/**
 * The tables every engine stores, as column lists, and how records become their rows. An
 * engine's schema has these columns in this order (the DuckDB schema is checked against them);
 * attribute maps, events, links, resources and scopes are JSON text, as decoded.
 */
const col = (name: string, type: ColumnSpec['type']): ColumnSpec => ({ name, type });

export const SPANS: readonly ColumnSpec[] = [
  col('project_id', 'varchar'),
  col('trace_id', 'varchar'),
  col('span_id', 'varchar'),
  col('parent_span_id', 'varchar'),
  col('trace_state', 'varchar'),
  col('flags', 'uinteger'),
  col('name', 'varchar'),
  col('kind', 'utinyint'),
  col('service_name', 'varchar'),
  col('start_us', 'bigint'),
  col('end_us', 'bigint'),
  col('duration_us', 'bigint'),
  col('status_code', 'utinyint'),
  col('status_message', 'varchar'),
  col('attributes', 'varchar'),
  col('source_id', 'varchar'),
  col('events', 'varchar'),
  col('links', 'varchar'),
  col('dropped_attributes', 'uinteger'),
  col('dropped_events', 'uinteger'),
  col('dropped_links', 'uinteger'),
  col('session_id', 'varchar'),
  col('is_llm', 'boolean'),
  col('llm_provider', 'varchar'),
  col('llm_operation', 'varchar'),
  col('llm_request_model', 'varchar'),
  col('llm_response_model', 'varchar'),
  col('input_tokens', 'bigint'),
  col('output_tokens', 'bigint'),
  col('total_tokens', 'bigint'),
  col('cache_read_tokens', 'bigint'),
  col('cache_creation_tokens', 'bigint'),
  col('reasoning_tokens', 'bigint'),
  col('cost_usd', 'double'),
  col('ttft_ms', 'double'),
  col('finish_reasons', 'varchar'),
  col('cost_source', 'varchar'),
  col('category', 'utinyint'),
  col('user_id', 'varchar'),
];

/** A trace part's longest span of each category, µs, in `SPAN_CATEGORIES`' order (`TracePart.longestUs`). */
export const LONGEST_COLUMNS: readonly string[] = SPAN_CATEGORIES.map((category) => `longest_${category}_us`);

/**
 * A trace id's last 8 hex digits as a number, stored beside the id in `trace_parts` (`trace_key`).
 * Finding a trace's parts by id alone compares every part's 32-character id (DuckDB keeps parts in
 * the order written, and ids say nothing of where); comparing this 4-byte column first, and the text
 * only where it matches, does far less (BENCHMARKS.md). The last digits, because W3C trace context
 * (level 2) makes the right-most 7 bytes random, while generators may put a time in the first
 * (AWS X-Ray's ids begin with their second). 0 for an id that does not end in 8 hex digits; the id
 * is compared as well, so the key only narrows.
 */
export function traceKeyOf(traceId: string): number {
  return HEX8_END.test(traceId) ? Number.parseInt(traceId.slice(-8), 16) : 0;
}

const HEX8_END = /[0-9a-fA-F]{8}$/;

export const TRACE_PARTS: readonly ColumnSpec[] = [
  col('project_id', 'varchar'),
  col('trace_id', 'varchar'),
  col('start_us', 'bigint'),
  col('end_us', 'bigint'),
  col('span_count', 'bigint'),
  col('error_count', 'bigint'),
  col('root_name', 'varchar'),
  col('root_service', 'varchar'),
  col('first_name', 'varchar'),
  col('first_service', 'varchar'),
  col('input_tokens', 'bigint'),
  col('output_tokens', 'bigint'),
  col('cost_usd', 'double'),
  col('root_failed', 'boolean'),
  col('session_id', 'varchar'),
  col('user_id', 'varchar'),
  ...LONGEST_COLUMNS.map((name) => col(name, 'bigint')),
  col('unpriced_calls', 'bigint'),
  col('trace_key', 'uinteger'),
  // The UTF-8 bytes of the part's spans' attributes, events and links (`TracePart.textBytes`).
  col('text_bytes', 'bigint'),
];

export const LOGS: readonly ColumnSpec[] = [
  col('project_id', 'varchar'),
  col('log_id', 'varchar'),
  col('time_us', 'bigint'),
  col('observed_us', 'bigint'),
  col('trace_id', 'varchar'),
  col('span_id', 'varchar'),
  col('flags', 'uinteger'),
  col('severity_number', 'utinyint'),
  col('severity_text', 'varchar'),
  col('body', 'varchar'),
  col('body_text', 'varchar'),
  col('attributes', 'varchar'),
  col('source_id', 'varchar'),
  col('service_name', 'varchar'),
  col('event_name', 'varchar'),
  col('dropped_attributes', 'uinteger'),
  // The body was OTLP bytes, and `body` is their base64 text.
  col('body_bytes', 'boolean'),
];

export const METRIC_POINTS: readonly ColumnSpec[] = [
  col('project_id', 'varchar'),
  col('name', 'varchar'),
  col('description', 'varchar'),
  col('unit', 'varchar'),
  col('type', 'varchar'),
  col('temporality', 'varchar'),
  col('is_monotonic', 'boolean'),
  col('service_name', 'varchar'),
  col('source_id', 'varchar'),
  col('attributes', 'varchar'),
  col('start_us', 'bigint'),
  col('time_us', 'bigint'),
  col('flags', 'uinteger'),
  col('value', 'double'),
  col('count', 'double'),
  col('sum', 'double'),
  col('min', 'double'),
  col('max', 'double'),
  col('bucket_counts', 'double[]'),
  col('explicit_bounds', 'double[]'),
  col('scale', 'integer'),
  col('zero_count', 'double'),
  col('zero_threshold', 'double'),
  col('positive_offset', 'integer'),
  col('positive_counts', 'double[]'),
  col('negative_offset', 'integer'),
  col('negative_counts', 'double[]'),
  col('quantiles', 'varchar'),
  col('exemplars', 'varchar'),
  // An integer point's exact value; `value` holds it as a double, rounded past 2^53.
  col('int_value', 'int64'),
  // The counts past 2^53 as decimal text (`ExactCounts`, JSON), NULL when the doubles are exact.
  col('exact_counts', 'varchar'),
];

export const ERRORS: readonly ColumnSpec[] = [
  col('project_id', 'varchar'),
  col('fingerprint', 'varchar'),
  col('time_us', 'bigint'),
  col('trace_id', 'varchar'),
  col('span_id', 'varchar'),
  col('parent_span_id', 'varchar'),
  col('service_name', 'varchar'),
  col('span_name', 'varchar'),
  col('exception_type', 'varchar'),
  col('message', 'varchar'),
  col('message_key', 'varchar'),
  col('frame', 'varchar'),
  col('provider', 'varchar'),
  col('http_status', 'integer'),
  col('error_type', 'varchar'),
  col('finish_reason', 'varchar'),
  col('tool_name', 'varchar'),
  col('source', 'varchar'),
];

/**
 * Scores, appended: a score sent again or changed is a new row, and a read keeps the newest row
 * of each `score_id` (the slot its target, name, source and author name), leaving it out when
 * that row is a deletion. `written_us` orders two rows of one slot with the same time.
 */
export const SCORES: readonly ColumnSpec[] = [
  col('project_id', 'varchar'),
  col('score_id', 'varchar'),
  col('time_us', 'bigint'),
  col('written_us', 'bigint'),
  col('trace_id', 'varchar'),
  col('span_id', 'varchar'),
  col('session_id', 'varchar'),
  col('response_id', 'varchar'),
  col('name', 'varchar'),
  col('value', 'double'),
  col('label', 'varchar'),
  col('comment', 'varchar'),
  col('source', 'varchar'),
  col('author', 'varchar'),
  col('deleted', 'boolean'),
];

/**
 * The span of each LLM response id (`gen_ai.response.id`): where an evaluation event that named
 * only the response id finds its span, whichever of the two arrived first.
 */
export const LLM_RESPONSES: readonly ColumnSpec[] = [
  col('project_id', 'varchar'),
  col('response_id', 'varchar'),
  col('trace_id', 'varchar'),
  col('span_id', 'varchar'),
  col('time_us', 'bigint'),
];

/**
 * Running snapshots: spans sent before they ended (`endTimeUnixNano` 0), appended as they come.
 * The columns of `spans` (`end_us` and `duration_us` 0), and when the request that carried the
 * snapshot was received, which orders two snapshots of one span (a spooled request replayed
 * keeps its time). A read keeps the newest snapshot of each span and none of a span stored
 * ended (`store/sql/running-spans.ts`); nothing counts them.
 */
export const RUNNING_SPANS: readonly ColumnSpec[] = [...SPANS, col('received_us', 'bigint')];

/** Every table a write batch may hold, in the order a batch is written (sources before what points at them, a trace's parts right after its spans). */
export const TABLES = {
  sources: SOURCES,
  spans: SPANS,
  trace_parts: TRACE_PARTS,
  logs: LOGS,
  metric_points: METRIC_POINTS,
  errors: ERRORS,
  scores: SCORES,
  llm_responses: LLM_RESPONSES,
  running_spans: RUNNING_SPANS,
} as const;

export type TableName = keyof typeof TABLES;

/**
 * Tail sampling's slim spans (`sql/span-stats.ts`): the columns of `spans`, and the response id an
 * LLM call's `llm_responses` row held (`''` for other spans). No write batch holds them (the
 * sampling move fills the table), but they are copied as records are: `spoor migrate` moves them
 * in chunks through the ClickHouse writer. Each engine adds its commit column.
 */
export const SPAN_STATS: readonly ColumnSpec[] = [...SPANS, col('response_id', 'varchar')];

/** The record tables `spoor migrate` copies in chunks of column batches: every table a write batch may hold, then `span_stats`. */
export const COPIED_TABLES = { ...TABLES, span_stats: SPAN_STATS } as const;

export type CopiedTableName = keyof typeof COPIED_TABLES;

/** Records to write together, before they become columns. */
export interface RecordBatch {
  spans: SpanRecord[];
  logs: LogRecordData[];
  metricPoints: MetricPointRecord[];
  /** The errors found in these spans and logs at ingest (`normalize/error-occurrences.ts`). */
  errors?: ErrorOccurrenceRecord[];
  /** The scores these spans' and logs' evaluation events carry (`normalize/scores.ts`), or scores sent by REST. */
  scores?: ScoreRecord[];
  /** When the scores were written (orders two versions of a score with the same time); for ingest, when the request was received. */
  writtenUs?: number;
  /**
   * Snapshots of spans still running (sent with no end), normalized and masked like `spans`;
   * stored in `running_spans` with `writtenUs` as their `received_us`, and nothing is derived
   * from them (no trace parts, errors, scores or response ids).
   */
  runningSpans?: SpanRecord[];
}

/**
 * A write batch: its tables as columns, and how many records (spans, logs and metric points) it
 * carries. Trace parts and sources are derived from the records when the batch is built, so a
 * batch written again adds nothing new to derive.
 */
export interface WriteBatch {
  records: number;
  tables: TableBatch[];
}

const EMPTY_ARRAY_JSON = '[]';

/** Turns records into a write batch: their tables, the trace parts of their spans, and their sources. */
export function batchOf(records: RecordBatch): WriteBatch {
  const sources = new SourceIds();
  const tables: TableBatch[] = [];
  const { spans, logs, metricPoints, errors = [], scores = [], runningSpans = [] } = records;
  // Sources first: the records' columns ask for their ids.
  const spanTable = spans.length === 0 ? null : spanColumns(spans, sources);
  const runningTable = runningSpans.length === 0 ? null : runningSpanColumns(runningSpans, sources, records.writtenUs ?? 0);
  const logTable = logs.length === 0 ? null : logColumns(logs, sources);
  const pointTable = metricPoints.length === 0 ? null : metricPointColumns(metricPoints, sources);
  if (sources.size > 0) tables.push(sources.columns());
  if (spanTable !== null) {
    tables.push(spanTable, tracePartColumns(tracePartsOf(spans, spanTextBytes(spanTable))));
    const responses = llmResponseColumns(spans);
    if (responses !== null) tables.push(responses);
  }
  if (logTable !== null) tables.push(logTable);
  if (pointTable !== null) tables.push(pointTable);
  if (errors.length > 0) tables.push(errorColumns(errors));
  if (scores.length > 0) tables.push(scoreColumns(scores, records.writtenUs ?? 0));
  if (runningTable !== null) tables.push(runningTable);
  // Snapshots are records of the batch (the queue and the spool carry them), though nothing counts them as spans.
  return { records: spans.length + logs.length + metricPoints.length + runningSpans.length, tables };
}

export function spanColumns(spans: readonly SpanRecord[], sources: SourceIds): TableBatch {
  const b = new BatchBuilder('spans', SPANS, spans.length);
  for (const s of spans) {
    spanRow(b, s, sources);
    b.endRow();
  }
  return b.build();
}

const TEXT_COLUMNS = ['attributes', 'events', 'links'].map((name) => SPANS.findIndex((c) => c.name === name));

/** Each row's attributes, events and links, in the UTF-8 bytes stored, from a `spans` batch's columns (`TracePart.textBytes`). */
export function spanTextBytes(spans: TableBatch): Float64Array {
  const bytes = new Float64Array(spans.rows);
  for (const c of TEXT_COLUMNS) addUtf8Lengths(spans.columns[c] as Extract<Column, { type: 'varchar' }>, spans.rows, bytes);
  return bytes;
}

/** Running snapshots as rows of `running_spans`: a span's row, and when its request was received. */
export function runningSpanColumns(spans: readonly SpanRecord[], sources: SourceIds, receivedUs: number): TableBatch {
  const b = new BatchBuilder('running_spans', RUNNING_SPANS, spans.length);
  for (const s of spans) {
    spanRow(b, s, sources);
    b.number(receivedUs);
    b.endRow();
  }
  return b.build();
}

/** The `SPANS` columns of one span, the row left open. */
function spanRow(b: BatchBuilder, s: SpanRecord, sources: SourceIds): void {
  b.varchar(s.projectId).varchar(s.traceId).varchar(s.spanId).varchar(s.parentSpanId).varchar(s.traceState);
  b.number(s.flags).varchar(s.name).number(SPAN_KINDS.indexOf(s.kind)).varchar(s.serviceName);
  b.number(s.startTimeUs)
    .number(s.endTimeUs)
    .number(Math.max(0, s.endTimeUs - s.startTimeUs));
  b.number(STATUS_CODES.indexOf(s.status.code)).varchar(s.status.message).varchar(JSON.stringify(s.attributes));
  b.varchar(sources.idOf(s.projectId, s.resource, s.scope));
  b.varchar(s.events.length === 0 ? EMPTY_ARRAY_JSON : JSON.stringify(s.events));
  b.varchar(s.links.length === 0 ? EMPTY_ARRAY_JSON : JSON.stringify(s.links));
  b.number(s.droppedAttributesCount).number(s.droppedEventsCount).number(s.droppedLinksCount).varchar(s.sessionId);
  const llm = s.llm;
  b.boolean(llm !== null);
  if (llm === null) {
    b.varchar(null).varchar(null).varchar(null).varchar(null);
    b.number(null).number(null).number(null).number(null).number(null).number(null).number(null).number(null);
    b.varchar(null).varchar(null);
  } else {
    b.varchar(llm.provider).varchar(llm.operation).varchar(llm.requestModel).varchar(llm.responseModel);
    b.number(llm.inputTokens).number(llm.outputTokens).number(llm.totalTokens);
    b.number(llm.cacheReadInputTokens).number(llm.cacheCreationInputTokens).number(llm.reasoningTokens);
    b.number(llm.costUsd).number(llm.timeToFirstTokenMs);
    b.varchar(llm.finishReasons === null ? null : JSON.stringify(llm.finishReasons)).varchar(llm.costSource);
  }
  b.number(SPAN_CATEGORIES.indexOf(s.category)).varchar(s.userId);
}

export function tracePartColumns(parts: readonly TracePart[]): TableBatch {
  const b = new BatchBuilder('trace_parts', TRACE_PARTS, parts.length);
  for (const p of parts) {
    b.varchar(p.projectId).varchar(p.traceId).number(p.startUs).number(p.endUs).number(p.spanCount).number(p.errorCount);
    b.varchar(p.rootName).varchar(p.rootService).varchar(p.firstName).varchar(p.firstService);
    b.number(p.inputTokens).number(p.outputTokens).number(p.costUsd).boolean(p.rootFailed).varchar(p.sessionId).varchar(p.userId);
    for (let c = 0; c < LONGEST_COLUMNS.length; c++) b.number(p.longestUs?.[c] ?? null);
    b.number(p.unpricedCalls).number(traceKeyOf(p.traceId)).number(p.textBytes);
    b.endRow();
  }
  return b.build();
}

/** A log body as searchable text: strings as they are, anything else as JSON. */
function bodyText(body: AttributeValue): string {
  return typeof body === 'string' ? body : body === null ? '' : JSON.stringify(body);
}

export function logColumns(logs: readonly LogRecordData[], sources: SourceIds): TableBatch {
  const b = new BatchBuilder('logs', LOGS, logs.length);
  for (const l of logs) {
    b.varchar(l.projectId).varchar(l.logId).number(l.timeUs).number(l.observedTimeUs).varchar(l.traceId).varchar(l.spanId);
    b.number(l.flags)
      .number(Math.min(255, Math.max(0, l.severityNumber)))
      .varchar(l.severityText);
    b.varchar(JSON.stringify(l.body)).varchar(bodyText(l.body)).varchar(JSON.stringify(l.attributes));
    b.varchar(sources.idOf(l.projectId, l.resource, l.scope))
      .varchar(l.serviceName)
      .varchar(l.eventName)
      .number(l.droppedAttributesCount);
    b.boolean(l.bodyBytes === true);
    b.endRow();
  }
  return b.build();
}

export function metricPointColumns(points: readonly MetricPointRecord[], sources: SourceIds): TableBatch {
  const b = new BatchBuilder('metric_points', METRIC_POINTS, points.length);
  for (const p of points) {
    b.varchar(p.projectId).varchar(p.name).varchar(p.description).varchar(p.unit).varchar(p.type).varchar(p.temporality);
    b.boolean(p.isMonotonic)
      .varchar(p.serviceName)
      .varchar(sources.idOf(p.projectId, p.resource, p.scope))
      .varchar(JSON.stringify(p.attributes));
    b.number(p.startTimeUs).number(p.timeUs).number(p.flags);
    b.number(p.value).number(p.count).number(p.sum).number(p.min).number(p.max);
    b.list(p.bucketCounts).list(p.explicitBounds).number(p.scale).number(p.zeroCount).number(p.zeroThreshold);
    b.number(p.positive?.offset ?? null).list(p.positive?.bucketCounts ?? null);
    b.number(p.negative?.offset ?? null).list(p.negative?.bucketCounts ?? null);
    b.varchar(p.quantiles === null ? null : JSON.stringify(p.quantiles)).varchar(JSON.stringify(p.exemplars));
    b.int64(p.intValue === null ? null : BigInt(p.intValue));
    b.varchar(p.exactCounts === undefined ? null : JSON.stringify(p.exactCounts));
    b.endRow();
  }
  return b.build();
}

export function errorColumns(errors: readonly ErrorOccurrenceRecord[]): TableBatch {
  const b = new BatchBuilder('errors', ERRORS, errors.length);
  for (const e of errors) {
    b.varchar(e.projectId).varchar(e.fingerprint).number(e.timeUs).varchar(e.traceId).varchar(e.spanId).varchar(e.parentSpanId);
    b.varchar(e.serviceName).varchar(e.spanName).varchar(e.exceptionType).varchar(e.message).varchar(e.messageKey);
    b.varchar(e.frame).varchar(e.provider).number(e.httpStatus).varchar(e.errorType).varchar(e.finishReason).varchar(e.toolName);
    b.varchar(e.source);
    b.endRow();
  }
  return b.build();
}

export function scoreColumns(scores: readonly ScoreRecord[], writtenUs: number, deleted = false): TableBatch {
  const b = new BatchBuilder('scores', SCORES, scores.length);
  for (const s of scores) {
    b.varchar(s.projectId).varchar(s.scoreId).number(s.timeUs).number(writtenUs);
    b.varchar(s.traceId).varchar(s.spanId).varchar(s.sessionId).varchar(s.responseId);
    b.varchar(s.name).number(s.value).varchar(s.label).varchar(s.comment).varchar(s.source).varchar(s.author);
    b.boolean(deleted);
    b.endRow();
  }
  return b.build();
}

/** The attribute an LLM call's response id is read from, for `llm_responses` (and, once its trace is sampled out, `span_stats`), when a string. */
export const LLM_RESPONSE_ID = 'gen_ai.response.id';

/** The response ids of the LLM spans among `spans`, or `null` when none has one. */
function llmResponseColumns(spans: readonly SpanRecord[]): TableBatch | null {
  let count = 0;
  for (const s of spans) if (s.llm !== null && typeof s.attributes[LLM_RESPONSE_ID] === 'string') count++;
  if (count === 0) return null;
  const b = new BatchBuilder('llm_responses', LLM_RESPONSES, count);
  for (const s of spans) {
    const id = s.llm === null ? undefined : s.attributes[LLM_RESPONSE_ID];
    if (typeof id !== 'string') continue;
    b.varchar(s.projectId).varchar(id).varchar(s.traceId).varchar(s.spanId).number(s.startTimeUs);
    b.endRow();
  }
  return b.build();
}
