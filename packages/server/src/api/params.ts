import {
  microsFromIso,
  SEVERITY_NUMBERS,
  type AttributeFilter,
  type LogQuery,
  type MetricPointQuery,
  type SeverityName,
  type TimeRange,
  type TraceQuery,
} from '@spoor/model';
import { AppError } from '../errors.js';

/**
 * Query-string parsing for the REST API. Every invalid parameter gets a 400 that names it; a
 * parameter the endpoint does not know is an error too, so a typo never silently widens a query.
 */
export type QueryString = Record<string, string | string[] | undefined>;

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

export function invalid(name: string, message: string): AppError {
  return new AppError('ERR_INVALID_PARAMETER', `'${name}' ${message}`);
}

/** A JSON request body as an object of known fields; a 400 names what is wrong and the fields there are. */
export function jsonBody(body: unknown, what: string, fields: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('ERR_BAD_REQUEST', `the body of ${what} must be a JSON object`);
  for (const field of Object.keys(body)) {
    if (!fields.includes(field)) throw new AppError('ERR_BAD_REQUEST', `'${field}' is not a field of ${what} (known: ${fields.join(', ')})`);
  }
  return body as Record<string, unknown>;
}

export function rejectUnknown(q: QueryString, known: readonly string[]): void {
  for (const name of Object.keys(q)) {
    if (!known.includes(name)) throw invalid(name, `is not a parameter of this endpoint (known: ${known.join(', ')})`);
  }
}

export function single(q: QueryString, name: string): string | null {
  const value = q[name];
  if (value === undefined) return null;
  if (Array.isArray(value)) throw invalid(name, 'may be given only once');
  return value;
}

