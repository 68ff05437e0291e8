import type { ErrorGroupDetail } from '@spoor/model';
import { useMemo, useState } from 'react';
import { apiUrl } from '../api';
import { formatTickNumber } from '../charts/axis-format';
import { ErrorBox } from '../components/ErrorBox';
import { LineChart } from '../components/LineChart';
import { Link } from '../components/Link';
import { RangePicker } from '../components/RangePicker';
import { ErrorStatusBadge } from '../errors/ErrorStatusBadge';
import { OccurrenceList } from '../errors/OccurrenceList';
import { StackTrace } from '../errors/StackTrace';
import { StatusActions } from '../errors/StatusActions';
import { ErrorHeading } from '../errors/ErrorHeading';
import { errorContext } from '../errors/error-context';
import { formatAgo, formatInteger, formatTime, shortId } from '../format';
import { pathWith } from '../router';
import { resolveRange } from '../time-range';
import { useApi } from '../use-api';
import { useNow } from '../use-now';
import './errors.css';

const REFRESH_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * `/errors/:fingerprint`: one error group: what it is, its status and the buttons to change it,
 * its hourly counts over the range, the stack trace of its newest occurrence, sample traces.
 */
export function ErrorGroupPage({ fingerprint, search }: { fingerprint: string; search: URLSearchParams }) {
  const nowMs = useNow(REFRESH_MS);
  const range = resolveRange(search, nowMs, '24h');
  const { data, error, loading, reload } = useApi<ErrorGroupDetail>(
    apiUrl(`/api/errors/${encodeURIComponent(fingerprint)}`, { from: range.from, to: range.to }),
  );
  // Never show another group's answer under this address.
  const detail = data?.group.fingerprint === fingerprint ? data : undefined;
  // The PATCH answer's status shows until the page's own answer (for its range) comes back.
  const [saved, setSaved] = useState<{ after: ErrorGroupDetail | undefined; detail: ErrorGroupDetail } | null>(null);
  const override = saved !== null && saved.after === data && saved.detail.group.fingerprint === fingerprint ? saved.detail.group : null;
  const group =
    detail === undefined || override === null
      ? detail?.group
      : { ...detail.group, status: override.status, regressed: override.regressed, resolvedAt: override.resolvedAt };

  const counts = useMemo(
    () => ({
      times: detail?.group.hourly.map((h) => Date.parse(h.hour)) ?? [],
      series: detail === undefined ? [] : [{ name: 'Occurrences', values: detail.group.hourly.map((h) => h.count) }],
    }),
    [detail],
  );
  const withStack = detail?.occurrences.find((o) => o.traceId !== null && o.spanId !== null) ?? detail?.occurrences[0];
  const backTo = pathWith('/errors', { range: search.get('range'), from: search.get('from'), to: search.get('to') });

  return (
    <div className="error-group-page">
      <div className="toolbar">
        <Link to={backTo}>← Errors</Link>
        <RangePicker range={range} />
      </div>
      {error !== undefined && detail === undefined && (
        <>
          <ErrorBox error={error} />
          <p className="muted">An error group shows only when it has occurrences in the range; try a longer one.</p>
        </>
      )}
      {detail === undefined || group === undefined ? (
        error === undefined && <div className="empty">{loading ? 'Loading…' : ''}</div>
      ) : (
        <>
          <header className="error-header">
            <div className="error-heading">
              <ErrorHeading group={group} />
              <div className="error-header-status">
                <ErrorStatusBadge status={group.status} regressed={group.regressed} resolvedAt={group.resolvedAt} />
                {group.status === 'resolved' && group.resolvedAt !== null && <span className="muted">since {formatTime(group.resolvedAt)}</span>}
                {errorContext(group).map((part) => (
                  <span key={part} className="tag">
                    {part}
                  </span>
                ))}
              </div>
            </div>
            <StatusActions
              fingerprint={fingerprint}
              status={group.status}
              onChanged={(answer) => {
                setSaved({ after: data, detail: answer });
                reload();
              }}
            />
          </header>
          {error !== undefined && <ErrorBox error={error} />}

          <dl className="kv error-facts">
            <dt>occurrences</dt>
            <dd>
              {formatInteger(group.count)} in {formatInteger(group.traceCount)} trace{group.traceCount === 1 ? '' : 's'} (in the range)
            </dd>
            <dt>first seen</dt>
            <dd>
              {formatTime(group.firstSeen)} ({formatAgo(group.firstSeen, nowMs)})
            </dd>
            <dt>last seen</dt>
            <dd>
              {formatTime(group.lastSeen)} ({formatAgo(group.lastSeen, nowMs)})
            </dd>
            <dt>services</dt>
            <dd>{group.services.join(', ')}</dd>
            <dt>message pattern</dt>
            <dd>{group.messageKey}</dd>
            <dt>fingerprint</dt>
            <dd>
              {group.fingerprint} (v{group.fingerprintVersion})
            </dd>
          </dl>

          <div className="error-grid">
            <LineChart
              title="Occurrences per hour"
              times={counts.times}
              series={counts.series}
              stepMs={HOUR_MS}
              formatValue={formatInteger}
              formatTick={formatTickNumber}
              loading={loading}
              emptyText="No occurrences in this range"
              height={180}
            />
            <section className="panel" aria-labelledby="samples-title">
              <h2 id="samples-title">Sample traces</h2>
              {group.sampleTraceIds.length === 0 ? (
                <div className="muted">No trace carries this error (it came from logs without a trace).</div>
              ) : (
                <ul className="sample-traces">
                  {group.sampleTraceIds.map((traceId) => {
                    const spanId = detail.occurrences.find((o) => o.traceId === traceId)?.spanId ?? null;
                    return (
                      <li key={traceId}>
                        <Link to={pathWith(`/traces/${traceId}`, { span: spanId })} className="mono" title={traceId}>
                          {traceId}
                        </Link>
                        {spanId !== null && <span className="muted mono"> span {shortId(spanId)}</span>}
                      </li>
                    );
                  })}
                </ul>
              )}
            </section>
          </div>

          <section aria-labelledby="stack-title">
            <h2 id="stack-title">
              Stack trace <span className="muted error-h-note">{withStack === undefined ? '' : `of the occurrence at ${formatTime(withStack.time)}`}</span>
            </h2>
            <StackTrace
              key={`${withStack?.traceId}:${withStack?.spanId}`}
              traceId={withStack?.traceId ?? null}
              spanId={withStack?.spanId ?? null}
              frame={group.frame}
            />
          </section>

          <section aria-labelledby="occurrences-title">
            <h2 id="occurrences-title">Newest occurrences</h2>
            <OccurrenceList occurrences={detail.occurrences} />
          </section>
        </>
      )}
    </div>
  );
}
