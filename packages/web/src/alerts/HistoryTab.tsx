import type { AlertHistoryEntry, AlertHistoryResponse } from '@spoor/model';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { Status } from '../components/Status';
import { formatTime } from '../format';
import { usePages } from '../use-pages';
import { pathWith } from '../router';
import { AlertLabels } from './AlertLabels';
import { SeverityStatus } from './SeverityStatus';
import { type AlertUnit, formatAlertValueIn, rawValueTitle } from './alert-units';
import { historyKind, historyKindText } from './alert-view';
import { LoadMore } from '../components/LoadMore';

const pickEntries = (page: AlertHistoryResponse) => ({ items: page.entries, nextCursor: page.nextCursor });
// Entries have no id; time, rule, kind, labels and receiver tell them apart.
const entryKey = (e: AlertHistoryEntry) => JSON.stringify([e.time, e.rule, e.kind, e.labels, e.receiver]);

/** State changes and notifications, newest first; values as their rule's unit reads (`units`). */
export function HistoryTab({ rule, units }: { rule: string | null; units: ReadonlyMap<string, AlertUnit> }) {
  const pages = usePages('/api/alerts/history', { rule, limit: 100 }, pickEntries, entryKey, { refreshMs: 15_000 });
  return (
    <>
      <ErrorBox error={pages.error} />
      {!pages.loaded && pages.loading && <p className="muted">Loading history…</p>}
      {pages.loaded && pages.items.length === 0 && (
        <div className="empty">{rule === null ? 'No alert has changed state yet.' : `Rule ${rule} has no history yet.`}</div>
      )}
      {pages.items.length > 0 && (
        <table className="list history-table">
          <thead>
            <tr>
              <th>Time</th>
              <th>Event</th>
              <th>Rule</th>
              <th>Severity</th>
              <th>Labels</th>
              <th className="num">Value</th>
              <th>Receiver</th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((entry) => (
              <tr key={entryKey(entry)}>
                <td className="history-time">{formatTime(entry.time)}</td>
                <td>
                  <Status kind={historyKind(entry.kind)}>{historyKindText(entry.kind)}</Status>
                </td>
                <td>
                  <Link to={pathWith('/alerts', { tab: 'history', rule: entry.rule })}>{entry.rule}</Link>
                </td>
                <td>
                  <SeverityStatus severity={entry.severity} />
                </td>
                <td>
                  <AlertLabels labels={entry.labels} />
                </td>
                {entry.kind === 'notified' || entry.kind === 'notify_failed' ? (
                  <td className="num" />
                ) : (
                  <td className="num" title={rawValueTitle(entry.value, null)}>
                    {formatAlertValueIn(entry.value, units.get(entry.rule))}
                  </td>
                )}
                <td>
                  {entry.receiver ?? ''}
                  {entry.detail !== null && <div className={entry.kind === 'notify_failed' ? 'history-detail-failed' : 'muted'}>{entry.detail}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore pages={pages} />
    </>
  );
}
