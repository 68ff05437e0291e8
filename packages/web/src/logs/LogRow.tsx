import { Fragment } from 'react';
import type { LogRecord } from '@spoor/model';
import { Link } from '../components/Link';
import { formatClock, formatTime, shortId } from '../format';
import { KeyValues } from '../components/KeyValues';
import { LogSeverity } from './LogSeverity';
import { logTraceLink } from './log-filter';
import { attributeRows, logBodyLine, logBodyText } from '../value-text';

const COLUMNS = 6;

/** One log record on one line; opened, its whole body, attributes and resource. */
export function LogRow({ record, open, onToggle }: { record: LogRecord; open: boolean; onToggle: () => void }) {
  const trace = logTraceLink(record);
  return (
    <Fragment>
      <tr className={open ? 'log-row clickable log-open' : 'log-row clickable'} onClick={onToggle}>
        <td className="log-toggle">
          <button
            type="button"
            aria-expanded={open}
            aria-label={open ? 'Hide details' : 'Show details'}
            onClick={(e) => {
              e.stopPropagation();
              onToggle();
            }}
          >
            {open ? '▾' : '▸'}
          </button>
        </td>
        <td className="log-time" title={`${formatTime(record.time)} (${record.time})`}>
          {formatClock(record.time)}
        </td>
        <td className="log-severity">
          <LogSeverity record={record} />
        </td>
        <td className="log-service">{record.serviceName}</td>
        <td className="log-body">{logBodyLine(record)}</td>
        <td className="log-trace">
          {trace !== null && (
            <Link
              to={trace}
              className="mono"
              title={`Trace ${record.traceId}${record.spanId ? `, span ${record.spanId}` : ''}`}
              onClick={(e) => e.stopPropagation()}
            >
              {shortId(record.traceId ?? '')}
              {record.spanId ? `/${shortId(record.spanId, 6)}` : ''}
            </Link>
          )}
        </td>
      </tr>
      {open && (
        <tr className="log-details">
          <td colSpan={COLUMNS}>
            <pre className="log-full-body">{logBodyText(record, true)}</pre>
            <div className="grid-2">
              <section aria-label="Attributes">
                <h3>Attributes</h3>
                <KeyValues rows={attributeRows(record.attributes)} />
              </section>
              <section aria-label="Resource">
                <h3>Resource</h3>
                <KeyValues rows={attributeRows(record.resource)} />
              </section>
            </div>
            <h3>Record</h3>
            <KeyValues
              rows={[
                ['time', record.time],
                ['observed time', record.observedTime],
                ['severity', `${record.severityText || '–'} (${record.severityNumber})`],
                ['trace id', record.traceId ?? '–'],
                ['span id', record.spanId ?? '–'],
                ['event name', record.eventName || '–'],
                ['scope', record.scope.name === '' ? '–' : `${record.scope.name}${record.scope.version ? ` ${record.scope.version}` : ''}`],
                ['log id', record.logId],
              ]}
            />
          </td>
        </tr>
      )}
    </Fragment>
  );
}
