import { seriesStyle, type SeriesStyle } from './palette';
import { extent, linePath, niceTicks, scaleLinear, timeDomain, timeTicks, type ZoneOffset } from './scale';

/**
 * The layout of a line chart, in pixels, from its data and size: where the plot sits, the ticks
 * of both axes, one path per shown series. LineChart.tsx draws it; computed once per data or
 * size change, never per mouse move. Pure; tested in line-chart-model.test.ts.
 */

/** One line: a name for the legend and tooltip, a value per time (`null` where there is none). */
export interface ChartSeries {
  name: string;
  values: readonly (number | null)[];
}

export interface ChartInput {
  /** Epoch ms, ascending, one per value. */
  times: readonly number[];
  series: readonly ChartSeries[];
  /** Indexes of series the legend has switched off. */
  hidden: ReadonlySet<number>;
  width: number;
  height: number;
  /** Bucket width in ms: widens a single point's x range. */
  stepMs: number;
  formatTick: (value: number, step: number) => string;
  /** Keep 0 on the y axis when all values are positive (counts, rates, latencies). */
  zeroBased: boolean;
  offset?: ZoneOffset;
}

export interface ChartLine extends SeriesStyle {
  /** Index into the input series. */
  index: number;
  name: string;
  d: string;
  dots: Array<[number, number]>;
}

export interface ChartModel {
  plot: { left: number; top: number; width: number; height: number };
  xTicks: Array<{ x: number; label: string }>;
  yTicks: Array<{ y: number; label: string }>;
  lines: ChartLine[];
  /** Pixel x of each time. */
  xs: number[];
  /** Epoch ms at pixel x (for the pointer). */
  timeAt: (x: number) => number;
  /** Pixel y of a value. */
  yOf: (value: number) => number;
}

/** Pixels per character of an 11px tick label: an estimate, so layout needs no measuring pass. */
const CHAR_PX = 6.6;
const MARGIN = { top: 8, right: 14, bottom: 22 };

export function lineChartModel(input: ChartInput): ChartModel {
  const { times, series, hidden, width, height, stepMs, formatTick, zeroBased } = input;
  const shown = series.map((s, index) => ({ s, index })).filter(({ index }) => !hidden.has(index));
  const range = extent(shown.map(({ s }) => s.values));
  const lo = range === null ? 0 : zeroBased ? Math.min(0, range.min) : range.min;
  const hi = range === null ? 1 : zeroBased ? Math.max(0, range.max) : range.max;
  const yCount = Math.max(2, Math.floor((height - MARGIN.top - MARGIN.bottom) / 40));
  const yScale = niceTicks(lo, hi, yCount);
  const yLabels = yScale.ticks.map((v) => formatTick(v, yScale.step));

  const left = Math.ceil(Math.max(...yLabels.map((l) => l.length), 1) * CHAR_PX) + 10;
  const plot = {
    left,
    top: MARGIN.top,
    width: Math.max(10, width - left - MARGIN.right),
    height: Math.max(10, height - MARGIN.top - MARGIN.bottom),
  };
  const [t0, t1] = timeDomain(times, stepMs);
  const xOf = scaleLinear(t0, t1, plot.left, plot.left + plot.width);
  const yOf = scaleLinear(yScale.min, yScale.max, plot.top + plot.height, plot.top);
  const xs = times.map(xOf);

  const xTicks = timeTicks(t0, t1, Math.max(2, Math.floor(plot.width / 90)), input.offset).map((tick) => ({ x: xOf(tick.t), label: tick.label }));
  const yTicks = yScale.ticks.map((v, i) => ({ y: yOf(v), label: yLabels[i]! }));
  const lines = shown.map(({ s, index }) => {
    const path = linePath(
      xs,
      s.values.map((v) => (v === null || !Number.isFinite(v) ? null : yOf(v))),
    );
    return { index, name: s.name, ...seriesStyle(index, series.length), ...path };
  });
  return { plot, xTicks, yTicks, lines, xs, timeAt: scaleLinear(plot.left, plot.left + plot.width, t0, t1), yOf };
}

/** True when no series has a single finite value: the chart shows its empty state instead. */
export function isEmptyChart(series: readonly ChartSeries[]): boolean {
  return extent(series.map((s) => s.values)) === null;
}

/**
 * The chart in words, for its `aria-label`: the title, the time range and each series' latest
 * and peak value (the first three; the legend and tooltip have the rest).
 */
export function chartSummary(
  title: string,
  times: readonly number[],
  series: readonly ChartSeries[],
  formatValue: (value: number) => string,
  formatTime: (ms: number) => string,
): string {
  const first = times[0];
  const last = times[times.length - 1];
  if (first === undefined || last === undefined || isEmptyChart(series)) return `${title}: no data`;
  const parts = series.slice(0, 3).map((s) => {
    const finite = s.values.filter((v): v is number => v !== null && Number.isFinite(v));
    if (finite.length === 0) return `${s.name} no data`;
    const latest = [...s.values].reverse().find((v): v is number => v !== null && Number.isFinite(v))!;
    return `${s.name} latest ${formatValue(latest)}, peak ${formatValue(Math.max(...finite))}`;
  });
  const more = series.length > 3 ? `; and ${series.length - 3} more` : '';
  return `${title}, ${formatTime(first)} to ${formatTime(last)}: ${parts.join('; ')}${more}`;
}
