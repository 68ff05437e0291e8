import type {
  AlertHistoryEntry,
  AlertSeverity,
  LabelMatcher,
  ErrorGroupStatus,
  ErrorOccurrenceRecord,
  ErrorParts,
  SpanFilter,
  SpanGroupBy,
  TimeseriesMetric,
  LlmFields,
  LogQuery,
  LogRecordData,
  MetricPointQuery,
  MetricPointRecord,
  MetricType,
  ModelPrice,
  SpanRecord,
  TimeRange,
  TraceQuery,
  TraceSummaryRecord,
  TraceTreeColumns,
} from '@spoor/model';
import type { StoredLog, StoredTrace } from './stored-trace.js';
import type { TraceTimings } from './trace-timings.js';

/** Records to commit together: one transaction, all or nothing. */
export interface WriteBatch {
  spans: SpanRecord[];
  logs: LogRecordData[];
  metricPoints: MetricPointRecord[];
  /** The errors found in these spans and logs at ingest (`normalize/errors.ts`). */
  errors?: ErrorOccurrenceRecord[];
}

/** Where a page of newest-first results continues: strictly older than this key. */
export interface TimeKey {
  timeUs: number;
  id: string;
}

export interface ServiceRecord {
  name: string;
  spanCount: number;
  errorCount: number;
  logCount: number;
  metricPointCount: number;
  lastSeenUs: number;
}

export interface MetricDescriptorRecord {
  name: string;
  type: MetricType;
  unit: string;
  description: string;
  pointCount: number;
  lastSeenUs: number;
}

export type Signal = 'traces' | 'logs' | 'metrics';

/** A model whose LLM spans carry tokens but no cost: not in the price table. */
export interface UnpricedModelRecord {
  provider: string | null;
  model: string;
  spanCount: number;
  inputTokens: number;
  outputTokens: number;
  lastSeenUs: number;
}

/** What a re-pricing changed. */
export interface RepriceResult {
  /** LLM spans whose cost changed. */
  spans: number;
  /** Traces whose summaries were brought up to date with them. */
  traces: number;
}

/** Aggregates of a group of spans, durations in microseconds (see `SpanStats`). */
export interface SpanStatsRecord {
  key: string | null;
  count: number;
  errorCount: number;
  avgUs: number;
  p50Us: number;
  p95Us: number;
  p99Us: number;
  maxUs: number;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  cacheReadInputTokens: number | null;
  cacheCreationInputTokens: number | null;
  reasoningTokens: number | null;
  costUsd: number | null;
}

export interface SpanStatsQuery {
  filter: SpanFilter;
  groupBy: SpanGroupBy;
  limit: number;
}

export interface TimeseriesQuery {
  /** Its range must be closed at both ends. */
  filter: SpanFilter;
  metric: TimeseriesMetric;
  stepUs: number;
  groupBy: SpanGroupBy | null;
  /** Most groups returned (the ones with most spans). */
  limit: number;
}

/** One bucket of one group; buckets without spans are absent. Durations in microseconds. */
export interface TimeseriesRow {
  bucketUs: number;
  key: string | null;
  value: number | null;
}

/** Counts over the windows ending at `nowUs` that the realtime numbers are made of. */
export interface RealtimeRecord {
  /** Root spans that ended in the last 60 s. */
  roots60: number;
  /** Root spans that ended in the last 300 s, how many failed, and their summed duration. */
  roots300: number;
  errors300: number;
  durationUs300: number;
  /** LLM tokens of spans that ended in the last 60 s. */
  tokens60: number;
  /** Cost of spans that ended in the last 300 s. */
  cost300: number;
  /** Spans of the last 300 s carrying `cache.hit` true and false. */
  cacheHits: number;
  cacheMisses: number;
}

export interface SessionRecord {
  sessionId: string;
  runCount: number;
  failedRuns: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  firstSeenUs: number;
  lastActivityUs: number;
  services: string[];
  userIds: string[];
}

