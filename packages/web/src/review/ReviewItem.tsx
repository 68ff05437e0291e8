import type { QueueItem, SessionDetail, SessionRun } from '@spoor/model';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { TracePage } from '../pages/TracePage';
import { SessionTranscript } from '../sessions/SessionTranscript';
import { MAX_SESSION_HOURS, runsInTimeOrder } from '../sessions/session-view';
import { useApi } from '../use-api';
import '../pages/sessions.css';

/**
 * The item under review, drawn by the components that draw it elsewhere: a session as its
 * conversation; a trace (or a span of one, selected) as its LLM calls' conversation over the
 * trace page's tree, where a span opens with its input and output.
 */
export function ReviewItem({ item, search }: { item: QueueItem; search: URLSearchParams }) {
  if (item.sessionId !== null) return <SessionItem sessionId={item.sessionId} />;
  const traceId = item.traceId!;
  let traceSearch = search;
  if (item.spanId !== null && !search.has('span')) {
    traceSearch = new URLSearchParams(search);
    traceSearch.set('span', item.spanId);
  }
  return (
    <div className="review-item">
      <details className="review-conversation" open>
        <summary>Conversation of its LLM calls</summary>
        <SessionTranscript runs={[runOfTrace(traceId)]} />
      </details>
      <TracePage traceId={traceId} search={traceSearch} />
    </div>
  );
}

function SessionItem({ sessionId }: { sessionId: string }) {
  const found = useApi<SessionDetail>(`/api/sessions/${encodeURIComponent(sessionId)}?hours=${MAX_SESSION_HOURS}`);
  return (
    <div className="review-item">
      <h2>
        Session <Link to={`/sessions/${encodeURIComponent(sessionId)}`}>{sessionId}</Link>
      </h2>
      <ErrorBox error={found.error} />
      {found.data === undefined ? <p className="muted">Loading the session…</p> : <SessionTranscript runs={runsInTimeOrder(found.data.runs)} />}
    </div>
  );
}

/**
 * A trace as the one run of a transcript: the transcript reads a run's trace id (for its calls) and
 * its scores (shown on its turns); the trace page under it shows the rest, so the rest stays empty.
 */
function runOfTrace(traceId: string): SessionRun {
  return {
    traceId,
    name: '',
    serviceName: '',
    startTime: '',
    durationMs: 0,
    status: 'ok',
    spanCount: 0,
    errorCount: 0,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    unpricedCalls: 0,
    userId: null,
    scores: {},
  };
}
