import { FLOW_TRACE_PAGE, type FlowEdge, type FlowMap, type FlowNode, type FlowStats } from '@spoor/model';
import { flowLabel } from '../store/flow-spans.js';
import type { FlowMapRow, FlowReader, FlowSpanQuery } from '../store/store.js';
import { type FoldedNode, foldFlows } from './fold.js';
import { flowMapOf, treeOrder } from './map.js';

/**
 * The flow map from an engine's aggregate (`FlowReader.flowMapRows`), laid out as `flowMapOf` lays
 * out a fold: nodes in tree order (siblings in the order the fold would first meet them, which is
 * the first span of their subtree), edges by runs, then spans, then the order the fold made them.
 * `null` where the read says some run's parent links are not a tree: the fold's rules for those
 * (the span closing a loop of parent ids is a root) are the fold's alone.
 */

const ms = (us: number): number => Math.round(us) / 1000;

type First = FlowMapRow['first'];
const before = (x: First, y: First): number => x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || x[3] - y[3];

function statsOf(row: FlowMapRow): FlowStats {
  return {
    runs: row.runs,
    spans: row.spans,
    p50Ms: ms(row.p50Us),
    p95Ms: ms(row.p95Us),
    costUsd: row.costed === 0 ? null : row.costUsd,
    errorRate: row.spans === 0 ? 0 : row.errors / row.spans,
    loop: row.loopRuns === 0 ? null : { runs: row.loopRuns, maxRepeats: row.maxRepeats },
    traceIds: row.traceIds,
  };
}

export function flowMapOfRows(rows: readonly FlowMapRow[], maxRuns: number): FlowMap | null {
  const counts = rows.find((row) => row.kind === -1);
  if (counts === undefined || counts.errors !== counts.spans || counts.costed !== counts.spans) return null;
  const nodeRows = rows.filter((row) => row.kind === 0);
  const byPath = new Map(nodeRows.map((row) => [row.a, row]));
  // A node is made when the fold meets the first span of its subtree.
  const made = new Map(nodeRows.map((row) => [row.a, row.first]));
  for (const row of [...nodeRows].sort((x, y) => y.depth - x.depth)) {
    if (row.b === null) continue;
    const up = made.get(row.b);
    if (up !== undefined && before(made.get(row.a)!, up) < 0) made.set(row.b, made.get(row.a)!);
  }
  nodeRows.sort((x, y) => before(made.get(x.a)!, made.get(y.a)!));
  const index = new Map(nodeRows.map((row, i) => [row.a, i]));
  const paths = new Map<string, string>();
  const pathOf = (row: FlowMapRow): string => {
    let path = paths.get(row.a);
    if (path === undefined) {
      const up = row.b === null ? undefined : byPath.get(row.b);
      const label = flowLabel(row);
      path = up === undefined ? label : `${pathOf(up)}/${label}`;
      paths.set(row.a, path);
    }
    return path;
  };
  const folded = nodeRows.map((row) => ({ parent: row.b === null ? -1 : (index.get(row.b) ?? -1) }) as FoldedNode);
  const nodes: FlowNode[] = treeOrder(folded).map((i) => {
    const row = nodeRows[i]!;
    const up = row.b === null ? undefined : byPath.get(row.b);
    return {
      id: pathOf(row),
      parent: up === undefined ? null : pathOf(up),
      category: row.category,
      name: row.name,
      depth: row.depth,
      ...statsOf(row),
    };
  });
  const edges: FlowEdge[] = rows
    .filter((row) => row.kind === 1 || row.kind === 2)
    .sort((x, y) => before(x.first, y.first))
    .sort((x, y) => y.runs - x.runs || y.spans - x.spans)
    .map((row) => ({
      kind: row.kind === 1 ? 'calls' : 'then',
      from: pathOf(byPath.get(row.b!)!),
      to: pathOf(byPath.get(row.a)!),
      ...statsOf(row),
    }));
  return { runs: Math.min(counts.runs, maxRuns), truncated: counts.runs > maxRuns, nodes, edges };
}

/** The map of `query`: the engine's aggregate where it gives one, else the spans read and folded. */
export async function readFlowMap(reader: FlowReader, query: FlowSpanQuery): Promise<FlowMap> {
  const rows = await reader.flowMapRows?.(query, FLOW_TRACE_PAGE);
  const map = rows === undefined ? null : flowMapOfRows(rows, query.maxRuns);
  if (map !== null) return map;
  const spans = await reader.flowSpans(query);
  return flowMapOf(foldFlows(spans, FLOW_TRACE_PAGE), spans);
}
