import type { FlowComparison, FlowStats } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { flowView } from './flow-view';

const stats = (runs: number): FlowStats => ({ runs, spans: runs, p50Ms: 1, p95Ms: 2, costUsd: null, errorRate: 0, loop: null, traceIds: [] });
const test = (significant: boolean) => ({ test: 't', pValue: significant ? 0.001 : 0.5, significant });
const change = (kind: 'added' | 'removed' | 'both', a: number | null, b: number | null, significant = false) => ({
  kind,
  a: a === null ? null : stats(a),
  b: b === null ? null : stats(b),
  change: { frequency: 0.8, p50: 0.1, p95: 0.1, errorRate: 0 },
  frequency: test(significant),
  latency: test(false),
  errors: test(false),
});

describe('flowView', () => {
  it("marks a comparison's new, gone, significantly changed and unchanged nodes, showing b where it has them", () => {
    const place = (id: string) => ({ id, parent: null, category: 'tool' as const, name: id, depth: 0 });
    const comparison = {
      by: 'service.version',
      a: '1.0',
      b: '2.0',
      alpha: 0.05,
      runs: { a: 20, b: 20 },
      truncated: false,
      nodes: [
        { ...place('new'), ...change('added', null, 16) },
        { ...place('gone'), ...change('removed', 4, null) },
        { ...place('more'), ...change('both', 5, 18, true) },
        { ...place('same'), ...change('both', 20, 20) },
      ],
      edges: [],
    } as unknown as FlowComparison;
    const view = flowView(comparison);
    expect(view.nodes.map((n) => [n.id, n.change, n.stats.runs])).toEqual([
      ['new', 'added', 16],
      ['gone', 'removed', 4],
      ['more', 'changed', 18],
      ['same', 'same', 20],
    ]);
    expect(view.nodes[0]!.changeText).toBe('new: in +80% of the runs');
    expect(view.summary).toBe('20 runs of 1.0 against 20 of 2.0');
  });
});
