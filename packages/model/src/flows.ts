import type { TestResult } from './analytics.js';
import type { SpanCategory } from './span.js';

/**
 * `GET /api/flows`: the runs (traces) matching a span filter folded into one graph. A node is a
 * place in a run: its path of labels from the root, as the trace diff places spans, without the
 * position among siblings, so that every run's `plan` step lands on one node and a step repeated
 * within a run is a loop on its node. A label is `category:name`; an LLM or embedding call's is its
 * category alone, so a call whose model changed stays on its node.
 *
 * Edges: `calls` from a parent's node to its child's, and `then` from a span's node to the node of
 * its next sibling by start time (`search` → `search` is a tool called again). An edge's latency,
 * cost and errors are those of the spans it leads to.
 */

/** What a node or an edge carries: the runs through it and its spans' numbers. */
export interface FlowStats {
  /** Runs with at least one span here. */
  runs: number;
  /** Spans here, over all runs (more than `runs` where it repeats within a run). */
  spans: number;
  /** Exact percentiles of the spans' durations (linear interpolation between the two nearest). */
  p50Ms: number;
  p95Ms: number;
  /** Summed cost of the spans; `null` when none had a cost. */
  costUsd: number | null;
  /** Failed spans / spans. */
  errorRate: number;
  /** Runs repeating it: how many, and the most times one run passed it. */
  loop: { runs: number; maxRepeats: number } | null;
  /** The first runs through it (a page of at most `FLOW_TRACE_PAGE`), in the map's run order. */
  traceIds: string[];
}

/** The runs a node or an edge lists. */
export const FLOW_TRACE_PAGE = 20;

export interface FlowNode extends FlowStats {
  /** The path of labels from the root, `/`-joined (`workflow:checkout/agent:planner/tool:search`). */
  id: string;
  /** The parent's node; `null` for a root. */
  parent: string | null;
  category: SpanCategory;
  /** The name of its first span (an LLM node's spans may have other names). */
  name: string;
  /** 0 for a root. */
  depth: number;
}

export const FLOW_EDGE_KINDS = ['calls', 'then'] as const;
export type FlowEdgeKind = (typeof FLOW_EDGE_KINDS)[number];

export interface FlowEdge extends FlowStats {
  kind: FlowEdgeKind;
  from: string;
  to: string;
}

export interface FlowMap {
  /** Runs folded. */
  runs: number;
  /** The newest `maxRuns` runs were folded and older ones matched too. */
  truncated: boolean;
  /** Tree order: each node after its parent, siblings by first start. */
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** Where a node or an edge is in a comparison. */
export type FlowChangeKind = 'added' | 'removed' | 'both';

/** One node or edge of a comparison: side `a` against side `b`. */
export interface FlowChange<T extends FlowStats> {
  kind: FlowChangeKind;
  a: T | null;
  b: T | null;
  change: {
    /** Share of runs through it, `b - a` (a new path's is its share on `b`). */
    frequency: number;
    /** `(b - a) / a`; `null` without both sides. */
    p50: number | null;
    p95: number | null;
    /** `b - a`; `null` without both sides. */
    errorRate: number | null;
  };
  /** Share of runs: two-proportion z; durations: Mann-Whitney U; error rates: two-proportion z (as `/api/stats/compare`). */
  frequency: TestResult;
  latency: TestResult;
  errors: TestResult;
}

/** `GET /api/flows/compare`: two sides (releases) of the same filter as one map. */
export interface FlowComparison {
  by: string;
  a: string;
  b: string;
  alpha: number;
  runs: { a: number; b: number };
  truncated: boolean;
  nodes: Array<FlowChange<FlowNode> & { id: string; parent: string | null; category: SpanCategory; name: string; depth: number }>;
  edges: Array<FlowChange<FlowEdge> & { edgeKind: FlowEdgeKind; from: string; to: string }>;
}
