import type { AttributeValue, LogRecord, Span } from '@spoor/model';

/**
 * The stack trace of an error occurrence, read from its span and logs: error groups keep only the
 * top frame, the whole stack lives on the span's `exception` event (or on the log record that
 * reported it). Pure; tested in stack-trace.test.ts.
 */

const text = (value: AttributeValue | undefined): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);

/** The last recorded exception's `exception.stacktrace` of span `spanId`, else of a log record of the span; `null` without one. */
export function stackTraceOf(trace: { spans: readonly Span[]; logs: readonly LogRecord[] }, spanId: string | null): string | null {
  if (spanId === null) return null;
  const span = trace.spans.find((s) => s.spanId === spanId);
  if (span !== undefined) {
    // OpenTelemetry records each exception as an event; the last one ended the span.
    for (let i = span.events.length - 1; i >= 0; i--) {
      const event = span.events[i]!;
      const stack = event.name === 'exception' ? text(event.attributes['exception.stacktrace']) : null;
      if (stack !== null) return stack;
    }
  }
  for (let i = trace.logs.length - 1; i >= 0; i--) {
    const log = trace.logs[i]!;
    const stack = log.spanId === spanId ? text(log.attributes['exception.stacktrace']) : null;
    if (stack !== null) return stack;
  }
  return null;
}
