import type { LogRecord, Span, SpanEvent, TraceDetail } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { stackTraceOf } from './stack-trace';

const event = (name: string, attributes: SpanEvent['attributes']): SpanEvent => ({ time: '2026-11-22T10:00:00Z', name, attributes, droppedAttributesCount: 0 });
const span = (spanId: string, events: SpanEvent[]): Span => ({ spanId, events }) as unknown as Span;
const log = (spanId: string | null, attributes: LogRecord['attributes']): LogRecord => ({ spanId, attributes }) as unknown as LogRecord;
const trace = (spans: Span[], logs: LogRecord[] = []): TraceDetail => ({ traceId: 't', spans, logs, scores: [] });

describe('stackTraceOf', () => {
  it.each([
    {
      name: 'the last exception event of the span',
      trace: trace([
        span('a', [
          event('exception', { 'exception.stacktrace': 'first' }),
          event('retry', {}),
          event('exception', { 'exception.stacktrace': 'Error: boom\n    at run (app.js:1:1)' }),
        ]),
      ]),
      spanId: 'a',
      stack: 'Error: boom\n    at run (app.js:1:1)',
    },
    { name: 'nothing from another span', trace: trace([span('b', [event('exception', { 'exception.stacktrace': 'x' })])]), spanId: 'a', stack: null },
    {
      name: 'nothing from an exception without a stack',
      trace: trace([span('a', [event('exception', { 'exception.message': 'm' })])]),
      spanId: 'a',
      stack: null,
    },
    {
      name: "a log record's stack when the span has none",
      trace: trace([span('a', [])], [log('b', { 'exception.stacktrace': 'other' }), log('a', { 'exception.stacktrace': 'from the log' })]),
      spanId: 'a',
      stack: 'from the log',
    },
    { name: 'nothing without a span id', trace: trace([span('a', [event('exception', { 'exception.stacktrace': 'x' })])]), spanId: null, stack: null },
  ])('finds $name', ({ trace, spanId, stack }) => {
    expect(stackTraceOf(trace, spanId)).toBe(stack);
  });
});
