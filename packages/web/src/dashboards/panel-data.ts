import type { ChartSeries } from '../charts/line-chart-model';

/**
 * Prometheus answers (`/api/v1/query_range`'s matrix, `/api/v1/query`'s vector) as a panel draws
 * them: lines on shared times, named by the query's legend; single values with their change
 * against the previous range. Pure; tested in panel-data.test.ts.
 */

export type Labels = Record<string, string>;
export interface MatrixSeries {
  metric: Labels;
  values: Array<[number, string]>;
}
export interface VectorSample {
  metric: Labels;
  value: [number, string];
}

/** A series' name: the legend with `{{label}}` filled, else its labels, else the expression. */
export function seriesName(metric: Labels, legend: string | undefined, expr: string): string {
  if (legend !== undefined && legend !== '') {
    const filled = legend.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g, (_, label: string) => metric[label] ?? '');
    // The group of records without the label (spans with no model): named, not a blank row.
    return filled.trim() === '' ? '(none)' : filled;
  }
  const pairs = Object.entries(metric).sort(([a], [b]) => a.localeCompare(b));
  return pairs.length === 0 ? expr : pairs.map(([k, v]) => (pairs.length === 1 ? v : `${k}=${v}`)).join(', ');
}

export interface QueryMatrix {
  expr: string;
  legend?: string;
  result: readonly MatrixSeries[];
}

/** All queries' lines on the union of their times (epoch ms, ascending), `null` where a line has no point. */
export function chartFromMatrices(queries: readonly QueryMatrix[]): { times: number[]; series: ChartSeries[] } {
  const times = [...new Set(queries.flatMap((q) => q.result.flatMap((s) => s.values.map(([t]) => Math.round(t * 1000)))))].sort((a, b) => a - b);
  const at = new Map(times.map((t, i) => [t, i]));
  const series = queries.flatMap((q) =>
    q.result.map((s) => {
      const values: (number | null)[] = times.map(() => null);
      for (const [t, v] of s.values) values[at.get(Math.round(t * 1000))!] = Number(v);
      return { name: seriesName(s.metric, q.legend, q.expr), values };
    }),
  );
  return { times, series };
}

export interface StatRow {
  name: string;
  labels: Labels;
  value: number;
  /** The value over the previous range, `null` when that range had none. */
  previous: number | null;
}

const keyOf = (metric: Labels): string => JSON.stringify(Object.entries(metric).sort(([a], [b]) => a.localeCompare(b)));

/** One row per series of the current answer, each with the same series' previous value. */
export function statRows(current: readonly VectorSample[], previous: readonly VectorSample[], legend: string | undefined, expr: string): StatRow[] {
  const before = new Map(previous.map((s) => [keyOf(s.metric), Number(s.value[1])]));
  return current.map((s) => ({
    name: seriesName(s.metric, legend, expr),
    labels: s.metric,
    value: Number(s.value[1]),
    previous: before.get(keyOf(s.metric)) ?? null,
  }));
}

/** The change against the previous range as a ratio (`0.25` for +25%); `null` when there is no base. */
export function relativeChange(value: number, previous: number | null): number | null {
  if (previous === null || previous === 0 || !Number.isFinite(previous)) return null;
  return (value - previous) / Math.abs(previous);
}

/** The label columns of a table: every label any row has, in the order first seen. */
export function labelColumns(rows: readonly StatRow[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r.labels)))];
}

/** Bars by label: rows largest first, each with its length as a fraction of the largest. */
export function barRows(rows: readonly StatRow[]): Array<StatRow & { fraction: number }> {
  const sorted = [...rows].filter((r) => Number.isFinite(r.value)).sort((a, b) => b.value - a.value);
  const max = Math.max(0, ...sorted.map((r) => Math.abs(r.value)));
  return sorted.map((r) => ({ ...r, fraction: max === 0 ? 0 : Math.abs(r.value) / max }));
}
