import type { ErrorGroup } from '@spoor/model';
import type { MouseEvent } from 'react';
import { Link } from '../components/Link';
import { Sparkline } from '../components/Sparkline';
import { formatAgo, formatCountOf, formatInteger, formatTime } from '../format';
import { navigate } from '../router';
import { ErrorStatusBadge } from './ErrorStatusBadge';
import { errorContext, errorTitle } from './error-context';

/** One error group of the list; the whole row opens the group, the message is the link. */
export function ErrorGroupRow({ group, href, nowMs }: { group: ErrorGroup; href: string; nowMs: number }) {
  const open = (event: MouseEvent<HTMLTableRowElement>) => {
    // The link and any control in the row handle their own clicks (a ctrl-click opens a tab).
    if ((event.target as Element).closest('a, button, input, select') !== null) return;
    navigate(href);
  };
  const context = errorContext(group);
  const title = errorTitle(group);
  return (
    <tr className="clickable" onClick={open}>
      <td className="error-cell">
        <Link to={href} className="error-title">
          {title.type !== null && <span className="error-type">{title.type}</span>} <span className="error-message">{title.message}</span>
        </Link>
        {context.length > 0 && (
          <div className="error-context">
            {context.map((part) => (
              <span key={part} className="tag">
                {part}
              </span>
            ))}
          </div>
        )}
      </td>
      <td>{group.services.join(', ')}</td>
      <td className="num" title={`${formatCountOf(group.count, 'occurrence')} in ${formatCountOf(group.traceCount, 'trace')}`}>
        {formatInteger(group.count)}
      </td>
      <td className="error-trend">
        <Sparkline values={group.hourly.map((h) => h.count)} label="Occurrences per hour" />
      </td>
      <td title={formatTime(group.firstSeen)}>{formatAgo(group.firstSeen, nowMs)}</td>
      <td title={formatTime(group.lastSeen)}>{formatAgo(group.lastSeen, nowMs)}</td>
      <td>
        <ErrorStatusBadge status={group.status} regressed={group.regressed} resolvedAt={group.resolvedAt} />
      </td>
    </tr>
  );
}
