import type { FlowEdgeKind } from '@spoor/model';
import { flowLabel } from '../store/flow-spans.js';
import type { FlowSpans } from '../store/store.js';

/**
 * The fold of a flow map: one pass over the spans' columns, run by run, each span put on its
 * node (interned by its parent's node and its label, so no path is made as text per span) and on
 * the edges that lead to it, each tally counting the runs through it and the repeats within a run
 * as it goes. Each row's node and edges are noted in typed arrays, and the durations gathered per
 * node and edge after the pass (a counting sort), for exact percentiles and the rank test of a
 * comparison: pushing each onto a list per node as it went took most of the fold. Rules:
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
  /** Its spans' durations, in no order (filled once the pass is over). */
  durationsUs: Float64Array;
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

/** A run's rows beyond which a parent is looked up in a map rather than by scanning the rows before it. */
const SCAN_ROWS = 64;

function newTally(): Tally {
  return {
    runs: 0,
    spans: 0,
    errors: 0,
    costUsd: 0,
    costed: 0,
    loopRuns: 0,
    maxRepeats: 0,
    durationsUs: new Float64Array(0),
    sample: [],
    lastRun: -1,
    inRun: 0,
  };
}

/**
 * Folds the runs of `spans` for which `keep(run)` holds (all, without it): a comparison folds
 * each side of one read. `page` is how many runs each node and edge names.
 */
