import type { Experiment } from '@spoor/model';
import type { ChartSeries } from '../charts/line-chart-model';
import { type SeriesStyle, seriesStyle } from '../charts/palette';
import { extent, linePath, niceTicks, scaleLinear } from '../charts/scale';

/**
 * The chart of a dataset's experiments over time: one line per score name, its mean in each run,
 * the runs evenly spaced along x in the order they were made (runs are events, not a time
 * series: two runs a minute apart and one a week later are three steps). Pure; tested in
 * run-chart.test.ts; RunsChart.tsx draws it.
 */

/** Runs in the order they were made (ties by id, so the order is the same on every load). */
export function runsInOrder(experiments: readonly Experiment[]): Experiment[] {
  return [...experiments].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** One series per score name any run has a mean for, by name; a run without one is a gap. */
export function scoreSeries(runs: readonly Experiment[]): ChartSeries[] {
  const names = new Set<string>();
  for (const run of runs) for (const s of run.scores) if (s.mean !== null) names.add(s.name);
  return [...names].sort().map((name) => ({ name, values: runs.map((run) => run.scores.find((s) => s.name === name)?.mean ?? null) }));
}

export interface RunChartInput {
  series: readonly ChartSeries[];
  /** One label per run (x), in order. */
  labels: readonly string[];
  /** Indexes of series the legend switched off. */
  hidden: ReadonlySet<number>;
  width: number;
  height: number;
  formatTick: (value: number, step: number) => string;
}

export interface RunChartLine extends SeriesStyle {
  index: number;
  name: string;
  d: string;
  /** Each run's point: its x, y, run index and value. */
  points: Array<{ x: number; y: number; run: number; value: number }>;
}

export interface RunChartModel {
  plot: { left: number; top: number; width: number; height: number };
  /** Pixel x of each run. */
  xs: number[];
  /** Labels shown under the axis: all when they fit, else every k-th (the last always). */
  xTicks: Array<{ x: number; label: string }>;
  yTicks: Array<{ y: number; label: string }>;
  lines: RunChartLine[];
  yOf: (value: number) => number;
}

/** Pixels per character of an 11px label: an estimate, so the layout needs no measuring pass. */
const CHAR_PX = 6.6;
const MARGIN = { top: 8, right: 14, bottom: 22 };
/** Room between two x labels. */
const LABEL_GAP_PX = 10;

export function runChartModel(input: RunChartInput): RunChartModel {
  const { series, labels, hidden, width, height, formatTick } = input;
  const shown = series.map((s, index) => ({ s, index })).filter(({ index }) => !hidden.has(index));
  const range = extent(shown.map(({ s }) => s.values));
  // Zero stays on the axis while every mean is positive, so a change from 0.80 to 0.82 is drawn as small as it is.
  const lo = range === null ? 0 : Math.min(0, range.min);
  const hi = range === null ? 1 : Math.max(0, range.max);
  const yScale = niceTicks(lo, hi, Math.max(2, Math.floor((height - MARGIN.top - MARGIN.bottom) / 40)));
  const yLabels = yScale.ticks.map((v) => formatTick(v, yScale.step));
  const left = Math.ceil(Math.max(...yLabels.map((l) => l.length), 1) * CHAR_PX) + 10;
  const plot = { left, top: MARGIN.top, width: Math.max(10, width - left - MARGIN.right), height: Math.max(10, height - MARGIN.top - MARGIN.bottom) };

  const n = labels.length;
  // Each run in the middle of an equal band: one run sits mid-chart, and the ends have room for a dot.
  const band = n === 0 ? plot.width : plot.width / n;
  const xs = labels.map((_, i) => plot.left + band * (i + 0.5));
  const yOf = scaleLinear(yScale.min, yScale.max, plot.top + plot.height, plot.top);

  const widest = Math.max(1, ...labels.map((l) => l.length)) * CHAR_PX + LABEL_GAP_PX;
  const every = Math.max(1, Math.ceil(widest / band));
  const xTicks = labels.flatMap((label, i) => ((n - 1 - i) % every === 0 ? [{ x: xs[i]!, label }] : []));
  const yTicks = yScale.ticks.map((v, i) => ({ y: yOf(v), label: yLabels[i]! }));

  const lines = shown.map(({ s, index }) => {
    const ys = s.values.map((v) => (v === null || !Number.isFinite(v) ? null : yOf(v)));
    const points = s.values.flatMap((v, run) => (v === null || !Number.isFinite(v) ? [] : [{ x: xs[run]!, y: ys[run]!, run, value: v }]));
    return { index, name: s.name, ...seriesStyle(index, series.length), d: linePath(xs, ys).d, points };
  });
  return { plot, xs, xTicks, yTicks, lines, yOf };
}
