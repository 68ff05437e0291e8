import type { RealtimeMetrics } from '@spoor/model';
import { apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { formatClock, formatCost, formatDuration, formatPercent } from '../format';
import { useCommitRefresh } from '../live/use-commit-refresh';
import { useApi } from '../use-api';
import { formatSignificant } from './value-format';

/**
 * With nothing committed the tiles still move, as their windows (60 s, 5 minutes) slide past the
 * last runs, and so do the cache counters, which no trace event announces: asked again this often.
 */
const QUIET_REFRESH_MS = 30_000;

/** What is happening now, from `GET /api/metrics/realtime`: asked again when a trace is committed (at most once a second, from `GET /api/live`). */
export function RealtimeCards({ service }: { service: string | null }) {
  const { data, error, reload } = useApi<RealtimeMetrics>(apiUrl('/api/metrics/realtime', { service }), { refreshMs: QUIET_REFRESH_MS });
  useCommitRefresh({ service }, reload);
  const na = (n: number | null | undefined, format: (n: number) => string) => (n === null || n === undefined ? '–' : format(n));
  const cards: Array<[string, string, string]> = [
    ['Requests / min', na(data?.requestsPerSecond, (n) => formatSignificant(n * 60)), 'Root spans that ended in the last 60 s'],
    ['Error rate', na(data?.errorRate, formatPercent), 'Of root spans that ended in the last 5 minutes; – when there were none'],
    ['Avg latency', na(data?.avgLatencyMs, formatDuration), 'Of root spans that ended in the last 5 minutes'],
    ['Tokens / min', na(data?.tokensPerSecond, (n) => formatSignificant(n * 60)), 'LLM input + output tokens, last 60 s'],
    [
      'Cost / hour',
      na(data?.costPerHourUsd, (n) => (data !== undefined && data.unpricedCalls > 0 ? `≥ ${formatCost(n)}` : formatCost(n))),
      data !== undefined && data.unpricedCalls > 0
        ? `Cost of the last 5 minutes, as an hourly rate; leaves out ${data.unpricedCalls} LLM ${data.unpricedCalls === 1 ? 'call' : 'calls'} with no price`
        : 'Cost of the last 5 minutes, as an hourly rate',
    ],
    ['Cache hit rate', na(data?.cacheHitRate, formatPercent), 'Last 5 minutes, from cache.hit span attributes or cache.hits/cache.misses counters'],
  ];
  return (
    <section aria-labelledby="realtime-title">
      <h2 id="realtime-title">
        Now{' '}
        <span className="muted metrics-at" title="Refreshed as traces are committed, at most once a second">
          {data === undefined ? '' : `at ${formatClock(data.at).slice(0, 8)}`}
        </span>
      </h2>
      <ErrorBox error={error} />
      <div className="cards" aria-busy={data === undefined}>
        {cards.map(([label, value, title]) => (
          <div key={label} className="card" title={title}>
            <div className="label">{label}</div>
            <div className="value">{data === undefined ? '…' : value}</div>
          </div>
        ))}
      </div>
    </section>
  );
}
