import type { LogRecord, Span, SpanEvent } from '@spoor/model';
import { Link } from '../components/Link';
import { Status } from '../components/Status';
import { LogSeverity } from '../logs/LogSeverity';
import { formatClock, formatDuration, formatTime } from '../format';
import { pathWith } from '../router';
import { KeyValues } from '../components/KeyValues';
import { attributeRows, logBodyText, valueText } from '../value-text';
import { LlmInspector } from './LlmInspector';
import { ScoreTable } from '../scores/ScoreTable';
import { scoresOfTarget } from '../scores/score-view';
import { useTraceScores } from '../scores/trace-scores';

/** The selected span: what it is, its LLM call, attributes, events and exceptions, links, resource. */
export function SpanPanel({ span, logs, onClose }: { span: Span; logs: readonly LogRecord[]; onClose: () => void }) {
  const exceptions = span.events.filter((e) => e.name === 'exception');
  const others = span.events.filter((e) => e.name !== 'exception');
  // An LLM call shows its scores, and takes a vote, in its inspector; another span only shows any it has.
  const spanScores = scoresOfTarget(useTraceScores()?.scores ?? [], span.spanId);
  return (
    <aside className="span-panel" aria-label="Span details">
      <header className="span-panel-head">
        <div>
          <h2>{span.name}</h2>
          <div className="muted mono">{span.spanId}</div>
        </div>
        <button type="button" onClick={onClose} aria-label="Close span details">
          ✕
        </button>
      </header>
      <dl className="kv span-facts">
        <dt>service</dt>
        <dd>{span.serviceName}</dd>
        <dt>status</dt>
        <dd>
          <Status kind={span.status.code === 'error' ? 'error' : 'ok'}>{span.status.code}</Status>
          {span.status.message !== '' && <> {span.status.message}</>}
        </dd>
        <dt>duration</dt>
        <dd>{formatDuration(span.durationMs)}</dd>
        <dt>start</dt>
        <dd>
          {formatTime(span.startTime)} <span className="muted">{span.startTime}</span>
        </dd>
        <dt>kind · category</dt>
        <dd>
          {span.kind} · {span.category}
        </dd>
        {span.sessionId !== null && (
          <>
            <dt>session</dt>
            <dd>
              <Link to={`/sessions/${encodeURIComponent(span.sessionId)}`}>{span.sessionId}</Link>
            </dd>
          </>
        )}
        {span.userId !== null && (
          <>
            <dt>user</dt>
            <dd>{span.userId}</dd>
          </>
        )}
      </dl>
      {span.llm !== null && <LlmInspector key={span.spanId} traceId={span.traceId} spanId={span.spanId} llm={span.llm} />}
      {span.llm === null && spanScores.length > 0 && (
        <section>
          <h3>Scores</h3>
          <ScoreTable scores={spanScores} label="Scores of this span" />
        </section>
      )}
      {exceptions.length > 0 && (
        <section>
          <h3>Exceptions</h3>
          {exceptions.map((event, i) => (
            <ExceptionView key={i} event={event} />
          ))}
        </section>
      )}
      <section>
        <h3>Attributes</h3>
        <KeyValues rows={attributeRows(span.attributes, true)} />
        {span.droppedAttributesCount > 0 && <p className="muted">{span.droppedAttributesCount} attributes were dropped by the SDK.</p>}
      </section>
      {others.length > 0 && (
        <section>
          <h3>Events</h3>
          {others.map((event, i) => (
            <details key={i} className="span-event">
              <summary>
                <span className="mono">{formatClock(event.time)}</span> {event.name}
              </summary>
              <KeyValues rows={attributeRows(event.attributes, true)} />
            </details>
          ))}
        </section>
      )}
      {span.links.length > 0 && (
        <section>
          <h3>Links</h3>
          <ul className="span-links">
            {span.links.map((link) => (
              <li key={link.traceId + link.spanId}>
                <Link to={pathWith(`/traces/${link.traceId}`, { span: link.spanId })} className="mono">
                  {link.traceId.slice(0, 16)}… / {link.spanId}
                </Link>
                {Object.keys(link.attributes).length > 0 && <KeyValues rows={attributeRows(link.attributes, true)} />}
              </li>
            ))}
          </ul>
        </section>
      )}
      {logs.length > 0 && (
        <section>
          <h3>Logs of this span</h3>
          <ul className="span-logs">
            {logs.map((log, i) => (
              <li key={i}>
                <span className="mono muted">{formatClock(log.time)}</span> <LogSeverity record={log} /> {logBodyText(log)}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section>
        <h3>Resource</h3>
        <KeyValues rows={attributeRows(span.resource, true)} />
      </section>
      <section>
        <h3>Instrumentation scope</h3>
        <p className="mono">
          {span.scope.name || '–'} {span.scope.version}
        </p>
      </section>
    </aside>
  );
}

function ExceptionView({ event }: { event: SpanEvent }) {
  const type = event.attributes['exception.type'];
  const message = event.attributes['exception.message'];
  const stack = event.attributes['exception.stacktrace'];
  return (
    <div className="exception">
      <div>
        <Status kind="error">{type === undefined ? 'exception' : valueText(type)}</Status> {message !== undefined && valueText(message)}
      </div>
      {stack !== undefined && <pre className="stack">{valueText(stack)}</pre>}
      <div className="muted mono">{formatClock(event.time)}</div>
    </div>
  );
}
