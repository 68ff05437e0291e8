/**
 * Where the flow map's nodes and edges are drawn: layered by depth (a column per depth, the
 * root's first), each column's nodes in the answer's tree order, so a node sits beside its
 * parent's subtree. A `calls` edge goes from a parent's right side to its child's left; a
 * `then` edge joins two siblings in one column, drawn as an arc on the column's right (a loop,
 * from a node to itself, as a small circle). Pure: the nodes and edges in, the geometry out.
 */

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 44;
const COLUMN_GAP = 90;
const ROW_GAP = 18;
const MARGIN = 12;

export interface LaidNode {
  id: string;
  x: number;
  y: number;
}

export interface LaidEdge {
  key: string;
  /** SVG path data. */
  d: string;
  /** Where its label goes. */
  labelX: number;
  labelY: number;
}

export interface FlowLayout {
  width: number;
  height: number;
  nodes: Map<string, LaidNode>;
  edges: LaidEdge[];
}

/** The key an edge is found by: its kind and both ends. */
export const edgeKey = (edge: { kind: string; from: string; to: string }): string => `${edge.kind} ${edge.from} ${edge.to}`;

export function layoutFlow(nodes: ReadonlyArray<{ id: string; depth: number }>, edges: ReadonlyArray<{ kind: string; from: string; to: string }>): FlowLayout {
  const rows: number[] = [];
  const laid = new Map<string, LaidNode>();
  for (const node of nodes) {
    const row = rows[node.depth] ?? 0;
    rows[node.depth] = row + 1;
    laid.set(node.id, { id: node.id, x: MARGIN + node.depth * (NODE_WIDTH + COLUMN_GAP), y: MARGIN + row * (NODE_HEIGHT + ROW_GAP) });
  }
  const laidEdges: LaidEdge[] = [];
  for (const edge of edges) {
    const from = laid.get(edge.from);
    const to = laid.get(edge.to);
    if (from === undefined || to === undefined) continue;
    const key = edgeKey(edge);
    if (edge.kind === 'calls') {
      const [x1, y1, x2, y2] = [from.x + NODE_WIDTH, from.y + NODE_HEIGHT / 2, to.x, to.y + NODE_HEIGHT / 2];
      const bend = (x2 - x1) / 2;
      laidEdges.push({ key, d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`, labelX: x1 + bend, labelY: (y1 + y2) / 2 - 4 });
    } else if (from === to) {
      const [x, y] = [from.x + NODE_WIDTH, from.y + NODE_HEIGHT / 2];
      laidEdges.push({ key, d: `M${x},${y - 8} a12,12 0 1,1 0,16`, labelX: x + 28, labelY: y + 4 });
    } else {
      const [x, y1, y2] = [from.x + NODE_WIDTH, from.y + NODE_HEIGHT / 2, to.y + NODE_HEIGHT / 2];
      const out = 24 + Math.min(40, Math.abs(y2 - y1) / 6);
      laidEdges.push({ key, d: `M${x},${y1} C${x + out},${y1} ${x + out},${y2} ${x},${y2}`, labelX: x + out * 0.75 + 4, labelY: (y1 + y2) / 2 + 4 });
    }
  }
  const columns = rows.length;
  const tallest = Math.max(0, ...rows);
  return {
    width: MARGIN * 2 + columns * NODE_WIDTH + Math.max(0, columns - 1) * COLUMN_GAP + 80,
    height: MARGIN * 2 + tallest * (NODE_HEIGHT + ROW_GAP),
    nodes: laid,
    edges: laidEdges,
  };
}
