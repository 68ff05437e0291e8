import type { ComparedItem, ComparedScore, Experiment, ExperimentComparison, ExperimentResult, ItemVerdict, JsonValue } from '@spoor/model';
import { diffLines } from '@spoor/model';
import { wilcoxonSignedRank } from './significance.js';
import { delta } from './trace-diff.js';

/**
 * Two experiments item by item (pure): A the baseline, B the candidate. Scores are higher-better;
 * an item is better or worse by the sum of its score deltas, errored when B failed where A did
 * not; each score's means are compared over the items both scored, with Wilcoxon's signed-rank
 * test over their differences. Items sort worst first: errored, worse (most first), missing,
 * same, fixed, better.
 */
export function compareExperiments(
  a: Experiment,
  b: Experiment,
  aResults: readonly ExperimentResult[],
  bResults: readonly ExperimentResult[],
): ExperimentComparison {
  const byItemA = new Map(aResults.map((r) => [r.itemId, r]));
  const byItemB = new Map(bResults.map((r) => [r.itemId, r]));
  const itemIds = [...new Set([...byItemA.keys(), ...byItemB.keys()])].sort();
  const items = itemIds.map((id) => compareItem(id, byItemA.get(id) ?? null, byItemB.get(id) ?? null));
  const verdicts: Record<ItemVerdict, number> = { better: 0, worse: 0, same: 0, errored: 0, fixed: 0, missing: 0 };
  for (const item of items) verdicts[item.verdict]++;
  items.sort((x, y) => RANK[x.verdict] - RANK[y.verdict] || scoreSum(x) - scoreSum(y) || (x.itemId < y.itemId ? -1 : 1));
  return {
    a,
    b,
    scores: compareScores(items),
    deltas: {
      inputTokens: delta(a.inputTokens, b.inputTokens),
      outputTokens: delta(a.outputTokens, b.outputTokens),
      costUsd: delta(a.costUsd, b.costUsd),
      latencyMsMean: delta(a.latencyMsMean, b.latencyMsMean),
    },
    verdicts,
    items,
  };
}

const RANK: Record<ItemVerdict, number> = { errored: 0, worse: 1, missing: 2, same: 3, fixed: 4, better: 5 };

/** Score deltas this small are float noise, not a change. */
const EPSILON = 1e-9;

export function compareItem(itemId: string, a: ExperimentResult | null, b: ExperimentResult | null): ComparedItem {
  const names = [...new Set([...Object.keys(a?.scores ?? {}), ...Object.keys(b?.scores ?? {})])].sort();
  const scores = names.map((name) => {
    const va = a?.scores[name]?.value ?? null;
    const vb = b?.scores[name]?.value ?? null;
    return { name, a: va, b: vb, delta: delta(va, vb) };
  });
  const either = b ?? a;
  return {
    itemId,
    input: either?.input ?? null,
    expectedOutput: either?.expectedOutput ?? null,
    a,
    b,
    outputDiff: diffLines(outputText(a), outputText(b)),
    scores,
    deltas: {
      inputTokens: delta(a?.inputTokens ?? null, b?.inputTokens ?? null),
      outputTokens: delta(a?.outputTokens ?? null, b?.outputTokens ?? null),
      costUsd: delta(a?.costUsd ?? null, b?.costUsd ?? null),
      latencyMs: delta(a?.latencyMs ?? null, b?.latencyMs ?? null),
    },
    verdict: verdictOf(a, b, scores),
    traceDiff: a?.traceId != null && b?.traceId != null ? `/api/traces/${a.traceId}/diff/${b.traceId}` : null,
  };
}

function verdictOf(a: ExperimentResult | null, b: ExperimentResult | null, scores: ComparedItem['scores']): ItemVerdict {
  if (a === null || b === null) return 'missing';
  if (b.error !== null) return a.error === null ? 'errored' : 'same';
  if (a.error !== null) return 'fixed';
  const sum = scores.reduce((total, s) => total + (s.delta ?? 0), 0);
  return sum > EPSILON ? 'better' : sum < -EPSILON ? 'worse' : 'same';
}

function scoreSum(item: ComparedItem): number {
  return item.scores.reduce((total, s) => total + (s.delta ?? 0), 0);
}

/** An output as lines to diff: a text as it is, anything else as indented JSON; an error as its message. */
function outputText(result: ExperimentResult | null): string {
  if (result === null) return '';
  if (result.error !== null) return `(error) ${result.error}`;
  const output: JsonValue = result.output;
  if (output === null) return '';
  return typeof output === 'string' ? output : JSON.stringify(output, null, 2);
}

function compareScores(items: readonly ComparedItem[]): ComparedScore[] {
  const names = [...new Set(items.flatMap((i) => i.scores.map((s) => s.name)))].sort();
  return names.map((name) => {
    let sumA = 0;
    let sumB = 0;
    let better = 0;
    let worse = 0;
    const differences: number[] = [];
    const labelsA: Record<string, number> = {};
    const labelsB: Record<string, number> = {};
    for (const item of items) {
      const labelA = item.a?.error === null ? item.a.scores[name]?.label : null;
      const labelB = item.b?.error === null ? item.b.scores[name]?.label : null;
      if (labelA != null) labelsA[labelA] = (labelsA[labelA] ?? 0) + 1;
      if (labelB != null) labelsB[labelB] = (labelsB[labelB] ?? 0) + 1;
      const s = item.scores.find((x) => x.name === name);
      if (s === undefined || s.a === null || s.b === null) continue;
      sumA += s.a;
      sumB += s.b;
      differences.push(s.b - s.a);
      if (s.b - s.a > EPSILON) better++;
      else if (s.b - s.a < -EPSILON) worse++;
    }
    const pairs = differences.length;
    const meanA = pairs === 0 ? null : sumA / pairs;
    const meanB = pairs === 0 ? null : sumB / pairs;
    return { name, meanA, meanB, delta: delta(meanA, meanB), pairs, better, worse, wilcoxon: wilcoxonSignedRank(differences), labelsA, labelsB };
  });
}
