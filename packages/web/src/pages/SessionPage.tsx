import type { SessionDetail } from '@spoor/model';
import { apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { formatCost, formatCostOf, formatCount, formatDuration, formatPercent, formatTime } from '../format';
import { pathWith, setSearch } from '../router';
import { SessionRunsTable } from '../sessions/SessionRunsTable';
import { SessionScores } from '../sessions/SessionScores';
import { SessionTranscript } from '../sessions/SessionTranscript';
import { SESSION_WINDOWS, hoursFrom, runsInTimeOrder, runsTokens, windowLabel } from '../sessions/session-view';
import { useApi } from '../use-api';
import './sessions.css';

/** One session: its totals and scores, then its runs in the order they happened. */
export function SessionPage({ sessionId, search }: { sessionId: string; search: URLSearchParams }) {
  const hours = hoursFrom(search.get('hours'));
  const { data, error, loading, reload } = useApi<SessionDetail>(apiUrl(`/api/sessions/${encodeURIComponent(sessionId)}`, { hours }));
  const runs = data === undefined ? [] : runsInTimeOrder(data.runs);
  // The conversation first; the table of runs a tab away.
  const view = search.get('view') === 'runs' ? 'runs' : 'transcript';
  const windows = SESSION_WINDOWS.some((w) => w.hours === hours) ? SESSION_WINDOWS : [...SESSION_WINDOWS, { hours, label: windowLabel(hours) }];

  return (
    <div className="session-page">
      <p className="crumbs">
        <Link to="/sessions">Sessions</Link> /
      </p>
      <h1>
        Session <span className="mono session-id">{sessionId}</span>
      </h1>
      {data !== undefined && data.userIds.length > 0 && (
        <p className="session-users">
          {data.userIds.length === 1 ? 'User' : 'Users'} <span className="mono">{data.userIds.join(', ')}</span>
        </p>
      )}
      <div className="toolbar">
        <label>
          Window
          <select aria-label="Session window" value={hours} onChange={(e) => setSearch({ hours: e.target.value })}>
            {windows.map((w) => (
              <option key={w.hours} value={w.hours}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={reload} disabled={loading}>
          Refresh
        </button>
        <Link to={pathWith('/traces', { sessionId })}>All traces of this session →</Link>
      </div>
      <ErrorBox error={error} />
      {data === undefined && loading && <p className="muted">Loading session…</p>}
      {data !== undefined && (
        <>
          <SessionCards detail={data} tokens={runsTokens(data.runs)} />
          <SessionScores detail={data} />
          <div className="tabs" role="tablist">
            <button type="button" role="tab" aria-selected={view === 'transcript'} onClick={() => setSearch({ view: null })}>
              Conversation
            </button>
            <button type="button" role="tab" aria-selected={view === 'runs'} onClick={() => setSearch({ view: 'runs' })}>
              Runs
            </button>
          </div>
          {runs.length === 0 ? (
            <div className="empty">
              No runs of this session in the {windowLabel(hours).toLowerCase()}.{' '}
              {hours < 720 && (
                <button type="button" onClick={() => setSearch({ hours: '720' })}>
                  Look back 30 days
                </button>
              )}
            </div>
          ) : view === 'transcript' ? (
            <SessionTranscript runs={runs} />
          ) : (
            <>
              <p className="muted">
                {runs.length} run{runs.length === 1 ? '' : 's'} from {formatTime(runs[0]?.startTime)} to {formatTime(runs[runs.length - 1]?.startTime)}, oldest
                first.
              </p>
              <SessionRunsTable runs={runs} />
            </>
          )}
        </>
      )}
    </div>
  );
}

function SessionCards({ detail, tokens }: { detail: SessionDetail; tokens: number | null }) {
  const s = detail.summary;
  const cards: Array<[string, string, string?]> = [
    ['Runs', formatCount(s.totalRuns)],
    ['Completed', formatCount(s.completedRuns)],
    ['Failed', formatCount(s.failedRuns), s.failedRuns > 0 ? 'card-error' : undefined],
    ['Error rate', formatPercent(s.errorRate), s.failedRuns > 0 ? 'card-error' : undefined],
    ['Avg duration', formatDuration(s.avgDurationMs)],
    ['Max duration', formatDuration(s.maxDurationMs)],
    ['Tokens', formatCount(tokens)],
    ['Total cost', formatCostOf(s.totalCostUsd, s.unpricedCalls)],
    ['Avg cost per run', formatCost(s.avgCostUsd)],
  ];
  return (
    <div className="cards" aria-label="Session totals">
      {cards.map(([label, value, className]) => (
        <div key={label} className={className === undefined ? 'card' : `card ${className}`}>
          <div className="label">{label}</div>
          <div className="value">{value}</div>
        </div>
      ))}
    </div>
  );
}
