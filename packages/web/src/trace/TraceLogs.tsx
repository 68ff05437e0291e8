import { memo } from 'react';
import type { LogRecord } from '@spoor/model';
import { formatClock } from '../format';
import { LogSeverity } from '../logs/LogSeverity';
import { logBodyText } from '../value-text';

/** The trace's logs in time order, each with a jump to the span that wrote it. Memoized: the waterfall's selection moves often. */
export const TraceLogs = memo(function TraceLogs({
  logs,
  spanName,
  onJump,
}: { logs: readonly LogRecord[]; spanName: (spanId: string) => string | null; onJump: (spanId: string) => void }) {
  if (logs.length === 0) return <p className="muted">No logs carry this trace's id.</p>;
  return (
    <table className="list trace-logs">
      <thead>
        <tr>
          <th>Time</th>
          <th>Severity</th>
          <th>Service</th>
          <th>Message</th>
          <th>Span</th>
        </tr>
      </thead>
      <tbody>
        {logs.map((log) => {
          const name = log.spanId === null ? null : spanName(log.spanId);
          return (
            <tr key={log.logId}>
              <td className="mono">{formatClock(log.time)}</td>
              <td>
                <LogSeverity record={log} />
              </td>
              <td>{log.serviceName}</td>
              <td className="log-body">{logBodyText(log)}</td>
              <td>
                {log.spanId !== null && name !== null ? (
                  <button type="button" className="link-button" onClick={() => onJump(log.spanId!)} title={`Show span ${log.spanId}`}>
                    → {name}
                  </button>
                ) : (
                  <span className="muted mono">{log.spanId ?? '–'}</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
});