export interface SessionRunRecord {
  traceId: string;
  name: string;
  serviceName: string;
  startTimeUs: number;
  endTimeUs: number;
  failed: boolean;
  spanCount: number;
  errorCount: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  userId: string | null;
}

/** One side of a release comparison for one span name, with what the significance tests need. */
export interface CompareSideRecord {
  name: string;
  side: 'a' | 'b';
  count: number;
  errorCount: number;
  avgUs: number;
  p50Us: number;
  p95Us: number;
  /** Sum of this side's duration ranks among both sides' spans of the name (ties averaged). */
  rankSum: number;
  /** Σ(t³ - t) over groups of tied durations of the name, both sides together. */
  tieTerm: number;
  /** Spans with a cost, and the mean and sample variance of cost over all spans (no cost = 0). */
  costCount: number;
  costMean: number;
  costVariance: number | null;
}

export interface CompareQuery {
  filter: SpanFilter;
  by: SpanGroupBy;
  a: string;
  b: string;
  limit: number;
}

export interface ErrorGroupQuery {
  projectId: string;
  range: TimeRange;
  /** The user's status; a resolved group seen again counts as unresolved. */
  status: ErrorGroupStatus | null;
  service: string | null;
  fingerprint: string | null;
  /** `lastSeen` (default), `firstSeen` or `count`, descending. */
  sort: 'lastSeen' | 'firstSeen' | 'count';
}

export interface ErrorGroupRecord extends ErrorParts {
  fingerprint: string;
  sampleMessage: string;
  /** As stored; see `regressed`. */
  storedStatus: ErrorGroupStatus;
  resolvedUs: number | null;
  count: number;
  traceCount: number;
  firstSeenUs: number;
  lastSeenUs: number;
  services: string[];
  sampleTraceIds: string[];
}

export interface ErrorOccurrenceRow {
  timeUs: number;
  traceId: string | null;
  spanId: string | null;
  serviceName: string;
  spanName: string;
  message: string;
}

/** What an alert rule reads from spans, logs or error events (`alerting/` builds these from rules). */
export type AlertSeriesSource = 'spans' | 'duration' | 'logs' | 'errors';

export const ALERT_SERIES_FNS = {
  spans: ['count', 'rate', 'errors', 'error_rate', 'tokens', 'input_tokens', 'output_tokens', 'cost', 'cost_per_workflow'],
  duration: ['avg', 'min', 'max', 'p50', 'p90', 'p95', 'p99'],
  logs: ['count', 'rate'],
  errors: ['count', 'new_error_group', 'regressed_error_group'],
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
}

/** One group's value in one bucket; buckets without records are absent. */
export interface AlertSeriesRow {
  /** Values of the query's `by` labels, in order. */
  labels: Array<string | null>;
  bucket: number;
  value: number | null;
}

/**
 * The read side of the storage port: what the query service needs. Every method takes the
 * project id (inside its query object where there is one); no method returns another project's
 * records.
 */
