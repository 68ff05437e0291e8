import type { SpanCategory, SpanFilter, SpanGroupBy } from '@spoor/model';

/** The runs a flow map folds: every trace with a span the filter matches, the newest first. */
export interface FlowSpanQuery {
  filter: SpanFilter;
  /** Two sides of the filter (releases): a run is on the side its matching span's `by` value names; runs on neither are left out. */
  sides: { by: SpanGroupBy; a: string; b: string } | null;
  /** The most runs read: the newest (by their first matching span). */
  maxRuns: number;
}

/**
 * The spans of the matched runs as columns, a row per span, in no order; `order` lists the rows
 * by run, and within a run by start time. Spans are linked by keys (53-bit hashes of their ids), so no id text crosses but
 * each run's. Labels are `category:name`, an LLM or embedding call's its category alone.
 */
export interface FlowSpans {
  count: number;
  /** The rows by run (0 the newest), then start, then span key. */
  order: Int32Array;
  /** Each run's trace id, and (with sides) 1 for a run of side `b`. */
  traceIds: string[];
  sideB: Uint8Array;
  /** The row's run (index into `traceIds`). */
  run: Int32Array;
  span: Float64Array;
  /** The parent's key; -1 for a span without a parent. */
  parent: Float64Array;
  /** Index into `labels`. */
  label: Int32Array;
  labels: Array<{ category: SpanCategory; name: string }>;
  durationUs: Float64Array;
  error: Uint8Array;
  /** NaN for a span without a cost. */
  costUsd: Float64Array;
  /** More runs matched than `maxRuns`. */
  truncated: boolean;
}

/**
 * A node (`kind` 0), "calls" edge (1) or "then" edge (2) of a flow map as an engine aggregates it:
 * `a` is the (hashed) path of the spans it counts, `b` the parent's path (a node, a "calls" edge)
 * or the previous sibling's ("then"). One row of `kind` -1 gives the read's counts: `runs` matched,
 * `spans` read, `errors` the spans with their parent looked up, `costed` the spans placed on a path;
 * where the last two differ from `spans`, some run's links are not a tree and the map is folded.
 */
export interface FlowMapRow {
  kind: number;
  a: string;
  b: string | null;
  category: SpanCategory;
  name: string;
  depth: number;
  runs: number;
  spans: number;
  errors: number;
  costUsd: number;
  costed: number;
  loopRuns: number;
  maxRepeats: number;
  p50Us: number;
  p95Us: number;
  /** Its first span as the fold meets it: run, start, span key, then 0 for a node or a "then" edge, 1 for a "calls" edge (made after it). */
  first: [number, number, number, number];
  /** The first runs' trace ids, at most the page asked for. */
  traceIds: string[];
}

/** The spans a flow map is folded from (`flows/fold.ts`), and (where the engine computes it) the map as an aggregate. */
export interface FlowReader {
  flowSpans(query: FlowSpanQuery): Promise<FlowSpans>;
  flowMapRows?(query: FlowSpanQuery, page: number): Promise<FlowMapRow[]>;
}