export function foldFlows(spans: FlowSpans, page: number, keep?: (run: number) => boolean): Fold {
  const nodes: FoldedNode[] = [];
  const edges: FoldedEdge[] = [];
  const nodeOf = new Map<number, number>();
  /** By node: the edge calling it (a node has one parent node), and its "then" edges as (from, edge) pairs. */
  const callsInto: number[] = [];
  const thenInto: number[][] = [];
  const labelTexts = spans.labels.map(flowLabel);
  const { order, run, span, parent, label, error, costUsd } = spans;
  // Each row's node and edges; -1 where it has none (or its run is not kept).
  const nodeRow = new Int32Array(spans.count).fill(-1);
  const callsRow = new Int32Array(spans.count).fill(-1);
  const thenRow = new Int32Array(spans.count).fill(-1);

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
  };
  const nodeFor = (up: number, labelIndex: number): number => {
    const key = (up + 1) * labelTexts.length + labelIndex;
    let node = nodeOf.get(key);
    if (node === undefined) {
      node = nodes.length;
      const above = up === -1 ? null : nodes[up]!;
      nodes.push({
        parent: up,
        label: labelIndex,
        depth: above === null ? 0 : above.depth + 1,
        path: above === null ? labelTexts[labelIndex]! : `${above.path}/${labelTexts[labelIndex]}`,
        tally: newTally(),
      });
      callsInto.push(-1);
      thenInto.push([]);
      nodeOf.set(key, node);
    }
    return node;
  };
  const callsEdge = (from: number, to: number): number => {
    let edge = callsInto[to]!;
    if (edge === -1) {
      edge = edges.length;
      edges.push({ kind: 'calls', from, to, tally: newTally() });
      callsInto[to] = edge;
    }
    return edge;
  };
  const thenEdge = (from: number, to: number): number => {
    const pairs = thenInto[to]!;
    for (let k = 0; k < pairs.length; k += 2) if (pairs[k] === from) return pairs[k + 1]!;
    const edge = edges.length;
    edges.push({ kind: 'then', from, to, tally: newTally() });
    pairs.push(from, edge);
    return edge;
  };

  // Scratch for one run, by a span's row within the run.
  let upOf = new Int32Array(SCAN_ROWS);
  let nodeAt = new Int32Array(SCAN_ROWS);
  let lastChild = new Int32Array(SCAN_ROWS);
  const rowOfKey = new Map<number, number>();
  const chain: number[] = [];
  /** The node of row `i` of the run starting at `start`, its unresolved ancestors' first; where a loop of parent ids closes, that span is a root. */
  const resolve = (i: number, start: number): number => {
    let length = 0;
    let at = i;
    while (at !== -1 && nodeAt[at] === -1) {
      if (length > 0 && chain.lastIndexOf(at, length - 1) !== -1) {
        upOf[chain[length - 1]!] = -1;
        break;
      }
      chain[length++] = at;
      at = upOf[at]!;
    }
    for (let k = length - 1; k >= 0; k--) {
      const row = chain[k]!;
      const up = upOf[row]!;
      nodeAt[row] = nodeFor(up === -1 ? -1 : nodeAt[up]!, label[order[start + row]!]!);
    }
    return nodeAt[i]!;
  };
  /** Row `i`'s parent among the run's `n` rows, -1 for none: parents mostly start first, so a short run is scanned backwards from it. */
  const parentRow = (i: number, start: number, n: number): number => {
    const p = parent[order[start + i]!]!;
    if (p === -1) return -1;
    if (n > SCAN_ROWS) {
      const up = rowOfKey.get(p);
      return up === undefined || up === i ? -1 : up;
    }
    for (let k = i - 1; k >= 0; k--) if (span[order[start + k]!] === p) return k;
    for (let k = i + 1; k < n; k++) if (span[order[start + k]!] === p) return k;
    return -1;
  };

  let runs = 0;
  for (let start = 0, end: number; start < spans.count; start = end) {
    const runIndex = run[order[start]!]!;
    end = start + 1;
    while (end < spans.count && run[order[end]!] === runIndex) end++;
    if (keep !== undefined && !keep(runIndex)) continue;
    runs++;
    const n = end - start;
    if (n > upOf.length) {
      const size = Math.max(n, upOf.length * 2);
      [upOf, nodeAt, lastChild] = [new Int32Array(size), new Int32Array(size), new Int32Array(size)];
    }
    if (n > SCAN_ROWS) {
      rowOfKey.clear();
      for (let i = 0; i < n; i++) rowOfKey.set(span[order[start + i]!]!, i);
    }
    for (let i = 0; i < n; i++) {
      upOf[i] = parentRow(i, start, n);
      nodeAt[i] = -1;
      lastChild[i] = -1;
    }
    let lastRoot = -1;
    for (let i = 0; i < n; i++) {
      const node = resolve(i, start);
      const row = order[start + i]!;
      nodeRow[row] = node;
      count(nodes[node]!.tally, runIndex, row);
      const up = upOf[i]!;
      const previous = up === -1 ? lastRoot : lastChild[up]!;
      if (previous !== -1) {
        const edge = thenEdge(nodeAt[previous]!, node);
        thenRow[row] = edge;
        count(edges[edge]!.tally, runIndex, row);
      }
      if (up === -1) lastRoot = i;
      else {
        lastChild[up] = i;
        const edge = callsEdge(nodeAt[up]!, node);
        callsRow[row] = edge;
        count(edges[edge]!.tally, runIndex, row);
      }
    }
  }
  gatherDurations(nodes, [nodeRow], spans.durationUs);
  gatherDurations(edges, [callsRow, thenRow], spans.durationUs);
  return { runs, nodes, edges };
}

/** Fills each item's `durationsUs` with the durations of the rows `rows` put on it (a counting sort into one buffer). */
function gatherDurations(items: ReadonlyArray<{ tally: Tally }>, rows: readonly Int32Array[], durationUs: Float64Array): void {
  const at = new Int32Array(items.length);
  let total = 0;
  items.forEach(({ tally }, k) => {
    at[k] = total;
    total += tally.spans;
  });
  const buffer = new Float64Array(total);
  items.forEach(({ tally }, k) => (tally.durationsUs = buffer.subarray(at[k]!, at[k]! + tally.spans)));
  for (const of of rows) {
    for (let row = 0; row < of.length; row++) {
      const item = of[row]!;
      if (item !== -1) buffer[at[item]!++] = durationUs[row]!;
    }
  }
}
