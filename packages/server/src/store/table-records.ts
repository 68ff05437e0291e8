import {
  SPAN_CATEGORIES,
  SPAN_KINDS,
  STATUS_CODES,
  type ErrorOccurrenceRecord,
  type InstrumentationScope,
  type LogRecordData,
  type MetricPointRecord,
  type Resource,
  type ScoreRecord,
  type SpanRecord,
} from '@spoor/model';
import { type ColumnSpec, type TableBatch, rowsOf } from './columns.js';
import { sourceRowsOf } from './sources.js';
import {
  ERRORS,
  LLM_RESPONSES,
  LOGS,
  LONGEST_COLUMNS,
  METRIC_POINTS,
  type RecordBatch,
  RUNNING_SPANS,
  SCORES,
  SPANS,
  TRACE_PARTS,
  type WriteBatch,
} from './tables.js';
import type { TracePart } from './trace-parts.js';

/** A write batch read back into records, with its trace parts: what a store kept in memory holds. */
export interface BatchRecords extends Required<Omit<RecordBatch, 'scores' | 'writtenUs' | 'runningSpans'>> {
  traceParts: TracePart[];
  /** Rows of `running_spans`: snapshots with when their request was received. */
  runningSpans: RunningSpanRow[];
  scores: ScoreRow[];
  llmResponses: LlmResponseRow[];
}

/** A row of the `scores` table. */
export interface ScoreRow extends ScoreRecord {
  writtenUs: number;
  deleted: boolean;
}

/** A row of the `running_spans` table. */
export interface RunningSpanRow extends SpanRecord {
  receivedUs: number;
}

/** A row of the `llm_responses` table. */
export interface LlmResponseRow {
  projectId: string;
  responseId: string;
  traceId: string;
  spanId: string;
  timeUs: number;
}

/**
 * Reads a write batch back into the records it was built from (`batchOf` in `tables.ts`, the
 * other way round): for a store that keeps records in memory, and to check that nothing is lost
 * on the way into columns. Tables the batch does not hold give no records.
 */
export function recordsOf(batch: WriteBatch): BatchRecords {
  const out: BatchRecords = { spans: [], logs: [], metricPoints: [], errors: [], traceParts: [], scores: [], llmResponses: [], runningSpans: [] };
  const sources = new Map<string, { resource: Resource; scope: InstrumentationScope }>();
  for (const table of batch.tables) {
    if (table.table !== 'sources') continue;
    for (const row of sourceRowsOf(table)) {
      sources.set(`${row.projectId}/${row.sourceId}`, {
        resource: JSON.parse(row.resourceJson) as Resource,
        scope: JSON.parse(row.scopeJson) as InstrumentationScope,
      });
    }
  }
  const sourceOf = (row: Row): { resource: Resource; scope: InstrumentationScope } => {
    const source = sources.get(`${row.project_id as string}/${row.source_id as string}`);
    if (source === undefined) throw new Error(`the batch has no source ${row.source_id as string} for project ${row.project_id as string}`);
    return source;
  };
  for (const table of batch.tables) {
    if (table.table === 'spans') for (const row of rows(table, SPANS)) out.spans.push(spanOf(row, sourceOf(row)));
    else if (table.table === 'trace_parts') for (const row of rows(table, TRACE_PARTS)) out.traceParts.push(tracePartOf(row));
    else if (table.table === 'logs') for (const row of rows(table, LOGS)) out.logs.push(logOf(row, sourceOf(row)));
    else if (table.table === 'metric_points') for (const row of rows(table, METRIC_POINTS)) out.metricPoints.push(metricPointOf(row, sourceOf(row)));
    else if (table.table === 'errors') for (const row of rows(table, ERRORS)) out.errors.push(errorOf(row));
    else if (table.table === 'scores') for (const row of rows(table, SCORES)) out.scores.push(scoreRowOf(row));
    else if (table.table === 'llm_responses') for (const row of rows(table, LLM_RESPONSES)) out.llmResponses.push(llmResponseOf(row));
    else if (table.table === 'running_spans')
      for (const row of rows(table, RUNNING_SPANS)) out.runningSpans.push({ ...spanOf(row, sourceOf(row)), receivedUs: num(row.received_us) });
  }
  return out;
}

