import {
  SPAN_KINDS,
  STATUS_CODES,
  type InstrumentationScope,
  type LlmFields,
  type LogRecordData,
  type MetricPointRecord,
  type MetricType,
  type Resource,
  type SpanRecord,
  type Temporality,
} from '@spoor/model';

/** Converters from DuckDB result rows (`getRowObjectsJS`) to model records. */
type Row = Record<string, unknown>;

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

/** Spans joined with their source (resource and scope); use with `SPAN_COLUMNS`. */
export const SPANS_WITH_SOURCES = 'spans JOIN sources USING (project_id, source_id)';

export const SPAN_COLUMNS = `project_id, trace_id, span_id, parent_span_id, trace_state, flags, name, kind, service_name,
  start_us, end_us, status_code, status_message, attributes, resource, scope, events, links,
  dropped_attributes, dropped_events, dropped_links, session_id, is_llm, llm_provider, llm_operation,
  llm_request_model, llm_response_model, input_tokens, output_tokens, total_tokens, cache_read_tokens,
  cache_creation_tokens, reasoning_tokens, cost_usd, ttft_ms, finish_reasons`;

function llmFromRow(row: Row): LlmFields | null {
  if (row.is_llm !== true) return null;
  return {
    provider: (row.llm_provider as string | null) ?? null,
    operation: (row.llm_operation as string | null) ?? null,
    requestModel: (row.llm_request_model as string | null) ?? null,
    responseModel: (row.llm_response_model as string | null) ?? null,
    inputTokens: numOrNull(row.input_tokens),
    outputTokens: numOrNull(row.output_tokens),
    totalTokens: numOrNull(row.total_tokens),
    cacheReadInputTokens: numOrNull(row.cache_read_tokens),
    cacheCreationInputTokens: numOrNull(row.cache_creation_tokens),
    reasoningTokens: numOrNull(row.reasoning_tokens),
    costUsd: numOrNull(row.cost_usd),
    timeToFirstTokenMs: numOrNull(row.ttft_ms),
    finishReasons: row.finish_reasons === null ? null : (JSON.parse(row.finish_reasons as string) as string[]),
  };
}

export function spanFromRow(row: Row, shared: JsonParseCache): SpanRecord {
  return {
    projectId: row.project_id as string,
    traceId: row.trace_id as string,
    spanId: row.span_id as string,
    parentSpanId: (row.parent_span_id as string | null) ?? null,
    traceState: row.trace_state as string,
    flags: num(row.flags),
    name: row.name as string,
    kind: SPAN_KINDS[num(row.kind)] ?? 'unspecified',
    serviceName: row.service_name as string,
    startTimeUs: num(row.start_us),
    endTimeUs: num(row.end_us),
    status: { code: STATUS_CODES[num(row.status_code)] ?? 'unset', message: row.status_message as string },
    attributes: JSON.parse(row.attributes as string),
    resource: shared.of<Resource>(row.resource as string),
    scope: shared.of<InstrumentationScope>(row.scope as string),
    events: JSON.parse(row.events as string),
    links: JSON.parse(row.links as string),
    droppedAttributesCount: num(row.dropped_attributes),
    droppedEventsCount: num(row.dropped_events),
    droppedLinksCount: num(row.dropped_links),
    sessionId: (row.session_id as string | null) ?? null,
    llm: llmFromRow(row),
  };
}

/** Logs joined with their source; use with `LOG_COLUMNS`. */
export const LOGS_WITH_SOURCES = 'logs JOIN sources USING (project_id, source_id)';

export const LOG_COLUMNS = `project_id, log_id, time_us, observed_us, trace_id, span_id, flags, severity_number,
  severity_text, body, attributes, resource, scope, service_name, event_name, dropped_attributes`;

export function logFromRow(row: Row, shared: JsonParseCache): LogRecordData {
  return {
    projectId: row.project_id as string,
    logId: row.log_id as string,
    timeUs: num(row.time_us),
    observedTimeUs: num(row.observed_us),
    traceId: (row.trace_id as string | null) ?? null,
    spanId: (row.span_id as string | null) ?? null,
    flags: num(row.flags),
    severityNumber: num(row.severity_number),
    severityText: row.severity_text as string,
    body: JSON.parse(row.body as string),
    attributes: JSON.parse(row.attributes as string),
    resource: shared.of<Resource>(row.resource as string),
    scope: shared.of<InstrumentationScope>(row.scope as string),
    serviceName: row.service_name as string,
    eventName: row.event_name as string,
    droppedAttributesCount: num(row.dropped_attributes),
  };
}

export function metricPointFromRow(row: Row, shared: JsonParseCache): MetricPointRecord {
  const positiveCounts = numbersOrNull(row.positive_counts);
  const negativeCounts = numbersOrNull(row.negative_counts);
  return {
    projectId: row.project_id as string,
    name: row.name as string,
    description: row.description as string,
    unit: row.unit as string,
    type: row.type as MetricType,
    temporality: row.temporality as Temporality,
    isMonotonic: (row.is_monotonic as boolean | null) ?? null,
    serviceName: row.service_name as string,
    resource: shared.of<Resource>(row.resource as string),
    scope: shared.of<InstrumentationScope>(row.scope as string),
    attributes: JSON.parse(row.attributes as string),
    startTimeUs: numOrNull(row.start_us),
    timeUs: num(row.time_us),
    flags: num(row.flags),
    value: numOrNull(row.value),
    count: numOrNull(row.count),
    sum: numOrNull(row.sum),
    min: numOrNull(row.min),
    max: numOrNull(row.max),
    bucketCounts: numbersOrNull(row.bucket_counts),
    explicitBounds: numbersOrNull(row.explicit_bounds),
    scale: numOrNull(row.scale),
    zeroCount: numOrNull(row.zero_count),
    zeroThreshold: numOrNull(row.zero_threshold),
    positive: positiveCounts === null ? null : { offset: num(row.positive_offset), bucketCounts: positiveCounts },
    negative: negativeCounts === null ? null : { offset: num(row.negative_offset), bucketCounts: negativeCounts },
    quantiles: row.quantiles === null ? null : JSON.parse(row.quantiles as string),
    exemplars: JSON.parse(row.exemplars as string),
  };
}

export { num, numOrNull };
