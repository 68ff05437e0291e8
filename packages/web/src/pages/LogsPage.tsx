import { useState } from 'react';
import type { LogListResponse, LogRecord } from '@spoor/model';
import { ErrorBox } from '../components/ErrorBox';
import { LogFilters } from '../logs/LogFilters';
import { LogRow } from '../logs/LogRow';
import { isTraceId, logFilterFrom, logQueryParams } from '../logs/log-filter';
import { usePages } from '../use-pages';
import { resolveRange } from '../time-range';
import './logs.css';
import { LoadMore } from '../components/LoadMore';
import { useNow } from '../use-now';

const PAGE_SIZE = 100;
const LIVE_REFRESH_MS = 5_000;

const pickLogs = (page: LogListResponse) => ({ items: page.logs, nextCursor: page.nextCursor });
const logKey = (record: LogRecord) => record.logId;

/** Log records, newest first, searched by range, severity, service, text and trace. */
export function LogsPage({ search }: { search: URLSearchParams }) {
  const nowMs = useNow(null, search);
  const range = resolveRange(search, nowMs, '1h');
  const filter = logFilterFrom(search);
  const pages = usePages('/api/logs', logQueryParams(filter, range, PAGE_SIZE), pickLogs, logKey, { refreshMs: filter.live ? LIVE_REFRESH_MS : null });
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <div className="logs-page">
      <h1>Logs</h1>
      <LogFilters filter={filter} range={range} />
      {filter.traceId !== null && !isTraceId(filter.traceId) && (
        <p className="logs-problem" role="status">
          <span aria-hidden="true">▲ </span>“{filter.traceId}” is not a trace id, so logs of every trace are shown.
        </p>
      )}
      <ErrorBox error={pages.error} />
      {!pages.loaded && pages.loading && <p className="muted">Loading logs…</p>}
      {pages.loaded && pages.items.length === 0 && (
        <div className="empty">No log records match{filter.live ? ' yet; new ones appear here as they arrive' : ''}.</div>
      )}
      {pages.items.length > 0 && (
        <table className="list logs-table">
          <thead>
            <tr>
              <th aria-label="Details" />
              <th>Time</th>
              <th>Severity</th>
              <th>Service</th>
              <th>Message</th>
              <th>Trace</th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((record) => (
              <LogRow key={record.logId} record={record} open={open.has(record.logId)} onToggle={() => toggle(record.logId)} />
            ))}
          </tbody>
        </table>
      )}
      {pages.loaded && (
        <LoadMore pages={pages}>
          <span className="muted">
            {pages.items.length} record{pages.items.length === 1 ? '' : 's'}
            {pages.hasMore ? '' : pages.items.length > 0 ? ', all of the range' : ''}
          </span>
        </LoadMore>
      )}
    </div>
  );
}