type Row = Record<string, unknown>;

function rows(table: TableBatch, specs: readonly ColumnSpec[]): Row[] {
  return rowsOf(table, specs);
}

const text = (value: unknown): string => value as string;
const textOrNull = (value: unknown): string | null => value as string | null;
const num = (value: unknown): number => value as number;
const numOrNull = (value: unknown): number | null => value as number | null;
const json = <T>(value: unknown): T => JSON.parse(value as string) as T;

function spanOf(r: Row, source: { resource: Resource; scope: InstrumentationScope }): SpanRecord {
  return {
    projectId: text(r.project_id),
    traceId: text(r.trace_id),
    spanId: text(r.span_id),
    parentSpanId: textOrNull(r.parent_span_id),
    traceState: text(r.trace_state),
    flags: num(r.flags),
    name: text(r.name),
    kind: SPAN_KINDS[num(r.kind)]!,
    serviceName: text(r.service_name),
    startTimeUs: num(r.start_us),
    endTimeUs: num(r.end_us),
    status: { code: STATUS_CODES[num(r.status_code)]!, message: text(r.status_message) },
    attributes: json(r.attributes),
    resource: source.resource,
    scope: source.scope,
    events: json(r.events),
    links: json(r.links),
    droppedAttributesCount: num(r.dropped_attributes),
    droppedEventsCount: num(r.dropped_events),
    droppedLinksCount: num(r.dropped_links),
    llm:
      r.is_llm !== true
        ? null
        : {
            provider: textOrNull(r.llm_provider),
            operation: textOrNull(r.llm_operation),
            requestModel: textOrNull(r.llm_request_model),
            responseModel: textOrNull(r.llm_response_model),
            inputTokens: numOrNull(r.input_tokens),
            outputTokens: numOrNull(r.output_tokens),
            totalTokens: numOrNull(r.total_tokens),
            cacheReadInputTokens: numOrNull(r.cache_read_tokens),
            cacheCreationInputTokens: numOrNull(r.cache_creation_tokens),
            reasoningTokens: numOrNull(r.reasoning_tokens),
            costUsd: numOrNull(r.cost_usd),
            costSource: textOrNull(r.cost_source) as NonNullable<SpanRecord['llm']>['costSource'],
            timeToFirstTokenMs: numOrNull(r.ttft_ms),
            finishReasons: r.finish_reasons === null ? null : json(r.finish_reasons),
          },
    sessionId: textOrNull(r.session_id),
    userId: textOrNull(r.user_id),
    category: SPAN_CATEGORIES[num(r.category)]!,
  };
}

function tracePartOf(r: Row): TracePart {
  return {
    projectId: text(r.project_id),
    traceId: text(r.trace_id),
    startUs: num(r.start_us),
    endUs: num(r.end_us),
    spanCount: num(r.span_count),
    errorCount: num(r.error_count),
    rootName: textOrNull(r.root_name),
    rootService: textOrNull(r.root_service),
    rootFailed: r.root_failed as boolean | null,
    firstName: text(r.first_name),
    firstService: text(r.first_service),
    inputTokens: numOrNull(r.input_tokens),
    outputTokens: numOrNull(r.output_tokens),
    costUsd: numOrNull(r.cost_usd),
    sessionId: textOrNull(r.session_id),
    userId: textOrNull(r.user_id),
    longestUs: r[LONGEST_COLUMNS[0]!] === null ? null : LONGEST_COLUMNS.map((name) => num(r[name])),
    unpricedCalls: numOrNull(r.unpriced_calls),
    textBytes: numOrNull(r.text_bytes),
  };
}

