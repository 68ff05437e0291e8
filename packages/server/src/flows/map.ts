import type { FlowEdge, FlowMap, FlowNode, FlowStats } from '@spoor/model';
import { type SortedNumbers, quantileOfSorted, sortNumbers } from '../store/rank-sums.js';
import type { FlowSpans } from '../store/store.js';
import type { Fold, FoldedNode, Tally } from './fold.js';

/** A fold as the API answers it: nodes in tree order, edges by runs; durations in milliseconds. */

const ms = (us: number): number => Math.round(us) / 1000;

/** A tally's numbers, with its durations sorted (what a comparison ranks). */
export function statsOf(t: Tally, traceIds: readonly string[]): { stats: FlowStats; sorted: SortedNumbers } {
  const sorted = sortNumbers(t.durationsUs);
  return {
    stats: {
      runs: t.runs,
      spans: t.spans,
      p50Ms: ms(quantileOfSorted(sorted, 0.5) ?? 0),
      p95Ms: ms(quantileOfSorted(sorted, 0.95) ?? 0),
      costUsd: t.costed === 0 ? null : t.costUsd,
      errorRate: t.spans === 0 ? 0 : t.errors / t.spans,
      loop: t.loopRuns === 0 ? null : { runs: t.loopRuns, maxRepeats: t.maxRepeats },
      traceIds: t.sample.map((run) => traceIds[run]!),
    },
    sorted,
  };
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
  const nodes = treeOrder(fold.nodes).map((i) => nodeOf(fold, i, spans, statsOf(fold.nodes[i]!.tally, spans.traceIds).stats));
  const edges: FlowEdge[] = fold.edges
    .map((edge) => ({
      kind: edge.kind,
      from: fold.nodes[edge.from]!.path,
      to: fold.nodes[edge.to]!.path,
      ...statsOf(edge.tally, spans.traceIds).stats,
    }))
    .sort((x, y) => y.runs - x.runs || y.spans - x.spans);
  return { runs: fold.runs, truncated: spans.truncated, nodes, edges };
}
