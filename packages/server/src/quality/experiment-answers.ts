import {
  type DatasetItem,
  type Experiment,
  type ExperimentResult,
  type ExperimentScoreSummary,
  type ExperimentTarget,
  type JsonValue,
  isoFromMicros,
} from '@spoor/model';
import type { ExperimentRecord, ExperimentResultRecord, ExperimentResultTotals } from '../store/ports/experiments.js';
import type { ScoreTallies } from '../store/ports/scores.js';

/**
 * What the API answers of experiments, made from their rows (pure): an item's scores are the
 * scores of its trace, per name the mean of their values and the label given most.
 */

/** Per score name, an item's value and label. */
export type ItemScores = Record<string, { value: number | null; label: string | null }>;

/** Per trace, per score name, the trace's scores (its own and its spans') pooled, as the store tallies them: the mean value and the most given label. */
export function scoresByTrace(tallies: ScoreTallies): Map<string, ItemScores> {
  const out = new Map<string, ItemScores>();
  for (const [traceId, names] of tallies) {
    const item: ItemScores = {};
    for (const [name, t] of [...names].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      item[name] = { value: t.valueCount === 0 ? null : t.valueSum / t.valueCount, label: mostGiven(t.labels) };
    }
    out.set(traceId, item);
  }
  return out;
}

/** The label given most (the first in name order of a tie), `null` when none. */
function mostGiven(labels: ReadonlyMap<string, number>): string | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const [label, count] of [...labels].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (count > bestCount) {
      best = label;
      bestCount = count;
    }
  }
  return best;
}

/** Per score name over items, the mean of the items' values and the items per label. */
export function summarizeScores(items: Iterable<ItemScores>): ExperimentScoreSummary[] {
  const byName = new Map<string, ExperimentScoreSummary & { sum: number }>();
  for (const item of items) {
    for (const [name, { value, label }] of Object.entries(item)) {
      let s = byName.get(name);
      if (s === undefined) byName.set(name, (s = { name, mean: null, count: 0, labels: {}, sum: 0 }));
      if (value !== null) {
        s.sum += value;
        s.count++;
      }
      if (label !== null) s.labels[label] = (s.labels[label] ?? 0) + 1;
    }
  }
  return [...byName.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ sum, ...s }) => ({ ...s, mean: s.count === 0 ? null : sum / s.count }));
}

/** An experiment as the API answers it: its row, its results' totals and its score summaries. */
export function experimentOf(r: ExperimentRecord, totals: ExperimentResultTotals | undefined, scores: ExperimentScoreSummary[]): Experiment {
  return {
    id: r.experimentId,
    name: r.name,
    dataset: r.dataset,
    datasetVersion: r.datasetVersion,
    target: JSON.parse(r.target) as ExperimentTarget,
    evaluators: JSON.parse(r.evaluators) as string[],
    metadata: JSON.parse(r.metadata) as Record<string, JsonValue>,
    state: r.state,
    error: r.error,
    itemCount: r.itemCount,
    itemsDone: totals?.done ?? 0,
    itemsErrored: totals?.errored ?? 0,
    inputTokens: totals?.inputTokens ?? null,
    outputTokens: totals?.outputTokens ?? null,
    costUsd: totals?.costUsd ?? null,
    unpricedCalls: totals?.unpricedCalls ?? 0,
    latencyMsMean: totals?.latencyMsMean ?? null,
    scores,
    createdAt: isoFromMicros(r.createdUs),
    finishedAt: r.finishedUs === null ? null : isoFromMicros(r.finishedUs),
  };
}

/** An item's result as the API answers it: its row, the item's input and expected output, the scores of its trace. */
export function resultOf(
  r: ExperimentResultRecord,
  item: Pick<DatasetItem, 'input' | 'expectedOutput'> | undefined,
  scores: ItemScores | undefined,
): ExperimentResult {
  return {
    itemId: r.itemId,
    traceId: r.traceId,
    spanId: r.spanId,
    input: item?.input ?? null,
    expectedOutput: item?.expectedOutput ?? null,
    output: r.output === null ? null : (JSON.parse(r.output) as JsonValue),
    error: r.error,
    latencyMs: r.latencyMs,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    costUsd: r.costUsd,
    unpricedCalls: r.unpricedCalls,
    scores: scores ?? {},
    time: isoFromMicros(r.timeUs),
  };
}

/** A JSON value as evaluators read it: a string as it is, anything else as its JSON text; `null` stays. */
export function textOfValue(value: JsonValue | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