function logOf(r: Row, source: { resource: Resource; scope: InstrumentationScope }): LogRecordData {
  return {
    projectId: text(r.project_id),
    logId: text(r.log_id),
    timeUs: num(r.time_us),
    observedTimeUs: num(r.observed_us),
    traceId: textOrNull(r.trace_id),
    spanId: textOrNull(r.span_id),
    flags: num(r.flags),
    severityNumber: num(r.severity_number),
    severityText: text(r.severity_text),
    body: json(r.body),
    attributes: json(r.attributes),
    resource: source.resource,
    scope: source.scope,
    serviceName: text(r.service_name),
    eventName: text(r.event_name),
    droppedAttributesCount: num(r.dropped_attributes),
    ...(r.body_bytes === true ? { bodyBytes: true } : {}),
  };
}

function metricPointOf(r: Row, source: { resource: Resource; scope: InstrumentationScope }): MetricPointRecord {
  return {
    projectId: text(r.project_id),
    name: text(r.name),
    description: text(r.description),
    unit: text(r.unit),
    type: text(r.type) as MetricPointRecord['type'],
    temporality: text(r.temporality) as MetricPointRecord['temporality'],
    isMonotonic: r.is_monotonic as boolean | null,
    serviceName: text(r.service_name),
    resource: source.resource,
    scope: source.scope,
    attributes: json(r.attributes),
    startTimeUs: numOrNull(r.start_us),
    timeUs: num(r.time_us),
    flags: num(r.flags),
    value: numOrNull(r.value),
    intValue: r.int_value === null ? null : String(r.int_value as bigint),
    count: numOrNull(r.count),
    sum: numOrNull(r.sum),
    min: numOrNull(r.min),
    max: numOrNull(r.max),
    bucketCounts: r.bucket_counts as number[] | null,
    explicitBounds: r.explicit_bounds as number[] | null,
    scale: numOrNull(r.scale),
    zeroCount: numOrNull(r.zero_count),
    zeroThreshold: numOrNull(r.zero_threshold),
    positive: r.positive_offset === null ? null : { offset: num(r.positive_offset), bucketCounts: r.positive_counts as number[] },
    negative: r.negative_offset === null ? null : { offset: num(r.negative_offset), bucketCounts: r.negative_counts as number[] },
    quantiles: r.quantiles === null ? null : json(r.quantiles),
    exemplars: json(r.exemplars),
    ...(r.exact_counts === null || r.exact_counts === undefined ? {} : { exactCounts: json(r.exact_counts) }),
  };
}

function errorOf(r: Row): ErrorOccurrenceRecord {
  return {
    projectId: text(r.project_id),
    fingerprint: text(r.fingerprint),
    timeUs: num(r.time_us),
    traceId: textOrNull(r.trace_id),
    spanId: textOrNull(r.span_id),
    parentSpanId: textOrNull(r.parent_span_id),
    serviceName: text(r.service_name),
    spanName: text(r.span_name),
    exceptionType: text(r.exception_type),
    message: text(r.message),
    messageKey: text(r.message_key),
    frame: textOrNull(r.frame),
    provider: textOrNull(r.provider),
    httpStatus: numOrNull(r.http_status),
    errorType: textOrNull(r.error_type),
    finishReason: textOrNull(r.finish_reason),
    toolName: textOrNull(r.tool_name),
    source: text(r.source) as ErrorOccurrenceRecord['source'],
  };
}

function scoreRowOf(r: Row): ScoreRow {
  return {
    projectId: text(r.project_id),
    scoreId: text(r.score_id),
    timeUs: num(r.time_us),
    writtenUs: num(r.written_us),
    traceId: textOrNull(r.trace_id),
    spanId: textOrNull(r.span_id),
    sessionId: textOrNull(r.session_id),
    responseId: textOrNull(r.response_id),
    name: text(r.name),
    value: numOrNull(r.value),
    label: textOrNull(r.label),
    comment: textOrNull(r.comment),
    source: text(r.source) as ScoreRecord['source'],
    author: text(r.author),
    deleted: r.deleted === true,
  };
}

function llmResponseOf(r: Row): LlmResponseRow {
  return { projectId: text(r.project_id), responseId: text(r.response_id), traceId: text(r.trace_id), spanId: text(r.span_id), timeUs: num(r.time_us) };
}
