/**
 * The syntax tree of an alert rule expression, as `parseExpr` returns it. Times are in
 * microseconds, thresholds in the unit the value is measured in (milliseconds for durations,
 * a fraction for rates written with `%`).
 */

/** Where a node was written: 0-based offsets into the expression text, `end` exclusive. */
export interface Pos {
  start: number;
  end: number;
}

export type CompareOp = '>' | '>=' | '<' | '<=' | '==' | '!=';

/** `=~` and `!~` take a JavaScript regular expression, already checked to compile. */
export type MatchOp = '=' | '!=' | '=~' | '!~';

/**
 * `label op "value"`. A label without a dot that names a built-in of the source (`service`,
 * `severity`, ...) means that built-in, quoted or not; any other label is an attribute key.
 */
export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
  pos: Pos;
}

/**
 * What an aggregate reads: every span, span durations (`duration_ms`), logs, error-group events,
 * scores (`score`: the newest version of each), or an OTLP app metric by name.
 */
export type Source = { kind: 'spans' } | { kind: 'duration' } | { kind: 'logs' } | { kind: 'errors' } | { kind: 'scores' } | { kind: 'metric'; name: string };

export type AggregateFn =
  | 'count'
  | 'rate'
  | 'errors'
  | 'error_rate'
  | 'tokens'
  | 'input_tokens'
  | 'output_tokens'
  | 'cost'
  | 'cost_per_workflow'
  | 'unpriced_calls'
  | 'avg'
  | 'min'
  | 'max'
  | 'sum'
  | 'last'
  | 'increase'
  | 'p50'
  | 'p90'
  | 'p95'
  | 'p99'
  | 'new_error_group'
  | 'regressed_error_group';

/** `fn(source{matchers})[window] by (labels)`: one number per group of `by` labels and window. */
export interface Aggregate {
  kind: 'aggregate';
  fn: AggregateFn;
  source: Source;
  matchers: Matcher[];
  windowUs: number;
  /** Group labels, in the order written; empty for one series. */
  by: string[];
  pos: Pos;
}

/** `anomaly(aggregate)[baseline]`: how far the inner value strays from its own recent past. */
export interface Anomaly {
  kind: 'anomaly';
  inner: Aggregate;
  /** At least four times the inner window. */
  baselineUs: number;
  pos: Pos;
}

export type ValueExpr = Aggregate | Anomaly;

/** `value op threshold`; a rule without a comparison is a bare `ValueExpr`. */
export interface Comparison {
  kind: 'compare';
  op: CompareOp;
  value: ValueExpr;
  threshold: number;
  pos: Pos;
}

export type Expr = ValueExpr | Comparison;
