import type { MetricDescriptor, MetricSeriesResponse } from '@spoor/model';
import { useMemo } from 'react';
import { apiUrl } from '../api';
import { Segmented } from '../charts/Segmented';
import { LineChart } from '../components/LineChart';
import { setSearch } from '../router';
import { useApi } from '../use-api';
import { fnFor, fnLabel, fnsFor } from './app-metric-fns';
import { chartFromMetricSeries } from './app-metric-series';
import { metricValueFormat } from './app-metric-units';
import type { ChartFilter } from './stats-charts';

export type AppMetricBy = 'total' | 'service';

const BY_OPTIONS: ReadonlyArray<readonly [AppMetricBy, string]> = [
  ['total', 'Total'],
  ['service', 'By service'],
];

export interface AppMetricChartProps {
  metric: MetricDescriptor;
  /** The function the URL asks for (`fn`); one that does not fit the type gives way to the default. */
  askedFn: string | null;
  by: AppMetricBy;
  filter: ChartFilter;
}

/** One app metric over the range through a function that fits its type (`fn` and `metricBy` in the URL). */
export function AppMetricChart({ metric, askedFn, by, filter }: AppMetricChartProps) {
  const fn = fnFor(metric.type, askedFn);
  const { data, error, loading } = useApi<MetricSeriesResponse>(
    apiUrl('/api/metrics/series', { name: metric.name, fn, from: filter.from, to: filter.to, service: filter.service, groupBy: by === 'total' ? null : by }),
  );
  const answer = data;
  // An answer kept from the previous metric or function must not be drawn under this one's name.
  const current = answer !== undefined && answer.name === metric.name && answer.fn === fn ? answer : undefined;
  const chartData = useMemo(() => (current === undefined ? null : chartFromMetricSeries(current)), [current]);
  const format = useMemo(() => metricValueFormat(current?.unit ?? metric.unit, fn, metric.type), [current?.unit, metric.unit, fn, metric.type]);

  return (
    <LineChart
      title={metric.name}
      times={chartData?.times ?? []}
      series={chartData?.series ?? []}
      stepMs={chartData?.stepMs}
      formatValue={format.value}
      formatTick={format.tick}
      zeroBased={metric.type !== 'gauge'}
      loading={loading}
      error={error}
      emptyText="No values in this range"
      note={`${metric.type}${metric.unit === '' ? '' : ` · ${metric.unit}`} · ${fnLabel(fn, metric.type)}${metric.description === '' ? '' : ` · ${metric.description}`}${droppedNote(current?.droppedSeries ?? 0)}`}
      controls={
        <>
          <select className="chart-select" aria-label="Function" value={fn} onChange={(e) => setSearch({ fn: e.target.value })}>
            {fnsFor(metric.type).map((f) => (
              <option key={f} value={f}>
                {fnLabel(f, metric.type)}
              </option>
            ))}
          </select>
          <Segmented<AppMetricBy>
            label={`${metric.name} by`}
            options={BY_OPTIONS}
            value={by}
            onChange={(next) => setSearch({ metricBy: next === 'total' ? null : next })}
          />
        </>
      }
    />
  );
}

/** Says that the chart left out the smaller series, if it did. */
function droppedNote(dropped: number): string {
  return dropped === 0 ? '' : ` · ${dropped} smaller series not shown`;
}