export interface StoreReader {
  /** Trace summaries matching the query, newest first, after `after`, at most `limit`. */
  listTraces(query: TraceQuery, after: TimeKey | null, limit: number): Promise<TraceSummaryRecord[]>;
  /**
   * A trace's spans (any order) and logs, or `null` when the project has no such trace. With
   * `spanId`, only that span (none when the trace lacks it) and that span's logs: the LLM
   * inspector and an error's stack need one span of what may be a 50,000-span trace. JSON fields
   * come as the stored text (`StoredSpan`): the answer splices them in unparsed.
   */
  getTrace(projectId: string, traceId: string, spanId?: string): Promise<StoredTrace | null>;
  /** What the waterfall draws of a trace's spans, as columns, and the trace's logs; `null` when there is no such trace. */
  getTraceTree(projectId: string, traceId: string): Promise<{ tree: TraceTreeColumns; logs: StoredLog[] } | null>;
  /** Ids of a trace's spans whose attributes, status message or events contain `text` (case-insensitive), in start order. */
  searchTrace(projectId: string, traceId: string, text: string, limit: number): Promise<string[]>;
  listServices(projectId: string, range: TimeRange): Promise<ServiceRecord[]>;
  /** Log records matching the query, newest first, after `after`, at most `limit`. */
  listLogs(query: LogQuery, after: TimeKey | null, limit: number): Promise<LogRecordData[]>;
  listMetrics(projectId: string, range: TimeRange): Promise<MetricDescriptorRecord[]>;
  /** Points of one metric, newest first, skipping `offset`, at most `limit`. */
  listMetricPoints(query: MetricPointQuery, offset: number, limit: number): Promise<MetricPointRecord[]>;
  /** Models of LLM spans in the range that have tokens and no cost, most spans first. */
  listUnpricedModels(projectId: string, range: TimeRange): Promise<UnpricedModelRecord[]>;
  /** Prices set through the API, as stored. */
  listModelPrices(projectId: string): Promise<ModelPrice[]>;
  /** What a critical path needs of a trace's spans, or `null` when the project has no such trace. */
  getTraceTimings(projectId: string, traceId: string): Promise<TraceTimings | null>;
  /** Span aggregates per group, most spans first, at most `limit` groups. Exact percentiles. */
  spanStats(query: SpanStatsQuery): Promise<SpanStatsRecord[]>;
  /** A span metric per step-aligned bucket (bucket = floor(start / step) * step) and group. */
  spanTimeseries(query: TimeseriesQuery): Promise<TimeseriesRow[]>;
  /** The realtime counts over the windows ending at `nowUs`, of one service or all. */
  realtime(projectId: string, service: string | null, nowUs: number): Promise<RealtimeRecord>;
  /** Sessions with a span in the range, latest activity first. */
  listSessions(projectId: string, range: TimeRange, offset: number, limit: number): Promise<SessionRecord[]>;
  /** The runs (traces) with a span of the session that started in the range, newest first. */
  listSessionRuns(projectId: string, sessionId: string, range: TimeRange): Promise<SessionRunRecord[]>;
  /** Per span name, both sides of a comparison; a name seen on one side only has one record. */
  compareSpans(query: CompareQuery): Promise<CompareSideRecord[]>;
  /** Metric points of these names in the range (all of them, oldest first), of one service or all. */
  readMetricPoints(projectId: string, names: readonly string[], range: TimeRange, service: string | null): Promise<MetricPointRecord[]>;
  /** Error groups with occurrences in the range; counts are of the range, first and last seen of all time. */
  listErrorGroups(query: ErrorGroupQuery, offset: number, limit: number): Promise<ErrorGroupRecord[]>;
  /** Occurrences per hour (bucket = floor(time / 1 h) * 1 h) of these groups in the range. */
  errorGroupHourly(projectId: string, fingerprints: readonly string[], range: TimeRange): Promise<Array<{ fingerprint: string; hourUs: number; count: number }>>;
  /** The newest occurrences of a group. */
  listErrorOccurrences(projectId: string, fingerprint: string, range: TimeRange, limit: number): Promise<ErrorOccurrenceRow[]>;
  /** An alert rule's aggregate per group of labels and time bucket; see `AlertSeriesQuery`. */
  alertSeries(query: AlertSeriesQuery): Promise<AlertSeriesRow[]>;
}

/** The write side of the storage port: records go in through one open transaction. */
export interface StoreWriter {
  /**
   * Adds records to the open write. They become visible and durable only at `commit`. Appends
   * and commits are applied in call order.
   */
  append(batch: WriteBatch): Promise<void>;
  /**
   * Commits everything appended since the last commit, together with `position`: the ingest
   * spool position it brings the store up to, which `readPosition` returns after a restart.
   */
  commit(position: string | null): Promise<void>;
  /** Discards everything appended since the last commit. */
  rollback(): Promise<void>;
  /** `append` then `commit`, rolled back if either fails. */
  write(batch: WriteBatch, position: string | null): Promise<void>;
  /** The last position committed with `write` or `commit`, or `null` for a new store. */
  readPosition(): Promise<string | null>;
}

