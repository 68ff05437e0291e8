import type { FlowEdge, FlowMap, FlowNode, FlowStats } from '@spoor/model';
import { type SortedNumbers, quantileOfSorted, sortNumbers } from '../store/rank-sums.js';
import type { FlowSpans } from '../store/store.js';
import type { Fold, FoldedNode, Tally } from './fold.js';

/** A fold as the API answers it: nodes in tree order, edges by runs; durations in milliseconds. */

const ms = (us: number): number => Math.round(us) / 1000;

/** A tally's numbers; with `sorted`, its durations sorted too (what a comparison ranks), else its percentiles are selected in place. */
export function statsOf(t: Tally, traceIds: readonly string[]): FlowStats;
export function statsOf(t: Tally, traceIds: readonly string[], sorted: true): { stats: FlowStats; sorted: SortedNumbers };
export function statsOf(t: Tally, traceIds: readonly string[], sorted = false): FlowStats | { stats: FlowStats; sorted: SortedNumbers } {
  let p50: number;
  let p95: number;
  let sortedDurations: SortedNumbers | null = null;
  if (sorted) {
    sortedDurations = sortNumbers(t.durationsUs);
    p50 = quantileOfSorted(sortedDurations, 0.5) ?? 0;
    p95 = quantileOfSorted(sortedDurations, 0.95) ?? 0;
  } else {
    p50 = selectQuantile(t.durationsUs, 0.5);
    p95 = selectQuantile(t.durationsUs, 0.95);
  }
  const stats: FlowStats = {
    runs: t.runs,
    spans: t.spans,
    p50Ms: ms(p50),
    p95Ms: ms(p95),
    costUsd: t.costed === 0 ? null : t.costUsd,
    errorRate: t.spans === 0 ? 0 : t.errors / t.spans,
    loop: t.loopRuns === 0 ? null : { runs: t.loopRuns, maxRepeats: t.maxRepeats },
    traceIds: t.sample.map((run) => traceIds[run]!),
  };
  return sortedDurations === null ? stats : { stats, sorted: sortedDurations };
}

/**
 * The `q` quantile of `values` as `quantileOfSorted` interpolates it (0 for none), found by
 * selection (reordering `values`): sorting every node's and edge's durations took a fifth of
 * bench:flows' map, where only two ranks of each are wanted.
 */
export function selectQuantile(values: Float64Array, q: number): number {
  const n = values.length;
  if (n === 0) return 0;
  const at = (n - 1) * q;
  const lo = Math.floor(at);
  const low = select(values, lo);
  if (lo === at) return low;
  // The next rank is the least of what selection left above `lo`.
  let high = Number.POSITIVE_INFINITY;
  for (let k = lo + 1; k < n; k++) if (values[k]! < high) high = values[k]!;
  return low + (high - low) * (at - lo);
}

/** Hoare's selection: reorders `values` so that `values[k]` is the k-th smallest, none after it smaller. */
function select(values: Float64Array, k: number): number {
  let left = 0;
  let right = values.length - 1;
  while (right > left) {
    const pivot = values[(left + right) >>> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return values[k]!;
}

/** Node indices in tree order: each after its parent, siblings in the order they were first met (by start). */
export function treeOrder(nodes: readonly FoldedNode[]): number[] {
  const children = nodes.map((): number[] => []);
  const roots: number[] = [];
  nodes.forEach((node, i) => (node.parent === -1 ? roots : children[node.parent]!).push(i));
  const order: number[] = [];
  const stack = roots.reverse();
  while (stack.length > 0) {
    const i = stack.pop()!;
    order.push(i);
    for (let k = children[i]!.length - 1; k >= 0; k--) stack.push(children[i]![k]!);
  }
  return order;
}

export function nodeOf(fold: Fold, i: number, spans: FlowSpans, stats: FlowStats): FlowNode {
  const node = fold.nodes[i]!;
  const label = spans.labels[node.label]!;
  return {
    id: node.path,
    parent: node.parent === -1 ? null : fold.nodes[node.parent]!.path,
    category: label.category,
    name: label.name,
    depth: node.depth,
    ...stats,
  };
}

export function flowMapOf(fold: Fold, spans: FlowSpans): FlowMap {
  const nodes = treeOrder(fold.nodes).map((i) => nodeOf(fold, i, spans, statsOf(fold.nodes[i]!.tally, spans.traceIds)));
  const edges: FlowEdge[] = fold.edges
    .map((edge) => ({
      kind: edge.kind,
      from: fold.nodes[edge.from]!.path,
      to: fold.nodes[edge.to]!.path,
      ...statsOf(edge.tally, spans.traceIds),
    }))
    .sort((x, y) => y.runs - x.runs || y.spans - x.spans);
  return { runs: fold.runs, truncated: spans.truncated, nodes, edges };
}
