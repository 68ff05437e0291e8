import { useMemo } from 'react';
import { formatTickCost, formatTickNumber, formatTickPercent } from '../charts/axis-format';
import { RangePicker } from '../components/RangePicker';
import { formatCost, formatCount, formatInteger, formatPercent } from '../format';
import { AppMetrics } from '../metrics/AppMetrics';
import { LatencyChart } from '../metrics/LatencyChart';
import { RealtimeCards } from '../metrics/RealtimeCards';
import { ServiceSelect } from '../components/ServiceSelect';
import { SpoorCost } from '../metrics/SpoorCost';
import { StatsChart } from '../metrics/StatsChart';
import { chartByFrom, percentileFrom, type ChartBy, type ChartFilter, type ConvertOptions } from '../metrics/stats-charts';
import { formatCostPerHour, formatPerMinute, formatTokensPerMinute } from '../metrics/value-format';
import { resolveRange } from '../time-range';
import { useNow } from '../use-now';
import './metrics.css';

/** How often a moving range ("last hour") moves on, and the charts with it. */
const CHART_REFRESH_MS = 30_000;

const PER_MINUTE: ConvertOptions = { ratePerMs: 60_000, additive: true };
const PER_HOUR: ConvertOptions = { ratePerMs: 3_600_000, additive: true };
const countedNoun = (by: ChartBy): string => (by === 'model' ? 'LLM calls' : 'requests');

/**
 * `/metrics`: realtime tiles, span charts over the range (throughput, error rate, latency,
 * tokens, cost; each in total or by service or model) and the app's own metrics. Every choice
 * is in the URL: `range` or `from`/`to`, `service`, `<chart>By`, `latencyP`, `metric`, `fn`, `metricBy`.
 */
export function MetricsPage({ search }: { search: URLSearchParams }) {
  const nowMs = useNow(CHART_REFRESH_MS);

  const range = resolveRange(search, nowMs, '1h');
  const service = search.get('service');
  // Both ends sent, so every chart asks for the same buckets.
  const to = range.to ?? new Date(nowMs).toISOString();
  const filter = useMemo<ChartFilter>(() => ({ service, from: range.from, to }), [service, range.from, to]);
  const by = (key: string) => chartByFrom(search.get(`${key}By`));
  const throughputBy = by('throughput');

  return (
    <div className="metrics-page">
      <h1>Metrics</h1>
      <div className="toolbar">
        <RangePicker range={range} />
        <ServiceSelect value={service} from={filter.from} to={filter.to} />
      </div>

      <RealtimeCards service={service} />

      <h2>Over time</h2>
      <div className="metrics-charts">
        <StatsChart
          chart="throughput"
          title="Throughput"
          metric="count"
          by={throughputBy}
          filter={filter}
          convert={PER_MINUTE}
          per="per minute"
          formatValue={formatPerMinute}
          formatTick={formatTickNumber}
          formatTotal={(n) => `${formatInteger(n)} ${countedNoun(throughputBy)}`}
          emptyText="No requests in this range"
        />
        <StatsChart
          chart="errors"
          title="Error rate"
          metric="error_rate"
          by={by('errors')}
          filter={filter}
          formatValue={formatPercent}
          formatTick={formatTickPercent}
          emptyText="No requests in this range"
        />
        <LatencyChart by={by('latency')} percentile={percentileFrom(search.get('latencyP'))} filter={filter} />
        <StatsChart
          chart="tokens"
          title="Tokens"
          metric="tokens"
          by={by('tokens')}
          filter={filter}
          convert={PER_MINUTE}
          per="per minute"
          formatValue={formatTokensPerMinute}
          formatTick={formatTickNumber}
          formatTotal={(n) => `${formatCount(n)} tokens`}
          emptyText="No LLM tokens in this range"
        />
        <StatsChart
          chart="cost"
          title="Cost"
          metric="cost"
          by={by('cost')}
          filter={filter}
          convert={PER_HOUR}
          per="per hour"
          formatValue={formatCostPerHour}
          formatTick={formatTickCost}
          formatTotal={(n) => `${formatCost(n)} spent`}
          emptyText="No LLM cost in this range"
        />
      </div>
      <SpoorCost filter={filter} />

      <AppMetrics
        selected={search.get('metric')}
        askedFn={search.get('fn')}
        by={search.get('metricBy') === 'service' ? 'service' : 'total'}
        filter={filter}
        nowMs={nowMs}
      />
    </div>
  );
}
