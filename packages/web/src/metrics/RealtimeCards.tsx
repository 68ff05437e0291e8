import type { RealtimeMetrics } from '@spoor/model';
import { apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { formatClock, formatCost, formatDuration, formatPercent } from '../format';
import { useApi } from '../use-api';
import { formatSignificant } from './value-format';

const REFRESH_MS = 5000;

/** What is happening now, from `GET /api/metrics/realtime`, asked again every five seconds. */
export function RealtimeCards({ service }: { service: string | null }) {
  const { data, error } = useApi<RealtimeMetrics>(apiUrl('/api/metrics/realtime', { service }), { refreshMs: REFRESH_MS });
  const na = (n: number | null | undefined, format: (n: number) => string) => (n === null || n === undefined ? '–' : format(n));
  const cards: Array<[string, string, string]> = [
    ['Requests / min', na(data?.requestsPerSecond, (n) => formatSignificant(n * 60)), 'Root spans that ended in the last 60 s'],
    ['Error rate', na(data?.errorRate, formatPercent), 'Of root spans that ended in the last 5 minutes; – when there were none'],
    ['Avg latency', na(data?.avgLatencyMs, formatDuration), 'Of root spans that ended in the last 5 minutes'],
    ['Tokens / min', na(data?.tokensPerSecond, (n) => formatSignificant(n * 60)), 'LLM input + output tokens, last 60 s'],
    ['Cost / hour', na(data?.costPerHourUsd, formatCost), 'Cost of the last 5 minutes, as an hourly rate'],
    ['Cache hit rate', na(data?.cacheHitRate, formatPercent), 'Last 5 minutes, from cache.hit span attributes or cache.hits/cache.misses counters'],
  ];
  return (
    <section aria-labelledby="realtime-title">
      <h2 id="realtime-title">
        Now{' '}
        <span className="muted metrics-at" title="Refreshed every 5 seconds">
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