/**
 * The storage port: reads, writes, and the few updates users make (prices, error group
 * statuses). Adapters wrap driver errors in `StoreError`. Every adapter passes the contract suite
 * in `store-contract.ts`.
 */
/** A rule as stored: its spec as JSON text (checked by `alerting/`, not by the store). */
export interface AlertRuleRecord {
  name: string;
  spec: string;
  createdUs: number;
  updatedUs: number;
}

export interface AlertHistoryRecord {
  timeUs: number;
  rule: string;
  labels: Record<string, string>;
  kind: AlertHistoryEntry['kind'];
  severity: AlertSeverity;
  value: number | null;
  receiver: string | null;
  detail: string | null;
}

export interface SilenceRecord {
  id: string;
  matchers: LabelMatcher[];
  startsUs: number;
  endsUs: number;
  createdBy: string;
  comment: string;
}

/** What the alert engine keeps: rules made through the API, its memory, its history, silences. */
export interface AlertStore {
  /** By name. */
  listRules(projectId: string): Promise<AlertRuleRecord[]>;
  putRule(projectId: string, name: string, spec: string, nowUs: number): Promise<'created' | 'updated'>;
  deleteRule(projectId: string, name: string): Promise<boolean>;
  /** The engine's memory as the last `saveState` left it, or `null`. */
  readState(projectId: string): Promise<string | null>;
  /** Replaces the memory and appends history in one transaction: a restart sees both or neither. */
  saveState(projectId: string, state: string, history: readonly AlertHistoryRecord[], nowUs: number): Promise<void>;
  /** Newest first. */
  listHistory(projectId: string, range: TimeRange, rule: string | null, offset: number, limit: number): Promise<AlertHistoryRecord[]>;
  /** Silences ending after `endedAfterUs`, by start. */
  listSilences(projectId: string, endedAfterUs: number): Promise<SilenceRecord[]>;
  /** Adds or replaces (by id): expiring a silence is saving it with an end of now. Retention drops it. */
  putSilence(projectId: string, silence: SilenceRecord): Promise<void>;
}

export interface Store extends StoreReader, StoreWriter {
  readonly alerts: AlertStore;
  /** Adds or replaces a price set through the API. */
  putModelPrice(projectId: string, price: ModelPrice, updatedUs: number): Promise<void>;
  /** Removes a price set through the API; false when there was none. */
  deleteModelPrice(projectId: string, model: string): Promise<boolean>;
  /**
   * Recomputes the cost of the LLM spans that started in the range, except those whose cost was
   * reported by their instrumentation: `price` gives each span's new cost (`null` for none). The
   * summaries of the traces they belong to change with them, in the same transaction.
   */
  repriceSpans(projectId: string, range: TimeRange, price: (llm: LlmFields) => number | null): Promise<RepriceResult>;
  /** Records what a user decided about an error group. */
  setErrorGroupStatus(projectId: string, fingerprint: string, status: ErrorGroupStatus, nowUs: number): Promise<void>;
  /** Deletes every project's records of a signal older than `cutoffUs`; returns how many. */
  deleteOlderThan(signal: Signal, cutoffUs: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * `Store.write` for any adapter: append, then commit with `position`, rolling back if either
 * fails.
 */
export async function appendAndCommit(store: StoreWriter, batch: WriteBatch, position: string | null): Promise<void> {
  try {
    await store.append(batch);
    await store.commit(position);
  } catch (error) {
    await store.rollback();
    throw error;
  }
}

/** A failure inside a store adapter; the driver's error is the `cause`. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}
