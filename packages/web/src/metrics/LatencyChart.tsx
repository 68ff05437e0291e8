import type { TimeseriesResponse } from '@spoor/model';
import { useMemo } from 'react';
import { apiUrl } from '../api';
import { Segmented } from '../charts/Segmented';
import { formatTickDuration } from '../charts/axis-format';
import { LineChart } from '../components/LineChart';
import { formatDuration } from '../format';
import { setSearch } from '../router';
import { useApi } from '../use-api';
import {
  CHART_BY_OPTIONS,
  PERCENTILE_OPTIONS,
  chartFromTimeseries,
  chartScope,
  mergeTimeseries,
  timeseriesParams,
  type ChartBy,
  type ChartFilter,
  type Percentile,
} from './stats-charts';

/**
 * Latency percentiles. In total: p50, p95 and p99 as three lines. Split by service or model: one
 * line per group of the chosen percentile (`latencyP` in the URL), since three per group is a tangle.
 */
export function LatencyChart({ by, percentile, filter }: { by: ChartBy; percentile: Percentile; filter: ChartFilter }) {
  const url = (metric: Percentile, wanted: boolean) => (wanted ? apiUrl('/api/stats/timeseries', timeseriesParams('latency', metric, by, filter)) : null);
  const total = by === 'total';
  const p50 = useApi<TimeseriesResponse>(url('p50', total));
  const p95 = useApi<TimeseriesResponse>(url('p95', total));
  const p99 = useApi<TimeseriesResponse>(url('p99', total));
  const grouped = useApi<TimeseriesResponse>(url(percentile, !total));

  const all = useMemo(
    () => (p50.data !== undefined && p95.data !== undefined && p99.data !== undefined ? { p50: p50.data, p95: p95.data, p99: p99.data } : undefined),
    [p50.data, p95.data, p99.data],
  );
  const keptAll = all;
  const keptGrouped = grouped.data;
  const chartData = useMemo(() => {
    if (total) {
      return keptAll === undefined
        ? null
        : mergeTimeseries([
            { name: 'p50', response: keptAll.p50 },
            { name: 'p95', response: keptAll.p95 },
            { name: 'p99', response: keptAll.p99 },
          ]);
    }
    return keptGrouped === undefined ? null : chartFromTimeseries(keptGrouped);
  }, [total, keptAll, keptGrouped]);
  const states = total ? [p50, p95, p99] : [grouped];

  return (
    <LineChart
      title="Latency"
      times={chartData?.times ?? []}
      series={chartData?.series ?? []}
      stepMs={chartData?.stepMs}
      formatValue={formatDuration}
      formatTick={formatTickDuration}
      loading={states.some((s) => s.loading)}
      error={states.find((s) => s.error !== undefined)?.error}
      emptyText="No requests in this range"
      note={total ? chartScope('latency', by) : `${chartScope('latency', by)} · ${percentile}`}
      controls={
        <>
          {!total && (
            <Segmented<Percentile>
              label="Latency percentile"
              options={PERCENTILE_OPTIONS}
              value={percentile}
              onChange={(p) => setSearch({ latencyP: p === 'p95' ? null : p })}
            />
          )}
          <Segmented<ChartBy>
            label="Latency by"
            options={CHART_BY_OPTIONS}
            value={by}
            onChange={(next) => setSearch({ latencyBy: next === 'total' ? null : next })}
          />
        </>
      }
    />
  );
}
