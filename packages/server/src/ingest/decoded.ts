import type { AttributeValue, Attributes, LogRecordData, MetricPointRecord, Resource, SpanRecord } from '@spoor/model';

/**
 * What a decoder hands on: the valid records, and how many it rejected (with the first reason),
 * for the OTLP `partial_success` answer.
 */
export interface Decoded<T> {
  records: T[];
  rejected: number;
  /** The first rejection's reason, or `null` when nothing was rejected. */
  rejectReason: string | null;
  /** Strings whose invalid UTF-8 was replaced with U+FFFD, their records kept (protobuf only). */
  replacedStrings?: number;
}

export type DecodedSpans = Decoded<SpanRecord>;
export type DecodedLogs = Decoded<LogRecordData>;
export type DecodedMetricPoints = Decoded<MetricPointRecord>;

/** Collects rejected records while a decoder runs. */
export class Rejections {
  count = 0;
  reason: string | null = null;
  /** Strings whose invalid UTF-8 was replaced, their records kept. */
  replacedStrings = 0;

  add(count: number, reason: string): void {
    this.count += count;
    this.reason ??= reason;
  }

  /** What the decoder hands on: `records`, and what was rejected or repaired in the request. */
  decoded<T>(records: T[]): Decoded<T> {
    const decoded: Decoded<T> = { records, rejected: this.count, rejectReason: this.reason };
    if (this.replacedStrings > 0) decoded.replacedStrings = this.replacedStrings;
    return decoded;
  }
}

export const UNKNOWN_SERVICE = 'unknown_service';

/** `service.name` of a resource, or OpenTelemetry's fallback name. */
export function serviceNameOf(resource: Resource): string {
  const name = resource.attributes['service.name'];
  return typeof name === 'string' && name !== '' ? name : UNKNOWN_SERVICE;
}

const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/**
 * Why a span's ids make it invalid, or `null` when they are fine. Ids are lowercase hex (the
 * decoders produce or check that); this checks their length and that they are not all zero.
 */
export function spanIdsProblem(traceId: string, spanId: string, parentSpanId: string): string | null {
  return idsProblem(traceId, spanId, parentSpanId === '' || parentSpanId.length === 16);
}

/** `spanIdsProblem` told only whether the parent id is fine (the column path makes no string of it). */
export function idsProblem(traceId: string, spanId: string, parentValid: boolean): string | null {
  if (traceId.length !== 32 || traceId === ZERO_TRACE_ID) {
    return `span has an invalid trace id '${traceId}' (want 16 bytes, not all zero)`;
  }
  if (spanId.length !== 16 || spanId === ZERO_SPAN_ID) {
    return `span ${traceId}/${spanId} has an invalid span id (want 8 bytes, not all zero)`;
  }
  if (!parentValid) return `span ${traceId}/${spanId} has an invalid parent span id (want 8 bytes or none)`;
  return null;
}

/** Why a span is rejected as one before it in the request (the same trace and span id): the first is kept. */
export function repeatedProblem(traceId: string, spanId: string): string {
  return `span ${traceId}/${spanId} appears more than once in the request; the first is kept`;
}

/** Why a span is rejected as one an earlier request carried. */
export function receivedProblem(traceId: string, spanId: string): string {
  return `span ${traceId}/${spanId} was received in an earlier request; it is stored once`;
}

/** Why a log record's optional ids make it invalid, or `null`. */
export function logIdsProblem(traceId: string, spanId: string): string | null {
  if (traceId !== '' && traceId.length !== 32) return `log record has an invalid trace id '${traceId}'`;
  if (spanId !== '' && spanId.length !== 16) return `log record has an invalid span id '${spanId}'`;
  return null;
}

/** Which id, if any, an exemplar or link carries invalidly is not checked: they are kept as sent. */
export function optionalId(hex: string): string | null {
  return hex === '' || /^0+$/.test(hex) ? null : hex;
}

/**
 * Sets an attribute as plain data. `into['__proto__'] = value` would replace the object's
 * prototype instead: the key vanished, and a resource attribute of that name holding a kvlist
 * lent the span another service's name.
 */
export function setAttribute(into: Attributes, key: string, value: AttributeValue): void {
  if (key === '__proto__') Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  else into[key] = value;
}
