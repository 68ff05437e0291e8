import type { Params } from '../api';
import type { SeverityName } from '@spoor/model';
import { minSeverityFrom } from './log-severity';

/** What the logs page searches for, as its URL says. Pure; tested in log-filter.test.ts. */
export interface LogFilter {
  severity: SeverityName | null;
  service: string | null;
  text: string | null;
  /** As typed; sent only when it is a trace id (see `isTraceId`). */
  traceId: string | null;
  live: boolean;
}

const TRACE_ID = /^[0-9a-f]{32}$/i;

export function isTraceId(value: string): boolean {
  return TRACE_ID.test(value);
}

const nonEmpty = (value: string | null): string | null => (value === null || value.trim() === '' ? null : value);

export function logFilterFrom(search: URLSearchParams): LogFilter {
  return {
    severity: minSeverityFrom(search.get('severity')),
    service: nonEmpty(search.get('service')),
    text: nonEmpty(search.get('text')),
    traceId: nonEmpty(search.get('traceId')?.trim() ?? null),
    live: search.get('live') === '1',
  };
}

/** `GET /api/logs` parameters: only ones the API takes, so a half-typed trace id is not a 400. */
export function logQueryParams(filter: LogFilter, range: { from: string | null; to: string | null }, limit: number): Params {
  return {
    from: range.from,
    to: range.to,
    severity: filter.severity,
    service: filter.service,
    text: filter.text,
    traceId: filter.traceId !== null && isTraceId(filter.traceId) ? filter.traceId.toLowerCase() : null,
    limit,
  };
}

/** The trace page at the record's span, or `null` for a record outside any trace. */
export function logTraceLink(record: { traceId: string | null; spanId: string | null }): string | null {
  if (record.traceId === null || record.traceId === '') return null;
  const path = `/traces/${record.traceId}`;
  return record.spanId === null || record.spanId === '' ? path : `${path}?span=${encodeURIComponent(record.spanId)}`;
}
