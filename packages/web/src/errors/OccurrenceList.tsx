import type { ErrorGroupDetail } from '@spoor/model';
import { Link } from '../components/Link';
import { formatTime, shortId } from '../format';
import { pathWith } from '../router';

/** The newest occurrences of a group, each linking to its trace with the failing span selected. */
export function OccurrenceList({ occurrences }: { occurrences: ErrorGroupDetail['occurrences'] }) {
  if (occurrences.length === 0) return <div className="empty">No occurrences in this range.</div>;
  return (
    <table className="list occurrences">
      <thead>
        <tr>
          <th>Time</th>
          <th>Service</th>
          <th>Span</th>
          <th>Message</th>
          <th>Trace</th>
        </tr>
      </thead>
      <tbody>
        {occurrences.map((o, i) => (
          <tr key={`${o.time}:${o.spanId ?? i}`}>
            <td className="nowrap">{formatTime(o.time)}</td>
            <td>{o.serviceName}</td>
            <td className="mono">{o.spanName}</td>
            <td className="occurrence-message">{o.message}</td>
            <td className="mono nowrap">
              {o.traceId === null ? (
                <span className="muted">–</span>
              ) : (
                <Link
                  to={pathWith(`/traces/${o.traceId}`, { span: o.spanId })}
                  title={o.spanId === null ? `Trace ${o.traceId}` : `Trace ${o.traceId}, span ${o.spanId}`}
                >
                  {shortId(o.traceId)}
                  {o.spanId !== null && <span className="muted"> / {shortId(o.spanId)}</span>}
                </Link>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
