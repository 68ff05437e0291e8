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

/**
 * All queries' lines on the union of their times (epoch ms, ascending), `null` where a line has no
 * point. Given the range read, every step of it is a time, so the axis spans the range even where
 * the answer has no points (Prometheus leaves them out).
 */
export function chartFromMatrices(
  queries: readonly QueryMatrix[],
  range?: { startS: number; endS: number; stepS: number },
): { times: number[]; series: ChartSeries[] } {
  const steps: number[] = [];
  if (range !== undefined && range.stepS > 0) for (let t = range.startS; t <= range.endS; t += range.stepS) steps.push(t * 1000);
  const answered = queries.flatMap((q) => q.result.flatMap((s) => s.values.map(([t]) => Math.round(t * 1000))));
  const times = [...new Set([...steps, ...answered])].sort((a, b) => a - b);
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

export interface TableRows {
  labels: string[];
  /** One value column per query. */
  valueHeaders: string[];
  rows: Array<{ labels: Labels; values: (number | null)[] }>;
}

/** Several queries' rows as one table: a row per label set, a value column per query (`null` where it has none). */
export function tableRows(perQuery: readonly (readonly StatRow[])[], headers: readonly string[]): TableRows {
  const all = perQuery.flat();
  const byKey = new Map<string, { labels: Labels; values: (number | null)[] }>();
  perQuery.forEach((rows, i) => {
    for (const row of rows) {
      const key = keyOf(row.labels);
      let entry = byKey.get(key);
      if (entry === undefined) {
        entry = { labels: row.labels, values: perQuery.map(() => null) };
        byKey.set(key, entry);
      }
      entry.values[i] = row.value;
    }
  });
  return { labels: labelColumns(all), valueHeaders: [...headers], rows: [...byKey.values()] };
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
