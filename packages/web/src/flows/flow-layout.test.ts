import { describe, expect, it } from 'vitest';
import { NODE_HEIGHT, NODE_WIDTH, edgeKey, layoutFlow } from './flow-layout';

const nodes = [
  { id: 'w', depth: 0 },
  { id: 'w/a', depth: 1 },
  { id: 'w/a/llm', depth: 2 },
  { id: 'w/a/search', depth: 2 },
  { id: 'w/b', depth: 1 },
];

describe('layoutFlow', () => {
  it('puts each depth in a column and each node below the one before it in that column', () => {
    const layout = layoutFlow(nodes, []);
    const at = (id: string) => [layout.nodes.get(id)!.x, layout.nodes.get(id)!.y];
    expect(at('w')[0]).toBeLessThan(at('w/a')[0]!);
    expect(at('w/a')[0]).toBe(at('w/b')[0]);
    expect(at('w/a/search')[1]).toBeGreaterThanOrEqual(at('w/a/llm')[1]! + NODE_HEIGHT);
    expect(at('w/a/llm')[0]).toBeGreaterThanOrEqual(at('w/a')[0]! + NODE_WIDTH);
    // Three columns, two rows at most: the picture holds them all.
    expect(layout.width).toBeGreaterThanOrEqual(at('w/a/llm')[0]! + NODE_WIDTH);
    expect(layout.height).toBeGreaterThanOrEqual(at('w/a/search')[1]! + NODE_HEIGHT);
  });

  it('draws calls from parent to child, then between siblings, a loop on its node, and skips an edge to a node not drawn', () => {
    const edges = [
      { kind: 'calls', from: 'w/a', to: 'w/a/llm' },
      { kind: 'then', from: 'w/a/llm', to: 'w/a/search' },
      { kind: 'then', from: 'w/a/search', to: 'w/a/search' },
      { kind: 'calls', from: 'w', to: 'gone' },
    ];
    const layout = layoutFlow(nodes, edges);
    expect(layout.edges.map((e) => e.key)).toEqual(edges.slice(0, 3).map(edgeKey));
    const a = layout.nodes.get('w/a')!;
    // A call leaves its parent's right side.
    expect(layout.edges[0]!.d.startsWith(`M${a.x + NODE_WIDTH},${a.y + NODE_HEIGHT / 2}`)).toBe(true);
    // A loop is an arc back to its own node.
    expect(layout.edges[2]!.d).toMatch(/ a12,12 /);
  });
});
