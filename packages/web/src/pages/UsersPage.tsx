import type { UserListResponse, UserSummary } from '@spoor/model';
import { useState } from 'react';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { LoadMore } from '../components/LoadMore';
import { RangePicker } from '../components/RangePicker';
import { Status } from '../components/Status';
import { formatAgo, formatCostOf, formatCount, formatTime } from '../format';
import { pathWith } from '../router';
import { resolveRange } from '../time-range';
import { useNow } from '../use-now';
import { usePages } from '../use-pages';
import { type UserSort, sortUsers } from '../sessions/user-view';
import { sessionScoreNames, sessionScoreText } from '../sessions/session-view';
import './sessions.css';

const pickUsers = (page: UserListResponse) => ({ items: page.users, nextCursor: page.nextCursor });
const userKey = (u: UserSummary) => u.userId;

const COLUMNS: ReadonlyArray<[UserSort, string, boolean]> = [
  ['userId', 'User', false],
  ['sessionCount', 'Sessions', true],
  ['runCount', 'Runs', true],
  ['failedRuns', 'Failed runs', true],
  ['errorCount', 'Errors', true],
  ['costUsd', 'Cost', true],
  ['firstSeen', 'First seen', false],
  ['lastSeen', 'Last seen', false],
];

/** The sessions' users in the range, the latest seen first; a header sorts the loaded rows, a user opens their sessions. */
export function UsersPage({ search }: { search: URLSearchParams }) {
  const nowMs = useNow(null, search);
  const range = resolveRange(search, nowMs, '24h');
  const pages = usePages('/api/users', { from: range.from, to: range.to, limit: 50 }, pickUsers, userKey);
  const [sort, setSort] = useState<{ by: UserSort; desc: boolean }>({ by: 'lastSeen', desc: true });
  const users = sortUsers(pages.items, sort.by, sort.desc);
  // A user's scores are their runs', pooled per name, read as a session's runs' are.
  const scoresOf = (u: UserSummary) => ({ scores: {}, traceScores: u.traceScores });
  const scoreNames = sessionScoreNames(users.map(scoresOf));

  return (
    <div className="sessions-page">
      <h1>Users</h1>
      <div className="toolbar">
        <RangePicker range={range} />
        <button type="button" onClick={pages.reload} disabled={pages.loading}>
          Refresh
        </button>
        {pages.loaded && (
          <span className="muted">
            {pages.items.length} user{pages.items.length === 1 ? '' : 's'}
            {pages.hasMore ? ' (more below)' : ''}
          </span>
        )}
      </div>
      <ErrorBox error={pages.error} />
      {!pages.loaded && pages.loading && <p className="muted">Loading users…</p>}
      {pages.loaded && pages.items.length === 0 && (
        <div className="empty">
          No users in this range. A session's spans name their user through a <code>user.id</code> or <code>enduser.id</code> attribute.
        </div>
      )}
      {users.length > 0 && (
        <table className="list users-table">
          <thead>
            <tr>
              {COLUMNS.map(([by, label, num]) => (
                <th key={by} className={num ? 'num' : undefined} aria-sort={sort.by === by ? (sort.desc ? 'descending' : 'ascending') : undefined}>
                  <button type="button" className="link" onClick={() => setSort({ by, desc: sort.by === by ? !sort.desc : num })}>
                    {label}
                    {sort.by === by ? (sort.desc ? ' ▾' : ' ▴') : ''}
                  </button>
                </th>
              ))}
              {scoreNames.map((name) => (
                <th key={name} className="num score-column" title={`The ${name} scores of the user's runs: their mean, or each label's count`}>
                  {name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.userId}>
                <td className="mono">
                  <Link to={pathWith('/sessions', { ...Object.fromEntries(search), user: u.userId })}>{u.userId}</Link>
                </td>
                <td className="num">{formatCount(u.sessionCount)}</td>
                <td className="num">{formatCount(u.runCount)}</td>
                <td className="num">{u.failedRuns > 0 ? <Status kind="error">{u.failedRuns}</Status> : <span className="muted">0</span>}</td>
                <td className="num">{formatCount(u.errorCount)}</td>
                <td className="num">{formatCostOf(u.costUsd, u.unpricedCalls)}</td>
                <td>{formatTime(u.firstSeen)}</td>
                <td title={formatTime(u.lastSeen)}>{formatAgo(u.lastSeen, nowMs)}</td>
                {scoreNames.map((name) => (
                  <td key={name} className="num" data-score={name}>
                    {sessionScoreText(scoresOf(u), name)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore pages={pages} />
    </div>
  );
}
