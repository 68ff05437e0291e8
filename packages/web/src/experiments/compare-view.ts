import type { ComparedItem, Experiment, ItemVerdict } from '@spoor/model';
import type { StatusKind } from '../components/Status';

/**
 * An experiment comparison as the dashboard shows it: which column the items are sorted by and
 * how, what each verdict looks like, a Wilcoxon p-value in words, and which two runs a pick of
 * two compares. Pure; tested in compare-view.test.ts.
 */

/** What the items table is sorted by: a score's delta, the cost or latency delta, or the items' own order. */
export type SortKey = { by: 'score'; name: string } | { by: 'cost' } | { by: 'latency' } | { by: 'item' };
export type SortDir = 'asc' | 'desc';

/** `score:NAME`, `cost`, `latency` as kept in the URL (`?sort=`); anything else is the items' order. */
export function sortKeyOf(text: string | null): SortKey {
  if (text === 'cost' || text === 'latency') return { by: text };
  if (text !== null && text.startsWith('score:') && text.length > 'score:'.length) return { by: 'score', name: text.slice('score:'.length) };
  return { by: 'item' };
}

export function sortKeyText(key: SortKey): string | null {
  return key.by === 'score' ? `score:${key.name}` : key.by === 'item' ? null : key.by;
}

/**
 * The direction a column starts in: worst first. A score is better higher, so its most negative
 * delta is worst (ascending); cost and latency are worse higher (descending).
 */
export function defaultDir(key: SortKey): SortDir {
  return key.by === 'cost' || key.by === 'latency' ? 'desc' : 'asc';
}

export function sortDirOf(text: string | null, key: SortKey): SortDir {
  return text === 'asc' || text === 'desc' ? text : defaultDir(key);
}

/** Clicking a column header: the same column turns around, another starts worst first. */
export function nextSort(current: SortKey, dir: SortDir, clicked: SortKey): { key: SortKey; dir: SortDir } {
  if (sortKeyText(current) === sortKeyText(clicked)) return { key: clicked, dir: dir === 'asc' ? 'desc' : 'asc' };
  return { key: clicked, dir: defaultDir(clicked) };
}

/** The value an item is sorted on: `null` where it has none (a side errored, or unscored). */
export function sortValue(item: ComparedItem, key: SortKey): number | null {
  switch (key.by) {
    case 'score':
      return item.scores.find((s) => s.name === key.name)?.delta ?? null;
    case 'cost':
      return item.deltas.costUsd;
    case 'latency':
      return item.deltas.latencyMs;
    case 'item':
      return null;
  }
}

/**
 * The items in the order asked. Items without a value go last whichever the direction, so
 * turning a column around never buries the items that have one; ties keep the items' own order
 * (by item id, the order they were added).
 */
export function sortedItems(items: readonly ComparedItem[], key: SortKey, dir: SortDir): ComparedItem[] {
  const byId = [...items].sort((x, y) => (x.itemId < y.itemId ? -1 : x.itemId > y.itemId ? 1 : 0));
  if (key.by === 'item') return dir === 'desc' ? byId.reverse() : byId;
  const sign = dir === 'asc' ? 1 : -1;
  const values = new Map(byId.map((item) => [item.itemId, sortValue(item, key)]));
  // Array.prototype.sort is stable (ES2019), so equal values keep the id order.
  return byId.sort((x, y) => {
    const a = values.get(x.itemId) ?? null;
    const b = values.get(y.itemId) ?? null;
    if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
    return (a - b) * sign;
  });
}

/** What an item's verdict looks like: a status kind (colour and symbol) and a word. */
export const VERDICTS: Record<ItemVerdict, { kind: StatusKind; text: string; title: string }> = {
  better: { kind: 'ok', text: 'better', title: 'B scored higher than A' },
  worse: { kind: 'error', text: 'worse', title: 'B scored lower than A' },
  same: { kind: 'muted', text: 'same', title: 'B scored as A did' },
  errored: { kind: 'error', text: 'errored', title: 'B errored where A did not' },
  fixed: { kind: 'ok', text: 'fixed', title: 'A errored where B did not' },
  missing: { kind: 'warn', text: 'missing', title: 'one side has no result for this item' },
};

/** The order verdicts are counted in: what needs a look first. */
export const VERDICT_ORDER: readonly ItemVerdict[] = ['worse', 'errored', 'missing', 'better', 'fixed', 'same'];

/** A Wilcoxon p-value as read: `0.031`, `< 0.001`; `–` when there were too few pairs to test. */
export function pValueText(wilcoxon: { pValue: number } | null): string {
  if (wilcoxon === null || !Number.isFinite(wilcoxon.pValue)) return '–';
  if (wilcoxon.pValue < 0.001) return '< 0.001';
  return wilcoxon.pValue.toFixed(3);
}

/** `fail 2 → 0, pass 3 → 5`: a label-only score's counts per label in A and B; empty when neither has labels. */
export function labelChangeText(a: Record<string, number>, b: Record<string, number>): string {
  const labels = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return labels.map((l) => `${l} ${a[l] ?? 0} → ${b[l] ?? 0}`).join(', ');
}

/**
 * Whether a change is good or bad to see: for scores higher is better, for cost, tokens and
 * latency lower is; `null` when there is no change to judge.
 */
export function changeTone(delta: number | null, higherIsBetter: boolean): 'better' | 'worse' | null {
  if (delta === null || delta === 0 || !Number.isFinite(delta)) return null;
  return delta > 0 === higherIsBetter ? 'better' : 'worse';
}

/** Two picked runs as the comparison takes them: the older the baseline (A), the newer B. */
export function comparePair(picked: readonly string[], experiments: readonly Experiment[]): [Experiment, Experiment] | null {
  if (picked.length !== 2) return null;
  const runs = picked.map((id) => experiments.find((e) => e.id === id));
  if (runs.some((e) => e === undefined)) return null;
  const [x, y] = runs as [Experiment, Experiment];
  return x.createdAt <= y.createdAt ? [x, y] : [y, x];
}

/** Picking a run: at most two stay picked, the earlier of them dropped for a third. */
export function togglePick(picked: readonly string[], id: string): string[] {
  if (picked.includes(id)) return picked.filter((p) => p !== id);
  return [...picked, id].slice(-2);
}

/** The comparison page of two runs. */
export function comparePath(a: string, b: string): string {
  return `/experiments/${encodeURIComponent(a)}/compare/${encodeURIComponent(b)}`;
}
