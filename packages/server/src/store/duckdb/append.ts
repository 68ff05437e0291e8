import { DOUBLE, type DuckDBAppender, LIST, listValue } from '@duckdb/node-api';
import {
  SPAN_CATEGORIES,
  SPAN_KINDS,
  STATUS_CODES,
  type AttributeValue,
  type ErrorOccurrenceRecord,
  type LogRecordData,
  type MetricPointRecord,
  type SpanRecord,
} from '@spoor/model';
import type { SourceCatalog, SourceRow } from '../sources.js';
import type { TracePart } from '../trace-parts.js';

/** What the row writers share within one write: source ids, and the sources new to the store. */
export interface AppendContext {
  sources: SourceCatalog;
  fresh: Map<string, SourceRow>;
}

/** Row writers for the DuckDB appender, one per table, in the column order of `schema.ts`. */

function varcharOrNull(a: DuckDBAppender, value: string | null): void {
  if (value === null) a.appendNull();
  else a.appendVarchar(value);
}

function bigintOrNull(a: DuckDBAppender, value: number | null): void {
  if (value === null) a.appendNull();
  else a.appendBigInt(BigInt(Math.trunc(value)));
}

function doubleOrNull(a: DuckDBAppender, value: number | null): void {
  if (value === null) a.appendNull();
  else a.appendDouble(value);
}

const DOUBLE_LIST = LIST(DOUBLE);

function doubleListOrNull(a: DuckDBAppender, values: number[] | null): void {
  if (values === null) a.appendNull();
  else a.appendList(listValue(values), DOUBLE_LIST);
}

const EMPTY_ARRAY_JSON = '[]';

/** Columns after `is_llm`, provider to finish reasons. */
const LLM_COLUMNS = 13;

export function appendSpan(a: DuckDBAppender, s: SpanRecord, ctx: AppendContext): void {
  a.appendVarchar(s.projectId);
  a.appendVarchar(s.traceId);
  a.appendVarchar(s.spanId);
  varcharOrNull(a, s.parentSpanId);
  a.appendVarchar(s.traceState);
  a.appendUInteger(s.flags);
  a.appendVarchar(s.name);
  a.appendUTinyInt(SPAN_KINDS.indexOf(s.kind));
  a.appendVarchar(s.serviceName);
  a.appendBigInt(BigInt(s.startTimeUs));
  a.appendBigInt(BigInt(s.endTimeUs));
  a.appendBigInt(BigInt(Math.max(0, s.endTimeUs - s.startTimeUs)));
  a.appendUTinyInt(STATUS_CODES.indexOf(s.status.code));
  a.appendVarchar(s.status.message);
  a.appendVarchar(JSON.stringify(s.attributes));
  a.appendVarchar(ctx.sources.idOf(s.projectId, s.resource, s.scope, ctx.fresh));
  a.appendVarchar(s.events.length === 0 ? EMPTY_ARRAY_JSON : JSON.stringify(s.events));
  a.appendVarchar(s.links.length === 0 ? EMPTY_ARRAY_JSON : JSON.stringify(s.links));
  a.appendUInteger(s.droppedAttributesCount);
  a.appendUInteger(s.droppedEventsCount);
  a.appendUInteger(s.droppedLinksCount);
  varcharOrNull(a, s.sessionId);
  const llm = s.llm;
  if (llm === null) {
    a.appendBoolean(false);
    for (let i = 0; i < LLM_COLUMNS; i++) a.appendNull();
  } else {
    a.appendBoolean(true);
    varcharOrNull(a, llm.provider);
    varcharOrNull(a, llm.operation);
    varcharOrNull(a, llm.requestModel);
    varcharOrNull(a, llm.responseModel);
    bigintOrNull(a, llm.inputTokens);
    bigintOrNull(a, llm.outputTokens);
    bigintOrNull(a, llm.totalTokens);
    bigintOrNull(a, llm.cacheReadInputTokens);
    bigintOrNull(a, llm.cacheCreationInputTokens);
    bigintOrNull(a, llm.reasoningTokens);
    doubleOrNull(a, llm.costUsd);
    doubleOrNull(a, llm.timeToFirstTokenMs);
    varcharOrNull(a, llm.finishReasons === null ? null : JSON.stringify(llm.finishReasons));
  }
  varcharOrNull(a, llm?.costSource ?? null);
  a.appendUTinyInt(SPAN_CATEGORIES.indexOf(s.category));
  varcharOrNull(a, s.userId);
  a.endRow();
}

