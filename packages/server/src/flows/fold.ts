import type { FlowEdgeKind } from '@spoor/model';
import { flowLabel } from '../store/flow-spans.js';
import type { FlowSpans } from '../store/store.js';

/**
 * The fold of a flow map: one pass over the spans' columns, run by run, each span put on its
 * node (interned by its parent's node and its label, so no path is made as text per span) and on
 * the edges that lead to it, each tally counting the runs through it and the repeats within a run
 * as it goes. Durations are kept per node and edge for exact percentiles and the rank test of a
 * comparison. Rules:
 * - a span whose parent is not among its run's spans (an orphan) is a root of its run, and so is
 *   the span where a loop of parent ids closes;
 * - its "then" edge comes from the sibling (same parent, or both roots) that started just before
 *   it (the columns' order);
 * - an edge's numbers are those of the spans it leads to.
 */

/** A node's or an edge's tallies. */
export interface Tally {
  runs: number;
  spans: number;
  errors: number;
  /** Sum of the costs that were there, and how many were. */
  costUsd: number;
  costed: number;
  /** Runs passing it more than once, and the most times one run did. */
  loopRuns: number;
  maxRepeats: number;
  durationsUs: number[];
  /** The first runs through it (indices of `FlowSpans.traceIds`), at most the fold's `page`. */
  sample: number[];
  lastRun: number;
  inRun: number;
}

export interface FoldedNode {
  /** The parent node's index, -1 for a root. */
  parent: number;
  label: number;
  depth: number;
  /** `/`-joined labels from the root. */
  path: string;
  tally: Tally;
}

export interface FoldedEdge {
  kind: FlowEdgeKind;
  from: number;
  to: number;
  tally: Tally;
}

export interface Fold {
  runs: number;
  nodes: FoldedNode[];
  edges: FoldedEdge[];
}

/** Nodes a fold may have: edges are keyed by `from * MAX_NODES + to`, exact below 2^53. */
const MAX_NODES = 2 ** 26;

function newTally(): Tally {
  return { runs: 0, spans: 0, errors: 0, costUsd: 0, costed: 0, loopRuns: 0, maxRepeats: 0, durationsUs: [], sample: [], lastRun: -1, inRun: 0 };
}

/**
 * Folds the runs of `spans` for which `keep(run)` holds (all, without it): a comparison folds
 * each side of one read. `page` is how many runs each node and edge names.
 */
export function foldFlows(spans: FlowSpans, page: number, keep?: (run: number) => boolean): Fold {
  const nodes: FoldedNode[] = [];
  const edges: FoldedEdge[] = [];
  const nodeOf = new Map<number, number>();
  const edgeOf = { calls: new Map<number, number>(), then: new Map<number, number>() };
  const labelTexts = spans.labels.map(flowLabel);
  const { run, span, parent, label, durationUs, error, costUsd } = spans;

  const count = (t: Tally, runIndex: number, row: number) => {
    if (t.lastRun !== runIndex) {
      t.lastRun = runIndex;
      t.runs++;
      t.inRun = 1;
      if (t.maxRepeats === 0) t.maxRepeats = 1;
      if (t.sample.length < page) t.sample.push(runIndex);
    } else {
      t.inRun++;
      if (t.inRun === 2) t.loopRuns++;
      if (t.inRun > t.maxRepeats) t.maxRepeats = t.inRun;
    }
    t.spans++;
    t.errors += error[row]!;
    const cost = costUsd[row]!;
    if (!Number.isNaN(cost)) {
      t.costUsd += cost;
      t.costed++;
    }
    t.durationsUs.push(durationUs[row]!);
  };
  const nodeFor = (up: number, labelIndex: number): number => {
    const key = (up + 1) * labelTexts.length + labelIndex;
    let node = nodeOf.get(key);
    if (node === undefined) {
      node = nodes.length;
      if (node >= MAX_NODES) throw new Error(`a flow map of more than ${MAX_NODES} nodes`);
      const above = up === -1 ? null : nodes[up]!;
      nodes.push({
        parent: up,
        label: labelIndex,
        depth: above === null ? 0 : above.depth + 1,
        path: above === null ? labelTexts[labelIndex]! : `${above.path}/${labelTexts[labelIndex]}`,
        tally: newTally(),
      });
      nodeOf.set(key, node);
    }
    return node;
  };
  const edgeFor = (kind: FlowEdgeKind, from: number, to: number): Tally => {
    const key = from * MAX_NODES + to;
    const map = edgeOf[kind];
    let edge = map.get(key);
    if (edge === undefined) {
      edge = edges.length;
      edges.push({ kind, from, to, tally: newTally() });
      map.set(key, edge);
    }
    return edges[edge]!.tally;
  };

  // Scratch for one run, by a span's row within the run.
  let upOf = new Int32Array(64);
  let nodeAt = new Int32Array(64);
  let lastChild = new Int32Array(64);
  const rowOfKey = new Map<number, number>();
  const chain: number[] = [];
  /** The node of row `i` of the run starting at `start`, its unresolved ancestors' first. */
  const resolve = (i: number, start: number): number => {
    chain.length = 0;
    let at = i;
    while (at !== -1 && nodeAt[at] === -1) {
      if (chain.includes(at)) {
        upOf[chain[chain.length - 1]!] = -1;
        break;
      }
      chain.push(at);
      at = upOf[at]!;
    }
    for (let k = chain.length - 1; k >= 0; k--) {
      const row = chain[k]!;
      const up = upOf[row]!;
      nodeAt[row] = nodeFor(up === -1 ? -1 : nodeAt[up]!, label[start + row]!);
    }
    return nodeAt[i]!;
  };

  let runs = 0;
  for (let start = 0, end: number; start < spans.count; start = end) {
    const runIndex = run[start]!;
    end = start + 1;
    while (end < spans.count && run[end] === runIndex) end++;
    if (keep !== undefined && !keep(runIndex)) continue;
    runs++;
    const n = end - start;
    if (n > upOf.length) {
      const size = Math.max(n, upOf.length * 2);
      [upOf, nodeAt, lastChild] = [new Int32Array(size), new Int32Array(size), new Int32Array(size)];
    }
    rowOfKey.clear();
    for (let i = 0; i < n; i++) rowOfKey.set(span[start + i]!, i);
    for (let i = 0; i < n; i++) {
      const p = parent[start + i]!;
      const up = p === -1 ? undefined : rowOfKey.get(p);
      upOf[i] = up === undefined || up === i ? -1 : up;
      nodeAt[i] = -1;
      lastChild[i] = -1;
    }
    let lastRoot = -1;
    for (let i = 0; i < n; i++) {
      const node = resolve(i, start);
      const row = start + i;
      count(nodes[node]!.tally, runIndex, row);
      const up = upOf[i]!;
      const previous = up === -1 ? lastRoot : lastChild[up]!;
      if (previous !== -1) count(edgeFor('then', nodeAt[previous]!, node), runIndex, row);
      if (up === -1) lastRoot = i;
      else {
        lastChild[up] = i;
        count(edgeFor('calls', nodeAt[up]!, node), runIndex, row);
      }
    }
  }
  return { runs, nodes, edges };
}
