/**
 * `GET /api/traces/:a/diff/:b`: two runs aligned span by span. A span's place is its path of
 * names from the root, each with its position among same-named siblings (`plan#0/search#1`); an
 * LLM call's place is its position among its parent's LLM calls (`plan#0/llm#0`), so a call whose
 * model changed still lines up with the one it replaced. The two runs' roots line up whatever their
 * names (`a`'s is placed under `b`'s name), so do two experiments' runs of an item.
 */

/** One side of a text that changed: lines kept (`=`), only in `a` (`-`), only in `b` (`+`). */
export interface TextDiffLine {
  op: '=' | '-' | '+';
  text: string;
}

/** What changed between two aligned numbers, `b - a`; `null` where either side has none. */
export interface SpanDeltas {
  durationMs: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
}

/** A span of one side only. */
export interface DiffSpan {
  path: string;
  spanId: string;
  name: string;
  durationMs: number;
  status: 'unset' | 'ok' | 'error';
}

/** A span in both runs whose status, model, tokens, cost, error or text differ. */
export interface ChangedSpan {
  path: string;
  aSpanId: string;
  bSpanId: string;
  name: { a: string; b: string };
  /** The fields that differ, each with both values. */
  fields: Record<string, { a: unknown; b: unknown }>;
  deltas: SpanDeltas;
  /** Line diffs of the prompt and the completion, where they differ. */
  prompt: TextDiffLine[] | null;
  completion: TextDiffLine[] | null;
}

/** An aligned pair in tree order: what the comparison page draws, row by row. */
export interface AlignedRow {
  path: string;
  depth: number;
  aSpanId: string | null;
  bSpanId: string | null;
  name: string;
  kind: 'same' | 'changed' | 'added' | 'removed';
  aDurationMs: number | null;
  bDurationMs: number | null;
}

export interface TraceDiffSide {
  traceId: string;
  rootName: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  /** LLM calls with tokens and no price: `costUsd` leaves them out, so it is a lower bound when this is above 0. */
  unpricedCalls: number;
}

export interface TraceDiff {
  a: TraceDiffSide;
  b: TraceDiffSide;
  /** `b - a` of the whole runs. */
  deltas: SpanDeltas & { spanCount: number; errorCount: number };
  added: DiffSpan[];
  removed: DiffSpan[];
  changed: ChangedSpan[];
  /** Every aligned span, in tree order: the page shows both runs side by side from this. */
  rows: AlignedRow[];
}