export function appendTracePart(a: DuckDBAppender, p: TracePart): void {
  a.appendVarchar(p.projectId);
  a.appendVarchar(p.traceId);
  a.appendBigInt(BigInt(p.startUs));
  a.appendBigInt(BigInt(p.endUs));
  a.appendBigInt(BigInt(p.spanCount));
  a.appendBigInt(BigInt(p.errorCount));
  varcharOrNull(a, p.rootName);
  varcharOrNull(a, p.rootService);
  a.appendVarchar(p.firstName);
  a.appendVarchar(p.firstService);
  bigintOrNull(a, p.inputTokens);
  bigintOrNull(a, p.outputTokens);
  doubleOrNull(a, p.costUsd);
  if (p.rootFailed === null) a.appendNull();
  else a.appendBoolean(p.rootFailed);
  a.endRow();
}

/** A log body as searchable text: strings as they are, anything else as JSON. */
function bodyText(body: AttributeValue): string {
  return typeof body === 'string' ? body : body === null ? '' : JSON.stringify(body);
}

export function appendLog(a: DuckDBAppender, l: LogRecordData, ctx: AppendContext): void {
  a.appendVarchar(l.projectId);
  a.appendVarchar(l.logId);
  a.appendBigInt(BigInt(l.timeUs));
  a.appendBigInt(BigInt(l.observedTimeUs));
  varcharOrNull(a, l.traceId);
  varcharOrNull(a, l.spanId);
  a.appendUInteger(l.flags);
  a.appendUTinyInt(Math.min(255, Math.max(0, l.severityNumber)));
  a.appendVarchar(l.severityText);
  a.appendVarchar(JSON.stringify(l.body));
  a.appendVarchar(bodyText(l.body));
  a.appendVarchar(JSON.stringify(l.attributes));
  a.appendVarchar(ctx.sources.idOf(l.projectId, l.resource, l.scope, ctx.fresh));
  a.appendVarchar(l.serviceName);
  a.appendVarchar(l.eventName);
  a.appendUInteger(l.droppedAttributesCount);
  a.endRow();
}

export function appendMetricPoint(a: DuckDBAppender, p: MetricPointRecord, ctx: AppendContext): void {
  a.appendVarchar(p.projectId);
  a.appendVarchar(p.name);
  a.appendVarchar(p.description);
  a.appendVarchar(p.unit);
  a.appendVarchar(p.type);
  a.appendVarchar(p.temporality);
  if (p.isMonotonic === null) a.appendNull();
  else a.appendBoolean(p.isMonotonic);
  a.appendVarchar(p.serviceName);
  a.appendVarchar(ctx.sources.idOf(p.projectId, p.resource, p.scope, ctx.fresh));
  a.appendVarchar(JSON.stringify(p.attributes));
  bigintOrNull(a, p.startTimeUs);
  a.appendBigInt(BigInt(p.timeUs));
  a.appendUInteger(p.flags);
  doubleOrNull(a, p.value);
  doubleOrNull(a, p.count);
  doubleOrNull(a, p.sum);
  doubleOrNull(a, p.min);
  doubleOrNull(a, p.max);
  doubleListOrNull(a, p.bucketCounts);
  doubleListOrNull(a, p.explicitBounds);
  if (p.scale === null) a.appendNull();
  else a.appendInteger(p.scale);
  doubleOrNull(a, p.zeroCount);
  doubleOrNull(a, p.zeroThreshold);
  if (p.positive === null) {
    a.appendNull();
    a.appendNull();
  } else {
    a.appendInteger(p.positive.offset);
    doubleListOrNull(a, p.positive.bucketCounts);
  }
  if (p.negative === null) {
    a.appendNull();
    a.appendNull();
  } else {
    a.appendInteger(p.negative.offset);
    doubleListOrNull(a, p.negative.bucketCounts);
  }
  varcharOrNull(a, p.quantiles === null ? null : JSON.stringify(p.quantiles));
  a.appendVarchar(JSON.stringify(p.exemplars));
  a.endRow();
}

export function appendError(a: DuckDBAppender, e: ErrorOccurrenceRecord): void {
  a.appendVarchar(e.projectId);
  a.appendVarchar(e.fingerprint);
  a.appendBigInt(BigInt(e.timeUs));
  varcharOrNull(a, e.traceId);
  varcharOrNull(a, e.spanId);
  varcharOrNull(a, e.parentSpanId);
  a.appendVarchar(e.serviceName);
  a.appendVarchar(e.spanName);
  a.appendVarchar(e.exceptionType);
  a.appendVarchar(e.message);
  a.appendVarchar(e.messageKey);
  varcharOrNull(a, e.frame);
  varcharOrNull(a, e.provider);
  if (e.httpStatus === null) a.appendNull();
  else a.appendInteger(e.httpStatus);
  varcharOrNull(a, e.errorType);
  varcharOrNull(a, e.finishReason);
  varcharOrNull(a, e.toolName);
  a.appendVarchar(e.source);
  a.endRow();
}
