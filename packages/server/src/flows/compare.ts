import type { FlowChange, FlowComparison, FlowStats, TestResult } from '@spoor/model';
import { mannWhitneyFromRanks, twoProportionZ } from '../query/significance.js';
import { type SortedNumbers, rankSums } from '../store/rank-sums.js';
import type { FlowSpans } from '../store/store.js';
import { type Fold, foldFlows } from './fold.js';
import { nodeOf, statsOf, treeOrder } from './map.js';

/**
 * Two sides of one read (`FlowSpans.sideB`) folded apart and laid over each other: a node is the
 * same node on both sides when its path is, an edge when its kind and ends are. The tests are the
 * release comparison's (`/api/stats/compare`): Mann-Whitney U on the durations, a pooled
 * two-proportion z on error rates, and the same z on the share of runs passing through (frequency).
 */

export const FLOW_ALPHA = 0.05;

interface Side {
  stats: FlowStats;
  sorted: SortedNumbers;
}

function tested(test: string, pValue: number | null | undefined): TestResult {
  const p = pValue ?? null;
  return { test, pValue: p, significant: p !== null && p < FLOW_ALPHA };
}

const relative = (a: number | undefined, b: number | undefined): number | null => (a === undefined || b === undefined || a === 0 ? null : (b - a) / a);

function changeOf<T extends FlowStats>(a: (Side & { item: T }) | undefined, b: (Side & { item: T }) | undefined, runsA: number, runsB: number): FlowChange<T> {
  const share = (side: Side | undefined, runs: number) => (side === undefined || runs === 0 ? 0 : side.stats.runs / runs);
  const both = a !== undefined && b !== undefined;
  const ranks = both ? rankSums(a.sorted, b.sorted) : null;
  const latency = both && ranks !== null ? mannWhitneyFromRanks({ n1: a.stats.spans, n2: b.stats.spans, rankSum1: ranks.a, tieTerm: ranks.tieTerm }) : null;
  const errorsA = a === undefined ? 0 : Math.round(a.stats.errorRate * a.stats.spans);
  const errorsB = b === undefined ? 0 : Math.round(b.stats.errorRate * b.stats.spans);
  const errors = both ? twoProportionZ(errorsA, a.stats.spans, errorsB, b.stats.spans) : null;
  const frequency = runsA > 0 && runsB > 0 ? twoProportionZ(a?.stats.runs ?? 0, runsA, b?.stats.runs ?? 0, runsB) : null;
  return {
    kind: both ? 'both' : a === undefined ? 'added' : 'removed',
    a: a?.item ?? null,
    b: b?.item ?? null,
    change: {
      frequency: share(b, runsB) - share(a, runsA),
      p50: relative(a?.stats.p50Ms, b?.stats.p50Ms),
      p95: relative(a?.stats.p95Ms, b?.stats.p95Ms),
      errorRate: both ? b.stats.errorRate - a.stats.errorRate : null,
    },
    frequency: tested('two-proportion-z', frequency?.pValue),
    latency: tested('mann-whitney-u', latency?.pValue),
    errors: tested('two-proportion-z', errors?.pValue),
  };
}

export function compareFlows(spans: FlowSpans, page: number, sides: { by: string; a: string; b: string }): FlowComparison {
  const folds = { a: foldFlows(spans, page, (run) => spans.sideB[run] === 0), b: foldFlows(spans, page, (run) => spans.sideB[run] === 1) };
  const nodesOf = (fold: Fold) =>
    new Map(
      treeOrder(fold.nodes).map((i) => {
        const { stats, sorted } = statsOf(fold.nodes[i]!.tally, spans.traceIds, true);
        const item = nodeOf(fold, i, spans, stats);
        return [item.id, { stats, sorted, item }] as const;
      }),
    );
  const edgesOf = (fold: Fold) =>
    new Map(
      fold.edges.map((edge) => {
        const { stats, sorted } = statsOf(edge.tally, spans.traceIds, true);
        const item = { kind: edge.kind, from: fold.nodes[edge.from]!.path, to: fold.nodes[edge.to]!.path, ...stats };
        return [`${item.kind} ${item.from} ${item.to}`, { stats, sorted, item }] as const;
      }),
    );
  const [nodesA, nodesB] = [nodesOf(folds.a), nodesOf(folds.b)];
  const [edgesA, edgesB] = [edgesOf(folds.a), edgesOf(folds.b)];
  const { runs: runsA } = folds.a;
  const { runs: runsB } = folds.b;
  // b's order, then what only a has: a gone node comes after the nodes b has.
  const nodeIds = [...new Set([...nodesB.keys(), ...nodesA.keys()])];
  const edgeIds = [...new Set([...edgesB.keys(), ...edgesA.keys()])];
  return {
    ...sides,
    alpha: FLOW_ALPHA,
    runs: { a: runsA, b: runsB },
    truncated: spans.truncated,
    nodes: nodeIds.map((id) => {
      const [a, b] = [nodesA.get(id), nodesB.get(id)];
      const { id: _, parent, category, name, depth } = (b ?? a)!.item;
      return { id, parent, category, name, depth, ...changeOf(a, b, runsA, runsB) };
    }),
    edges: edgeIds.map((id) => {
      const [a, b] = [edgesA.get(id), edgesB.get(id)];
      const { kind, from, to } = (b ?? a)!.item;
      return { edgeKind: kind, from, to, ...changeOf(a, b, runsA, runsB) };
    }),
  };
}
