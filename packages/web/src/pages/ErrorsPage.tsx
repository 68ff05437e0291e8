import type { ErrorGroupListResponse } from '@spoor/model';
import { apiUrl } from '../api';
import { Segmented } from '../charts/Segmented';
import { ErrorBox } from '../components/ErrorBox';
import { RangePicker } from '../components/RangePicker';
import { ErrorGroupRow } from '../errors/ErrorGroupRow';
import { statusFilterFrom } from '../errors/error-status';
import { ServiceSelect } from '../components/ServiceSelect';
import { pathWith, setSearch } from '../router';
import { resolveRange } from '../time-range';
import { useApi } from '../use-api';
import { useNow } from '../use-now';
import './errors.css';

/** How often a moving range moves on (and the list is asked again). */
const REFRESH_MS = 60_000;

const STATUS_OPTIONS = [
  ['unresolved', 'Unresolved'],
  ['resolved', 'Resolved'],
  ['ignored', 'Ignored'],
  ['all', 'All'],
] as const;

const SORTS = [
  ['lastSeen', 'Last seen'],
  ['firstSeen', 'First seen'],
  ['count', 'Most occurrences'],
] as const;

/**
 * `/errors`: error groups with occurrences in the range, filtered by status and service, with
 * each one's hourly counts as a sparkline. State in the URL: `range` or `from`/`to`, `status`
 * (unresolved unless given; `all`), `service`, `sort`, `cursor`.
 */
export function ErrorsPage({ search }: { search: URLSearchParams }) {
  const nowMs = useNow(REFRESH_MS);

  const range = resolveRange(search, nowMs, '24h');
  const status = statusFilterFrom(search.get('status'));
  const service = search.get('service');
  const sort = SORTS.find(([key]) => key === search.get('sort'))?.[0] ?? 'lastSeen';
  const cursor = search.get('cursor');
  const { data, error, loading } = useApi<ErrorGroupListResponse>(
    apiUrl('/api/errors', {
      from: range.from,
      to: range.to,
      status: status === 'all' ? null : status,
      service,
      sort: sort === 'lastSeen' ? null : sort,
      cursor,
    }),
  );
  const groups = data?.groups;
  const nextCursor = data?.nextCursor ?? null;
  // The group page shows the same range, so its counts match the row's.
  const hrefOf = (fingerprint: string) => pathWith(`/errors/${fingerprint}`, { range: search.get('range'), from: search.get('from'), to: search.get('to') });

  return (
    <div className="errors-page">
      <h1>Errors</h1>
      <div className="toolbar">
        <Segmented
          label="Status"
          options={STATUS_OPTIONS}
          value={status}
          onChange={(next) => setSearch({ status: next === 'unresolved' ? null : next, cursor: null })}
        />
        <RangePicker range={range} />
        <ServiceSelect value={service} from={range.from} to={range.to} />
        <label>
          Sort
          <select aria-label="Sort" value={sort} onChange={(e) => setSearch({ sort: e.target.value === 'lastSeen' ? null : e.target.value, cursor: null })}>
            {SORTS.map(([key, label]) => (
              <option key={key} value={key}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={error} />
      {groups === undefined ? (
        <div className="empty">{loading ? 'Loading…' : ''}</div>
      ) : groups.length === 0 ? (
        <div className="empty">{cursor === null ? `No ${status === 'all' ? '' : `${status} `}errors in this range.` : 'No more error groups.'}</div>
      ) : (
        <table className={`list error-groups${loading ? ' is-loading' : ''}`} aria-busy={loading}>
          <thead>
            <tr>
              <th>Error</th>
              <th>Service</th>
              <th className="num">Count</th>
              <th>Per hour</th>
              <th>First seen</th>
              <th>Last seen</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => (
              <ErrorGroupRow key={group.fingerprint} group={group} href={hrefOf(group.fingerprint)} nowMs={nowMs} />
            ))}
          </tbody>
        </table>
      )}
      {(cursor !== null || nextCursor !== null) && (
        <div className="pager">
          <button type="button" disabled={cursor === null} onClick={() => setSearch({ cursor: null })}>
            ← First page
          </button>
          <button type="button" disabled={nextCursor === null} onClick={() => setSearch({ cursor: nextCursor })}>
            Next page →
          </button>
        </div>
      )}
    </div>
  );
}
