import type { CompareSideRecord } from './store.js';
import { type SortedNumbers, quantileOfSorted, rankSums, sortNumbers } from './rank-sums.js';

/**
 * A release comparison's records from each span name's two sides, whatever engine grouped them:
 * the names with the most spans kept, each side's durations sorted once, the Mann-Whitney rank
 * sums and percentiles taken from the sorted sides (`rank-sums.ts`).
 */

/** One name's spans on one side, with their durations in no order. */
export interface SideGroup extends Omit<CompareSideRecord, 'rankSum' | 'tieTerm' | 'p50Us' | 'p95Us'> {
  durations: Float64Array;
}

/** The records of the `limit` names with the most spans (then by name), each side sorted once. */
export function comparisonOf(groups: SideGroup[], limit: number): CompareSideRecord[] {
  const byName = new Map<string, { a?: SideGroup; b?: SideGroup; total: number }>();
  for (const group of groups) {
    const entry = byName.get(group.name) ?? { total: 0 };
    entry[group.side] = group;
    entry.total += group.count;
    byName.set(group.name, entry);
  }
  const names = [...byName.entries()]
    .sort(([x, ex], [y, ey]) => ey.total - ex.total || byText(x, y))
    .slice(0, limit)
    .sort(([x], [y]) => byText(x, y));
  const records: CompareSideRecord[] = [];
  for (const [, { a, b }] of names) {
    const sortedA = sortNumbers(a?.durations ?? NO_DURATIONS);
    const sortedB = sortNumbers(b?.durations ?? NO_DURATIONS);
    const sums = rankSums(sortedA, sortedB);
    if (a !== undefined) records.push(recordOf(a, sortedA, sums.a, sums.tieTerm));
    if (b !== undefined) records.push(recordOf(b, sortedB, sums.b, sums.tieTerm));
  }
  return records;
}

const NO_DURATIONS = new Float64Array(0);

/** Code-point order, as SQL orders text. */
function byText(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

function recordOf(group: SideGroup, sorted: SortedNumbers, rankSum: number, tieTerm: number): CompareSideRecord {
  return {
    name: group.name,
    side: group.side,
    count: group.count,
    errorCount: group.errorCount,
    avgUs: group.avgUs,
    p50Us: quantileOfSorted(sorted, 0.5)!,
    p95Us: quantileOfSorted(sorted, 0.95)!,
    rankSum,
    tieTerm,
    costCount: group.costCount,
    costMean: group.costMean,
    costVariance: group.costVariance,
  };
}
