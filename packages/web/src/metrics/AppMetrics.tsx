import type { MetricListResponse } from '@spoor/model';
import type { MouseEvent } from 'react';
import { apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { formatAgo, formatInteger, formatTime } from '../format';
import { setSearch } from '../router';
import { useApi } from '../use-api';
import { AppMetricChart, type AppMetricBy } from './AppMetricChart';
import type { ChartFilter } from './stats-charts';

export interface AppMetricsProps {
  /** The metric picked (`metric` in the URL). */
  selected: string | null;
  askedFn: string | null;
  by: AppMetricBy;
  filter: ChartFilter;
  nowMs: number;
}

const select = (name: string) => setSearch({ metric: name, fn: null });

/** The app's own OpenTelemetry metrics seen in the range; the one picked is charted beside the list. */
export function AppMetrics({ selected, askedFn, by, filter, nowMs }: AppMetricsProps) {
  const { data, error, loading } = useApi<MetricListResponse>(apiUrl('/api/metrics', { from: filter.from, to: filter.to }));
  const metrics = data?.metrics;
  const picked = selected === null ? undefined : metrics?.find((m) => m.name === selected);
  const follow = (event: MouseEvent<HTMLAnchorElement>, name: string) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    select(name);
  };
  const hrefOf = (name: string): string => {
    const search = new URLSearchParams(window.location.search);
    search.set('metric', name);
    search.delete('fn');
    return `${window.location.pathname}?${search.toString()}`;
  };

  return (
    <section aria-labelledby="app-metrics-title">
      <h2 id="app-metrics-title">App metrics</h2>
      <ErrorBox error={error} />
      {metrics === undefined ? (
        <div className="empty">{loading ? 'Loading…' : ''}</div>
      ) : metrics.length === 0 ? (
        <div className="empty">No app metrics in this range. Send OTLP metrics to /v1/metrics and they show up here.</div>
      ) : (
        <div className="app-metrics">
          <div className="panel app-metrics-list">
            <table className="list">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Type</th>
                  <th>Unit</th>
                  <th>Description</th>
                  <th className="num">Points</th>
                  <th>Last seen</th>
                </tr>
              </thead>
              <tbody>
                {metrics.map((m) => (
                  <tr key={m.name} className={`clickable${m.name === selected ? ' selected' : ''}`} onClick={() => select(m.name)}>
                    <td className="mono">
                      <a href={hrefOf(m.name)} onClick={(e) => follow(e, m.name)} aria-current={m.name === selected ? 'true' : undefined}>
                        {m.name}
                      </a>
                    </td>
                    <td>
                      <span className="tag">{m.type}</span>
                    </td>
                    <td className="mono">{m.unit}</td>
                    <td className="muted">{m.description}</td>
                    <td className="num">{formatInteger(m.pointCount)}</td>
                    <td title={formatTime(m.lastSeen)}>{formatAgo(m.lastSeen, nowMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="app-metrics-chart">
            {picked !== undefined ? (
              <AppMetricChart metric={picked} askedFn={askedFn} by={by} filter={filter} />
            ) : (
              <div className="panel empty">{selected === null ? 'Pick a metric to chart it.' : `${selected} has no points in this range.`}</div>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
