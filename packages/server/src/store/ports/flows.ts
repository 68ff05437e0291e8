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

/** The spans a flow map is folded from (`flows/fold.ts`). */
export interface FlowReader {
  flowSpans(query: FlowSpanQuery): Promise<FlowSpans>;
}
