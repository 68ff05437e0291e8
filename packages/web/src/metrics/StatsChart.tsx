import type { TimeseriesMetric, TimeseriesResponse } from '@spoor/model';
import { useMemo } from 'react';
import { apiUrl } from '../api';
import { Segmented } from '../charts/Segmented';
import { LineChart } from '../components/LineChart';
import { setSearch } from '../router';
import { useApi } from '../use-api';
import {
  CHART_BY_OPTIONS,
  chartFromTimeseries,
  chartScope,
  timeseriesParams,
  type ChartBy,
  type ChartFilter,
  type ConvertOptions,
  type StatsChartKey,
} from './stats-charts';

export interface StatsChartProps {
  chart: StatsChartKey;
  title: string;
  metric: TimeseriesMetric;
  by: ChartBy;
  filter: ChartFilter;
  convert?: ConvertOptions;
  formatValue: (value: number) => string;
  formatTick: (value: number, step: number) => string;
  /** The unit of a rate, for the note: `per minute`. */
  per?: string;
  /** The range's total in words, for additive metrics: `1,234 requests`. */
  formatTotal?: (total: number) => string;
  emptyText: string;
}

/** One span metric over the range, in total or split by service or model (`<chart>By` in the URL). */
export function StatsChart({ chart, title, metric, by, filter, convert, formatValue, formatTick, per, formatTotal, emptyText }: StatsChartProps) {
  const { data, error, loading } = useApi<TimeseriesResponse>(apiUrl('/api/stats/timeseries', timeseriesParams(chart, metric, by, filter)));
  const answer = data;
  const chartData = useMemo(() => (answer === undefined ? null : chartFromTimeseries(answer, convert)), [answer, convert]);
  const total = chartData?.total ?? null;
  const note = [chartScope(chart, by), per, total !== null && total > 0 && formatTotal !== undefined ? `${formatTotal(total)} in range` : undefined];
  return (
    <LineChart
      title={title}
      times={chartData?.times ?? []}
      series={chartData?.series ?? []}
      stepMs={chartData?.stepMs}
      formatValue={formatValue}
      formatTick={formatTick}
      loading={loading}
      error={error}
      emptyText={emptyText}
      note={note.filter((part) => part !== undefined).join(' · ')}
      controls={
        <Segmented<ChartBy>
          label={`${title} by`}
          options={CHART_BY_OPTIONS}
          value={by}
          onChange={(next) => setSearch({ [`${chart}By`]: next === 'total' ? null : next })}
        />
      }
    />
  );
}
