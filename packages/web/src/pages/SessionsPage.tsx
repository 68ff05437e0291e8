import type { SessionListResponse, SessionSummary } from '@spoor/model';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { RangePicker } from '../components/RangePicker';
import { Status } from '../components/Status';
import { formatAgo, formatCostOf, formatCount, formatDuration, formatTime, shortId } from '../format';
import { usePages } from '../use-pages';
import { navigate, pathWith } from '../router';
import { hoursCovering, sessionScoreNames, sessionScoreText, sessionScoreTitle, sessionSpanMs, totalTokens } from '../sessions/session-view';
import { resolveRange } from '../time-range';
import './sessions.css';
import { LoadMore } from '../components/LoadMore';
import { useNow } from '../use-now';

const pickSessions = (page: SessionListResponse) => ({ items: page.sessions, nextCursor: page.nextCursor });
const sessionKey = (s: SessionSummary) => s.sessionId;

/** Conversations: the sessions active in the range, most recent activity first. */
export function SessionsPage({ search }: { search: URLSearchParams }) {
  const nowMs = useNow(null, search);
  const range = resolveRange(search, nowMs, '24h');
  // A user's sessions (the users page links here), filtered by the server: a filter of the loaded
  // pages alone would miss the user's sessions past the first page.
  const user = search.get('user');
  const pages = usePages('/api/sessions', { from: range.from, to: range.to, limit: 50, user }, pickSessions, sessionKey);
  const sessions = pages.items;
  const scoreNames = sessionScoreNames(sessions);

  return (
    <div className="sessions-page">
      <h1>{user === null ? 'Sessions' : `Sessions of ${user}`}</h1>
      <div className="toolbar">
        <RangePicker range={range} />
        <button type="button" onClick={pages.reload} disabled={pages.loading}>
          Refresh
        </button>
        {pages.loaded && (
          <span className="muted">
            {sessions.length} session{sessions.length === 1 ? '' : 's'}
            {pages.hasMore ? ' (more below)' : ''}
          </span>
        )}
      </div>
      <ErrorBox error={pages.error} />
      {!pages.loaded && pages.loading && <p className="muted">Loading sessions…</p>}
      {pages.loaded && pages.items.length === 0 && (
        <div className="empty">
          No sessions in this range. Spans join a session through a <code>session.id</code> or <code>gen_ai.conversation.id</code> attribute.
        </div>
      )}
      {sessions.length > 0 && (
        <table className="list sessions-table">
          <thead>
            <tr>
              <th>Session</th>
              <th>User</th>
              <th>Services</th>
              <th className="num">Runs</th>
              <th className="num">Failed</th>
              <th>First seen</th>
              <th>Last activity</th>
              <th className="num">Active for</th>
              <th className="num">Tokens</th>
              <th className="num">Cost</th>
              {scoreNames.map((name) => (
                <th
                  key={name}
                  className="num score-column"
                  title={`The ${name} scores of the session's runs (their mean, or each label's count), then the session's own`}
                >
                  {name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sessions.map((session) => (
              <SessionRow key={session.sessionId} session={session} nowMs={nowMs} scoreNames={scoreNames} />
            ))}
          </tbody>
        </table>
      )}
      <LoadMore pages={pages} />
    </div>
  );
}

function SessionRow({ session, nowMs, scoreNames }: { session: SessionSummary; nowMs: number; scoreNames: readonly string[] }) {
  const to = pathWith(`/sessions/${encodeURIComponent(session.sessionId)}`, { hours: hoursCovering(session.firstSeen, nowMs) });
  const tokens = totalTokens(session);
  return (
    <tr className="clickable" onClick={() => navigate(to)}>
      <td>
        <Link to={to} className="mono" title={session.sessionId} onClick={(e) => e.stopPropagation()}>
          {shortId(session.sessionId, 24)}
        </Link>
      </td>
      <td className="mono">{session.userIds.length === 0 ? <span className="muted">–</span> : session.userIds.join(', ')}</td>
      <td>
        {session.services.map((s) => (
          <span key={s} className="tag">
            {s}
          </span>
        ))}
      </td>
      <td className="num">{formatCount(session.runCount)}</td>
      <td className="num">{session.failedRuns > 0 ? <Status kind="error">{session.failedRuns}</Status> : <span className="muted">0</span>}</td>
      <td title={formatTime(session.firstSeen)}>{formatTime(session.firstSeen)}</td>
      <td title={formatTime(session.lastActivity)}>{formatAgo(session.lastActivity, nowMs)}</td>
      <td className="num">{formatDuration(sessionSpanMs(session))}</td>
      <td className="num" title={tokens === null ? undefined : `${session.inputTokens ?? 0} in, ${session.outputTokens ?? 0} out`}>
        {formatCount(tokens)}
      </td>
      <td className="num">{formatCostOf(session.costUsd, session.unpricedCalls)}</td>
      {scoreNames.map((name) => (
        <td key={name} className="num" data-score={name} title={sessionScoreTitle(session, name)}>
          {sessionScoreText(session, name)}
        </td>
      ))}
    </tr>
  );
}
