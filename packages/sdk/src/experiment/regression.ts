import { type ComparedItem, type ExperimentComparison, regressionsOf } from '@spoor/model';
import { apiTargetFrom } from '../replay/options.js';
import { runtime } from '../runtime.js';
import { ExperimentApi } from './client.js';
import { ExperimentError, RegressionError, type WorseItem, type WorseScore } from './errors.js';
import type { ExperimentReport } from './run.js';

/** Options of {@link assertNoRegression}. */
export interface NoRegressionOptions {
  /** The experiment to compare with: its id, or the name of another experiment (its newest run). */
  baseline: string;
  /** Judge only this score. Default: every score both runs have a value of. */
  metric?: string;
  /** How far a score's mean may drop before it is a regression, in the score's own units. Default 0. */
  tolerance?: number;
  /** The Spoor server. Default: `init()`'s `endpoint`. */
  endpoint?: string;
  /** A key that may read experiments. Default: `init()`'s. */
  apiKey?: string;
}

/** Worse items a {@link RegressionError}'s message lists at most. */
const ITEMS_LISTED = 10;

/**
 * Resolves when the run in `report` is as good as `baseline`, and rejects with a
 * {@link RegressionError} when it is worse: a score's mean (or `metric`'s) dropped by more than
 * `tolerance`, or items errored that did not in the baseline. The error's message lists the worse
 * scores and up to 10 worse items, for a CI log.
 * @example
 * const report = await runExperiment({ dataset: 'support-questions', name: `pr-${prNumber}`, task, evaluators: ['exact-answer'] });
 * await assertNoRegression(report, { baseline: 'main', metric: 'exact-answer', tolerance: 0.02 });
 */
export async function assertNoRegression(report: ExperimentReport, options: NoRegressionOptions): Promise<void> {
  const bad = (message: string): never => {
    throw new ExperimentError('bad_options', `assertNoRegression(): ${message}`);
  };
  if (typeof report?.experiment?.id !== 'string') bad('report: what runExperiment() resolved to');
  const { baseline, metric, tolerance = 0 } = options ?? ({} as NoRegressionOptions);
  if (typeof baseline !== 'string' || baseline === '') bad('baseline: the id or name of the experiment to compare with');
  if (metric !== undefined && (typeof metric !== 'string' || metric === '')) bad('metric: a score name');
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) bad(`tolerance: a number, 0 or more (got ${String(tolerance)})`);
  const server = runtime.server ?? { endpoint: options.endpoint ?? bad("endpoint: call init() first, or pass the Spoor server's URL"), headers: {} };
  const id = report.experiment.id;
  const comparison = await new ExperimentApi(apiTargetFrom(options.endpoint, options.apiKey, server)).get<ExperimentComparison>(
    `/api/experiments/${encodeURIComponent(baseline)}/compare/${id}`,
    `compare experiment ${id} with baseline '${baseline}'`,
  );
  if (comparison.a.id === comparison.b.id)
    bad(`baseline: '${baseline}' is this same experiment (${id}); name an earlier run by its id, or give runs of different versions different names`);
  const regression = regressionOf(comparison, metric, tolerance);
  if (regression !== null) throw regression;
}

/** The regression of B against A in a comparison, or `null` when B is as good (pure). */
export function regressionOf(comparison: ExperimentComparison, metric: string | undefined, tolerance: number): RegressionError | null {
  // The rule `spoor experiments compare --fail-on-regression` applies, from @spoor/model.
  const found = regressionsOf(comparison, metric ?? null, tolerance);
  if (found.unknownMetric) {
    const known = comparison.scores.map((s) => s.name);
    throw new ExperimentError(
      'not_found',
      `assertNoRegression(): neither experiment has a score named '${metric}'${known.length === 0 ? '' : `; they have ${known.join(', ')}`}`,
    );
  }
  const scores: WorseScore[] = found.scores.map((s) => ({ name: s.name, before: s.meanA!, after: s.meanB!, delta: s.delta! }));
  const newlyErrored = found.errored;
  if (scores.length === 0 && newlyErrored === 0) return null;
  const names = new Set(metric === undefined ? comparison.scores.map((s) => s.name) : [metric]);
  const items = worseItems(comparison.items, names);
  const lines = [`experiment ${comparison.b.name} (${comparison.b.id}) is worse than ${comparison.a.name} (${comparison.a.id}):`];
  for (const s of scores)
    lines.push(`  ${s.name}: mean ${round(s.before)} → ${round(s.after)} (${round(s.delta)}${tolerance > 0 ? `, tolerance ${tolerance}` : ''})`);
  if (newlyErrored > 0) lines.push(`  ${newlyErrored} item(s) errored that did not in the baseline`);
  if (items.length > 0) {
    lines.push(`worse items (${Math.min(items.length, ITEMS_LISTED)} of ${items.length}):`);
    for (const item of items.slice(0, ITEMS_LISTED)) lines.push(`  ${item.itemId} ${item.verdict}: ${item.detail}`);
  }
  return new RegressionError(lines.join('\n'), comparison.a.id, comparison.b.id, scores, items, newlyErrored);
}

/** Items that errored (first) or got worse (most first) on the judged scores. */
function worseItems(items: readonly ComparedItem[], names: ReadonlySet<string>): WorseItem[] {
  const errored: WorseItem[] = [];
  const worse: Array<WorseItem & { by: number }> = [];
  for (const item of items) {
    if (item.verdict === 'errored') {
      errored.push({ itemId: item.itemId, verdict: 'errored', detail: item.b?.error ?? 'errored' });
      continue;
    }
    const drops = item.scores.filter((s) => names.has(s.name) && s.delta !== null && s.delta < 0);
    if (drops.length === 0) continue;
    const by = drops.reduce((sum, s) => sum + s.delta!, 0);
    worse.push({ itemId: item.itemId, verdict: 'worse', detail: drops.map((s) => `${s.name} ${round(s.a!)} → ${round(s.b!)}`).join(', '), by });
  }
  worse.sort((x, y) => x.by - y.by);
  return [...errored, ...worse.map(({ by: _by, ...item }) => item)];
}

const round = (n: number): string => String(Math.round(n * 1000) / 1000);
