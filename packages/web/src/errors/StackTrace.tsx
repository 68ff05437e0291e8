import type { SpanDetail } from '@spoor/model';
import { useMemo } from 'react';
import { ErrorBox } from '../components/ErrorBox';
import { useApi } from '../use-api';
import { stackTraceOf } from './stack-trace';

export interface StackTraceProps {
  /** The occurrence whose stack to show: the newest one with a span. */
  traceId: string | null;
  spanId: string | null;
  /** The group's top app frame, shown when no stack was recorded. */
  frame: string | null;
}

/**
 * The stack trace of an occurrence. Error groups keep only the top frame, so the whole stack is
 * read from the occurrence's span (its `exception` event, or the log record that reported it).
 */
export function StackTrace({ traceId, spanId, frame }: StackTraceProps) {
  // Only the span and its logs: the occurrence's trace may hold 50,000 spans.
  const { data, error, loading } = useApi<SpanDetail>(
    traceId === null || spanId === null ? null : `/api/traces/${encodeURIComponent(traceId)}/spans/${encodeURIComponent(spanId)}`,
  );
  const stack = useMemo(() => (data === undefined ? null : stackTraceOf({ spans: [data.span], logs: data.logs }, spanId)), [data, spanId]);
  if (error !== undefined) return <ErrorBox error={error} />;
  if (loading) return <div className="muted">Loading the stack trace…</div>;
  if (stack !== null) {
    return (
      <pre className="stack-trace" tabIndex={0} aria-label="Stack trace">
        {stack}
      </pre>
    );
  }
  return (
    <div className="muted">
      No stack trace was recorded{traceId === null ? ' (the occurrence has no trace)' : ''}.
      {frame !== null && (
        <>
          {' '}
          Top app frame: <code>{frame}</code>
        </>
      )}
    </div>
  );
}
