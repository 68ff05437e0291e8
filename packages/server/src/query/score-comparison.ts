import type { ScoreCompareRow, ScoreCompareSide } from '@spoor/model';
import { type Tally, tallyOf, tallyRankSums } from '../store/rank-sums.js';
import type { ScoreCompareGroup } from '../store/store.js';
import { chiSquareIndependence, mannWhitneyFromRanks } from './significance.js';

/**
 * The score rows of a release comparison, from the store's groups (score name × side × label):
 * the names with the most scores (at most `limit`, then in name order), each side's count, mean
 * and label counts, b's mean minus a's, Mann-Whitney U over the values and Pearson's chi-square
 * over the label counts.
 */
export function scoreComparison(groups: readonly ScoreCompareGroup[], limit: number, alpha: number): ScoreCompareRow[] {
  const byName = new Map<string, { a: ScoreCompareGroup[]; b: ScoreCompareGroup[]; total: number }>();
  for (const group of groups) {
    const entry = byName.get(group.name) ?? { a: [], b: [], total: 0 };
    entry[group.side].push(group);
    entry.total += group.count;
    byName.set(group.name, entry);
  }
  return [...byName]
    .sort(([x, ex], [y, ey]) => ey.total - ex.total || byText(x, y))
    .slice(0, limit)
    .sort(([x], [y]) => byText(x, y))
    .map(([name, { a, b }]) => rowOf(name, a, b, alpha));
}

const byText = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

interface Side extends ScoreCompareSide {
  values: Tally;
}

function sideOf(groups: readonly ScoreCompareGroup[]): Side | null {
  if (groups.length === 0) return null;
  const values = tallyOf(groups);
  let sum = 0;
  for (let i = 0; i < values.values.length; i++) sum += values.values[i]! * values.counts[i]!;
  const labels: Record<string, number> = {};
  for (const g of [...groups].sort((x, y) => byText(x.label ?? '', y.label ?? ''))) if (g.label !== null) labels[g.label] = g.count;
  return {
    count: groups.reduce((n, g) => n + g.count, 0),
    mean: values.total === 0 ? null : sum / values.total,
    labels,
    values,
  };
}

function tested(test: string, pValue: number | null | undefined, alpha: number): ScoreCompareRow['values'] {
  const p = pValue ?? null;
  return { test, pValue: p, significant: p !== null && p < alpha };
}

function rowOf(name: string, groupsA: readonly ScoreCompareGroup[], groupsB: readonly ScoreCompareGroup[], alpha: number): ScoreCompareRow {
  const a = sideOf(groupsA);
  const b = sideOf(groupsB);
  let values = null;
  let labels = null;
  if (a !== null && b !== null) {
    const sums = tallyRankSums(a.values, b.values);
    values = mannWhitneyFromRanks({ n1: a.values.total, n2: b.values.total, rankSum1: sums.a, tieTerm: sums.tieTerm });
    const names = [...new Set([...Object.keys(a.labels), ...Object.keys(b.labels)])];
    labels = names.length === 0 ? null : chiSquareIndependence([a, b].map((side) => names.map((label) => side.labels[label] ?? 0)));
  }
  const shown = (side: Side | null): ScoreCompareSide | null => (side === null ? null : { count: side.count, mean: side.mean, labels: side.labels });
  return {
    name,
    a: shown(a),
    b: shown(b),
    meanDelta: a?.mean == null || b?.mean == null ? null : b.mean - a.mean,
    values: tested('mann-whitney-u', values?.pValue, alpha),
    labels: tested('chi-square', labels?.pValue, alpha),
  };
}