export function many(q: QueryString, name: string): string[] {
  const value = q[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function text(q: QueryString, name: string): string | null {
  const value = single(q, name);
  if (value === null) return null;
  if (value === '') throw invalid(name, 'must not be empty');
  return value;
}

/**
 * Latest time accepted: the start of the year 10000, in epoch microseconds. Also the bound of
 * every duration, so that no time or duration a query computes leaves a 64-bit integer.
 */
export const MAX_TIME_US = 253_402_300_800_000_000;

/** An ISO-8601 date, with or without its time: what `Date.parse` takes beside it (`-1`, `May 3`) is refused. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A time: ISO-8601, or epoch milliseconds, between 1970 and the year 9999. */
export function time(q: QueryString, name: string): number | null {
  const value = single(q, name);
  if (value === null) return null;
  const us = /^\d{1,16}$/.test(value) ? Number(value) * 1000 : ISO_DATE.test(value) ? microsFromIso(value) : null;
  if (us === null || !(us >= 0 && us < MAX_TIME_US)) {
    throw invalid(name, `must be an ISO-8601 time or epoch milliseconds between 1970 and 9999, not '${value}'`);
  }
  return us;
}

const DECIMAL = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** A parameter's number, written in decimal (`Number` would also take `0x10`, `Infinity` and blanks); else NaN. */
export function decimal(value: string): number {
  return DECIMAL.test(value) ? Number(value) : Number.NaN;
}

/** A number of milliseconds from 0 to the longest duration Spoor keeps (up to the year 9999). */
export function nonNegative(q: QueryString, name: string): number | null {
  const value = single(q, name);
  if (value === null) return null;
  const n = decimal(value);
  if (!(n >= 0 && n <= MAX_TIME_US / 1000)) throw invalid(name, `must be a number of milliseconds from 0 to ${MAX_TIME_US / 1000}, not '${value}'`);
  return n;
}

export function limit(q: QueryString, fallback = DEFAULT_LIMIT, max = MAX_LIMIT): number {
  const value = single(q, 'limit');
  if (value === null) return fallback;
  const n = decimal(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalid('limit', `must be an integer from 1 to ${max}`);
  return n;
}

export function oneOf<T extends string>(q: QueryString, name: string, values: readonly T[]): T | null {
  const value = single(q, name);
  if (value === null) return null;
  if (!values.includes(value as T)) throw invalid(name, `must be one of ${values.join(', ')}`);
  return value as T;
}

export function timeRange(q: QueryString): TimeRange {
  const fromUs = time(q, 'from');
  const toUs = time(q, 'to');
  if (fromUs !== null && toUs !== null && fromUs > toUs) throw invalid('from', "must not be after 'to'");
  return { fromUs, toUs };
}

const TRACE_ID = /^[0-9a-f]{32}$/;

export function traceId(value: string): string {
  const id = value.toLowerCase();
  if (!TRACE_ID.test(id)) throw invalid('traceId', 'must be 32 hex characters');
  return id;
}

const SPAN_ID = /^[0-9a-f]{16}$/;

export function spanId(value: string): string {
  const id = value.toLowerCase();
  if (!SPAN_ID.test(id)) throw invalid('spanId', 'must be 16 hex characters');
  return id;
}

const TRACE_PARAMS = [
  'from', 'to', 'service', 'name', 'text', 'status', 'minDurationMs', 'maxDurationMs',
  'attr', 'sessionId', 'model', 'limit', 'cursor',
] as const;

/** The `attr=key=value` filters. */
export function attributeFilters(q: QueryString): AttributeFilter[] {
  return many(q, 'attr').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw invalid('attr', `must be key=value, not '${pair}'`);
    return { key: pair.slice(0, eq), value: pair.slice(eq + 1) };
  });
}

/** `minDurationMs` and `maxDurationMs`, checked against each other. */
export function durationBounds(q: QueryString): { minDurationMs: number | null; maxDurationMs: number | null } {
  const minDurationMs = nonNegative(q, 'minDurationMs');
  const maxDurationMs = nonNegative(q, 'maxDurationMs');
  if (minDurationMs !== null && maxDurationMs !== null && minDurationMs > maxDurationMs) {
    throw invalid('minDurationMs', "must not be more than 'maxDurationMs'");
  }
  return { minDurationMs, maxDurationMs };
}

export function traceQueryFrom(q: QueryString, projectId: string): TraceQuery {
  rejectUnknown(q, TRACE_PARAMS);
  const attributes = attributeFilters(q);
  const { minDurationMs, maxDurationMs } = durationBounds(q);
  return {
    projectId,
    range: timeRange(q),
    service: text(q, 'service'),
    spanName: text(q, 'name'),
    text: text(q, 'text'),
    status: oneOf(q, 'status', ['ok', 'error'] as const),
    minDurationMs,
    maxDurationMs,
    attributes,
    sessionId: text(q, 'sessionId'),
    model: text(q, 'model'),
    limit: limit(q),
    cursor: text(q, 'cursor'),
  };
}

const LOG_PARAMS = ['from', 'to', 'severity', 'service', 'traceId', 'text', 'limit', 'cursor'] as const;
const SEVERITY_NAMES = Object.keys(SEVERITY_NUMBERS) as SeverityName[];
/** A map, not the object: `SEVERITY_NUMBERS['constructor']` finds Object's own constructor. */
const SEVERITY_BY_NAME: ReadonlyMap<string, number> = new Map(Object.entries(SEVERITY_NUMBERS));

export function logQueryFrom(q: QueryString, projectId: string): LogQuery {
  rejectUnknown(q, LOG_PARAMS);
  const severity = single(q, 'severity');
  let minSeverity: number | null = null;
  if (severity !== null) {
    const byName = SEVERITY_BY_NAME.get(severity.toLowerCase());
    const n = decimal(severity);
    if (byName !== undefined) minSeverity = byName;
    else if (Number.isInteger(n) && n >= 1 && n <= 24) minSeverity = n;
    else throw invalid('severity', `must be one of ${SEVERITY_NAMES.join(', ')} or a number from 1 to 24`);
  }
  const trace = single(q, 'traceId');
  return {
    projectId,
    range: timeRange(q),
    minSeverity,
    service: text(q, 'service'),
    traceId: trace === null ? null : traceId(trace),
    text: text(q, 'text'),
    limit: limit(q),
    cursor: text(q, 'cursor'),
  };
}

export function rangeQueryFrom(q: QueryString): TimeRange {
  rejectUnknown(q, ['from', 'to']);
  return timeRange(q);
}

const POINT_PARAMS = ['name', 'from', 'to', 'service', 'limit', 'cursor'] as const;

export function metricPointQueryFrom(q: QueryString, projectId: string): MetricPointQuery {
  rejectUnknown(q, POINT_PARAMS);
  const name = text(q, 'name');
  if (name === null) throw invalid('name', 'is required');
  return {
    projectId,
    range: timeRange(q),
    name,
    service: text(q, 'service'),
    limit: limit(q),
    cursor: text(q, 'cursor'),
  };
}
