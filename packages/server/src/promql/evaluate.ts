import type { Expr } from '../alerting/expr/ast.js';
import { parseExpr } from '../alerting/expr/parser.js';
import { type ReadSeries, Sampler, toSamples } from '../alerting/sampler.js';
import type { Sample } from '../alerting/evaluator.js';
import { seriesSpecOf } from '../alerting/series.js';

/**
 * The alert language evaluated as Prometheus evaluates a query: at one instant (a vector) or at
 * every step of a range (a matrix). An aggregate's value at `t` is its window `(t - window, t]`, as
 * a rule's is when evaluated at `t`; a comparison keeps the series whose value holds, as PromQL's
 * filtering comparison does.
 */

/** Prometheus's limit on points per series of a range query, and its message. */
export const MAX_POINTS = 11_000;

/** A Prometheus API error: `bad_data` answers 400, `execution` 422. */
export class PromError extends Error {
  constructor(
    readonly errorType: 'bad_data' | 'execution',
    message: string,
  ) {
    super(message);
  }
}

export type Labels = Record<string, string>;
export interface VectorSample {
  metric: Labels;
  value: [number, string];
}
export interface MatrixSeries {
  metric: Labels;
  values: Array<[number, string]>;
}

export function parseQuery(text: string): Expr {
  try {
    return parseExpr(text);
  } catch (error) {
    throw new PromError('bad_data', `invalid parameter "query": ${(error as Error).message}`);
  }
}

/** Values as Prometheus writes them: the shortest decimal that reads back, `NaN`, `+Inf`, `-Inf`. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function holds(expr: Expr, value: number): boolean {
  if (expr.kind !== 'compare') return true;
  const t = expr.threshold;
  switch (expr.op) {
    case '>':
      return value > t;
    case '>=':
      return value >= t;
    case '<':
      return value < t;
    case '<=':
      return value <= t;
    case '==':
      return value === t;
    case '!=':
      return value !== t;
  }
}

/**
 * The samples at every instant from one read, when the instants are a step apart and the
 * aggregate's window is that step: the store's buckets are then exactly the windows each instant's
 * own read would ask for. Otherwise (an anomaly, another window, an app metric) null.
 */
async function rangeSamples(read: ReadSeries, value: Expr, instantsUs: readonly number[]): Promise<Sample[][] | null> {
  if (value.kind !== 'aggregate' || value.source.kind === 'metric' || instantsUs.length < 2) return null;
  const stepUs = instantsUs[1]! - instantsUs[0]!;
  if (value.windowUs !== stepUs) return null;
  const rows = await read(seriesSpecOf(value), { startUs: instantsUs[0]! - stepUs, stepUs, buckets: instantsUs.length });
  const byBucket = instantsUs.map((): typeof rows => []);
  for (const row of rows) byBucket[row.bucket]?.push(row);
  return byBucket.map((bucket) => toSamples(value, bucket));
}

/** The expression at each instant (microseconds), per label set: the points of each series in time order. */
async function evaluateAt(read: ReadSeries, expr: Expr, instantsUs: readonly number[], whole = true): Promise<Map<string, MatrixSeries>> {
  const value = expr.kind === 'compare' ? expr.value : expr;
  const sampler = new Sampler(read);
  const series = new Map<string, MatrixSeries>();
  const failed = (error: unknown): never => {
    throw new PromError('execution', (error as Error).message);
  };
  const ranged = whole ? await rangeSamples(read, value, instantsUs).catch(failed) : null;
  // Else each instant is one rule evaluation; the sampler bounds how many reads are in flight.
  const rounds = ranged ?? (await Promise.all(instantsUs.map((us) => sampler.round(us).samples(value).catch(failed))));
  rounds.forEach((samples, i) => {
    const seconds = instantsUs[i]! / 1e6;
    for (const s of samples) {
      if (s.value === null || !holds(expr, s.value)) continue;
      const key = JSON.stringify(Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      let one = series.get(key);
      if (one === undefined) series.set(key, (one = { metric: { ...s.labels }, values: [] }));
      one.values.push([seconds, formatValue(s.value)]);
    }
  });
  return series;
}

export async function instantQuery(read: ReadSeries, expr: Expr, timeUs: number): Promise<VectorSample[]> {
  const series = await evaluateAt(read, expr, [timeUs]);
  return [...series.values()].map((s) => ({ metric: s.metric, value: s.values[0]! }));
}

/** Points at `start`, `start + step`, … up to `end`, as Prometheus places them. */
export function rangeInstants(startUs: number, endUs: number, stepUs: number): number[] {
  if (endUs < startUs) throw new PromError('bad_data', 'invalid parameter "end": end timestamp must not be before start time');
  if (stepUs <= 0)
    throw new PromError('bad_data', 'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
  const count = Math.floor((endUs - startUs) / stepUs) + 1;
  if (count > MAX_POINTS) {
    throw new PromError('bad_data', `exceeded maximum resolution of ${MAX_POINTS} points per timeseries. Try decreasing the query resolution (?step=XX)`);
  }
  return Array.from({ length: count }, (_, k) => startUs + k * stepUs);
}

/** `whole: false` reads each instant on its own, as an alert rule would (the reference a range read must equal). */
export async function rangeQuery(read: ReadSeries, expr: Expr, instantsUs: readonly number[], whole = true): Promise<MatrixSeries[]> {
  return [...(await evaluateAt(read, expr, instantsUs, whole)).values()];
}
