import { describe, expect, it } from 'vitest';
import { logFilterFrom, logQueryParams, logTraceLink, type LogFilter } from './log-filter';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('logFilterFrom', () => {
  it.each<{ query: string; want: LogFilter }>([
    { query: '', want: { severity: null, service: null, text: null, traceId: null, live: false } },
    {
      query: `severity=WARN&service=rag&text=time%20out&traceId=%20${TRACE}%20&live=1`,
      want: { severity: 'warn', service: 'rag', text: 'time out', traceId: TRACE, live: true },
    },
    { query: 'severity=loud&service=&text=%20&live=yes', want: { severity: null, service: null, text: null, traceId: null, live: false } },
  ])('reads "$query"', ({ query, want }) => {
    expect(logFilterFrom(new URLSearchParams(query))).toEqual(want);
  });
});

describe('logQueryParams', () => {
  const none: LogFilter = { severity: null, service: null, text: null, traceId: null, live: false };
  const range = { from: '2026-11-22T11:00:00.000Z', to: null };

  it.each<{ name: string; filter: LogFilter; want: Record<string, unknown> }>([
    {
      name: 'sends the range and the limit',
      filter: none,
      want: { from: range.from, to: null, severity: null, service: null, text: null, traceId: null, limit: 100 },
    },
    {
      name: 'sends every filter',
      filter: { severity: 'error', service: 'rag', text: 'boom', traceId: TRACE.toUpperCase(), live: true },
      want: { from: range.from, to: null, severity: 'error', service: 'rag', text: 'boom', traceId: TRACE, limit: 100 },
    },
    { name: 'holds back a trace id that is not one yet', filter: { ...none, traceId: '4bf92f' }, want: { traceId: null } },
  ])('$name', ({ filter, want }) => {
    expect(logQueryParams(filter, range, 100)).toMatchObject(want);
  });
});

describe('logTraceLink', () => {
  it.each([
    { record: { traceId: TRACE, spanId: '00f067aa0ba902b7' }, want: `/traces/${TRACE}?span=00f067aa0ba902b7` },
    { record: { traceId: TRACE, spanId: null }, want: `/traces/${TRACE}` },
    { record: { traceId: null, spanId: null }, want: null },
    { record: { traceId: '', spanId: '' }, want: null },
  ])('links $record to $want', ({ record, want }) => {
    expect(logTraceLink(record)).toBe(want);
  });
});
