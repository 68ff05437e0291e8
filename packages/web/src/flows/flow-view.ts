import type { FlowChange, FlowComparison, FlowEdgeKind, FlowMap, FlowStats, SpanCategory } from '@spoor/model';
import { edgeKey } from './flow-layout';

/**
 * What the Flows page draws, from a map or a comparison alike: each node and edge with the
 * numbers shown (a comparison's side `b`, or `a` for a path `b` no longer has) and how it changed:
 * `added`, `removed`, `changed` (a significant change of frequency, latency or errors) or `same`.
 */

export type ChangeMark = 'same' | 'added' | 'removed' | 'changed';

interface Marked {
  stats: FlowStats;
  change: ChangeMark;
  changeText: string;
}

export interface ViewNode extends Marked {
  id: string;
  depth: number;
  category: SpanCategory;
  name: string;
}

export interface ViewEdge extends Marked {
  kind: FlowEdgeKind;
  from: string;
  to: string;
}

export interface FlowView {
  summary: string;
  nodes: ViewNode[];
  edges: ViewEdge[];
  edgeByKey: Map<string, ViewEdge>;
}

const percent = (ratio: number): string => `${ratio > 0 ? '+' : ''}${Math.round(ratio * 100)}%`;

function markOf<T extends FlowStats>(change: FlowChange<T>): Marked {
  const stats = (change.b ?? change.a)!;
  if (change.kind === 'added') return { stats, change: 'added', changeText: `new: in ${percent(change.change.frequency)} of the runs` };
  if (change.kind === 'removed') return { stats, change: 'removed', changeText: 'gone: no run passes here any more' };
  const said: string[] = [];
  if (change.frequency.significant) said.push(`runs through it ${percent(change.change.frequency)} of all runs`);
  if (change.latency.significant && change.change.p50 !== null) said.push(`p50 ${percent(change.change.p50)}`);
  if (change.errors.significant && change.change.errorRate !== null) said.push(`error rate ${percent(change.change.errorRate)}`);
  return { stats, change: said.length === 0 ? 'same' : 'changed', changeText: said.join('; ') };
}

const isComparison = (answer: FlowMap | FlowComparison): answer is FlowComparison => 'alpha' in answer;

export function flowView(answer: FlowMap | FlowComparison): FlowView {
  let nodes: ViewNode[];
  let edges: ViewEdge[];
  let summary: string;
  if (isComparison(answer)) {
    nodes = answer.nodes.map((n) => ({ id: n.id, depth: n.depth, category: n.category, name: n.name, ...markOf(n) }));
    edges = answer.edges.map((e) => ({ kind: e.edgeKind, from: e.from, to: e.to, ...markOf(e) }));
    summary = `${answer.runs.a} runs of ${answer.a} against ${answer.runs.b} of ${answer.b}${answer.truncated ? ' (the newest only)' : ''}`;
  } else {
    const same = { change: 'same' as const, changeText: '' };
    nodes = answer.nodes.map(({ id, depth, category, name, ...stats }) => ({ id, depth, category, name, stats: { ...stats }, ...same }));
    edges = answer.edges.map(({ kind, from, to, ...stats }) => ({ kind, from, to, stats: { ...stats }, ...same }));
    summary = `${answer.runs} run${answer.runs === 1 ? '' : 's'}${answer.truncated ? ' (the newest only)' : ''}`;
  }
  return { summary, nodes, edges, edgeByKey: new Map(edges.map((e) => [edgeKey(e), e])) };
}
