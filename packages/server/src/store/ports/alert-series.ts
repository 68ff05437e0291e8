/** What an alert rule reads from spans, logs, error events or scores (`alerting/` builds these from rules). */
export type AlertSeriesSource = 'spans' | 'duration' | 'logs' | 'errors' | 'scores';

export const ALERT_SERIES_FNS = {
  spans: ['count', 'rate', 'errors', 'error_rate', 'tokens', 'input_tokens', 'output_tokens', 'cost', 'cost_per_workflow', 'unpriced_calls'],
  duration: ['avg', 'min', 'max', 'p50', 'p90', 'p95', 'p99'],
  logs: ['count', 'rate'],
  errors: ['count', 'new_error_group', 'regressed_error_group'],
  scores: ['count', 'rate', 'avg', 'min', 'max', 'sum', 'p50', 'p90', 'p95', 'p99'],
} as const satisfies Record<AlertSeriesSource, readonly string[]>;
export type AlertSeriesFn = (typeof ALERT_SERIES_FNS)[AlertSeriesSource][number];

/**
 * A label of an alert query. A built-in (`attribute: false`) is one of the source's labels in
 * `alerting/expr/catalogue.ts` (`service`, `name`, `severity`, `fingerprint`, ...); an attribute
 * is looked up on the span or log first, then on its resource, compared as text.
 */
export interface AlertLabel {
  name: string;
  attribute: boolean;
}

/** `=` `!=` compare text; `=~` `!~` search it with an RE2 regular expression (unanchored). */
export interface AlertMatcher extends AlertLabel {
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface AlertSeriesQuery {
  projectId: string;
  source: AlertSeriesSource;
  fn: AlertSeriesFn;
  matchers: AlertMatcher[];
  /** Group labels; a record without one of them groups under `null` for it. */
  by: AlertLabel[];
  /** `buckets` buckets of `stepUs` from `startUs`: bucket k is [startUs + k·stepUs, startUs + (k+1)·stepUs). */
  startUs: number;
  stepUs: number;
  buckets: number;
  /**
   * Read for an alert round, which nobody waits on: a store that can rank its work lets commits
   * go first (ClickHouse: `BACKGROUND_SETTINGS`). A chart's or a query's read leaves it out.
   */
  background?: boolean;
}

/** One group's value in one bucket; buckets without records are absent. */
export interface AlertSeriesRow {
  /** Values of the query's `by` labels, in order. */
  labels: Array<string | null>;
  bucket: number;
  value: number | null;
}

/** What alert rules evaluate over spans, logs, errors and scores. */
export interface AlertSeriesReader {
  /** An alert rule's aggregate per group of labels and time bucket; see `AlertSeriesQuery`. */
  read(query: AlertSeriesQuery): Promise<AlertSeriesRow[]>;
}
