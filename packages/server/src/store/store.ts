import type {
  AlertHistoryEntry,
  AlertSeverity,
  LabelMatcher,
  ErrorGroupStatus,
  ErrorParts,
  CompareQuery,
  SpanStatsQuery,
  TimeseriesQuery,
  LlmFields,
  LogQuery,
  LogRecordData,
  MetricPointQuery,
  MetricPointRecord,
  MetricType,
  ModelPrice,
  TimeRange,
  TraceQuery,
  TraceSummaryRecord,
  TraceTreeColumns,
} from '@spoor/model';
import type { AuditRecord, KeyRecord } from '../auth/keys.js';

export type { AuditRecord } from '../auth/keys.js';
import type { StoredLog, StoredTrace } from './stored-trace.js';
import type { TraceTimings } from './trace-timings.js';
import type { StoreWriter } from './write-port.js';

export { type BatchKey, type RecordBatch, type StoreWriter, TakenPositions, type WriteBatch, appendAndCommit, comparePositionText } from './write-port.js';
export { batchOf } from './tables.js';


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

/** The kinds of records retention deletes from. */
export type RetainedRecords = 'spans' | 'traceParts' | 'errors' | 'alertHistory' | 'silences' | 'logs' | 'metricPoints';

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
/** An LLM span as re-pricing reads it. */
export interface SpanToPrice {
  traceId: string;
  spanId: string;
  llm: LlmFields;
}

/** A span's new cost, in US dollars; `null` when no price applies. */
export interface SpanCost {
  traceId: string;
  spanId: string;
  costUsd: number | null;
}

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

/*
 * The storage port, as small ports by area. Every method takes the project id (inside its query
 * object where there is one); no method returns another project's records. Services depend on
 * the ports they use; `Store` is all of them, what an adapter implements.
 */

/** Traces: summaries, a trace's spans, its waterfall columns and timings, in-trace search, services. */
export interface TraceReader {
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
  /** What a critical path needs of a trace's spans, or `null` when the project has no such trace. */
  getTraceTimings(projectId: string, traceId: string): Promise<TraceTimings | null>;
  listServices(projectId: string, range: TimeRange): Promise<ServiceRecord[]>;
}

/** Logs. */
export interface LogReader {
  /** Log records matching the query, newest first, after `after`, at most `limit`. */
  listLogs(query: LogQuery, after: TimeKey | null, limit: number): Promise<LogRecordData[]>;
}

/** App metrics: names, points of one metric, points of several for a chart or an alert. */
export interface MetricReader {
  listMetrics(projectId: string, range: TimeRange): Promise<MetricDescriptorRecord[]>;
  /** Points of one metric, newest first, skipping `offset`, at most `limit`. */
  listMetricPoints(query: MetricPointQuery, offset: number, limit: number): Promise<MetricPointRecord[]>;
  /** Metric points of these names in the range (all of them, oldest first), of one service or all. */
  readMetricPoints(projectId: string, names: readonly string[], range: TimeRange, service: string | null): Promise<MetricPointRecord[]>;
}

/** Span statistics, charts, realtime numbers, sessions and release comparisons. */
export interface AnalyticsReader {
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
}

/** Error groups: their occurrences, and what users decided about them. */
export interface ErrorStore {
  /** Error groups with occurrences in the range; counts are of the range, first and last seen of all time. */
  listErrorGroups(query: ErrorGroupQuery, offset: number, limit: number): Promise<ErrorGroupRecord[]>;
  /** Occurrences per hour (bucket = floor(time / 1 h) * 1 h) of these groups in the range. */
  errorGroupHourly(projectId: string, fingerprints: readonly string[], range: TimeRange): Promise<Array<{ fingerprint: string; hourUs: number; count: number }>>;
  /** The newest occurrences of a group. */
  listErrorOccurrences(projectId: string, fingerprint: string, range: TimeRange, limit: number): Promise<ErrorOccurrenceRow[]>;
  /** Records what a user decided about an error group. */
  setErrorGroupStatus(projectId: string, fingerprint: string, status: ErrorGroupStatus, nowUs: number): Promise<void>;
}

/** What alert rules evaluate over spans, logs and errors. */
export interface AlertSeriesReader {
  /** An alert rule's aggregate per group of labels and time bucket; see `AlertSeriesQuery`. */
  alertSeries(query: AlertSeriesQuery): Promise<AlertSeriesRow[]>;
}

/** The write side of the storage port: records go in through one open transaction. */

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

/** Prices set through the API, models without one, and re-pricing stored spans. */
export interface PriceStore {
  /** Prices set through the API, as stored. */
  listModelPrices(projectId: string): Promise<ModelPrice[]>;
  /** Adds or replaces a price set through the API. */
  putModelPrice(projectId: string, price: ModelPrice, updatedUs: number): Promise<void>;
  /** Removes a price set through the API; false when there was none. */
  deleteModelPrice(projectId: string, model: string): Promise<boolean>;
  /** Models of LLM spans in the range that have tokens and no cost, most spans first. */
  listUnpricedModels(projectId: string, range: TimeRange): Promise<UnpricedModelRecord[]>;
  /**
   * The LLM spans that started in the range and whose cost is Spoor's to set: every one but those
   * whose cost their instrumentation reported. (`store/reprice.ts` prices them.)
   */
  readSpansToPrice(projectId: string, range: TimeRange): Promise<SpanToPrice[]>;
  /**
   * Sets these spans' costs (`null` for none, with no cost source) and brings the summaries of
   * their traces in line with them, together.
   */
  setSpanCosts(projectId: string, costs: readonly SpanCost[]): Promise<RepriceResult>;
}

/** Retention: deletes old records, one kind at a time. */
/**
 * The spans stored last, so that after a restart the receiver still tells a request sent again
 * (a client that never got the answer to a request acknowledged just before a crash) from a new
 * one. Optional: an engine without it leaves the receiver's memory empty after a restart.
 */
export interface RecentSpanSource {
  /** Up to `perProject` spans of each project, the last stored first: their ids. */
  recentSpanIds(perProject: number): Promise<Array<{ projectId: string; traceId: string; spanId: string }>>;
}

export interface Retention {
  /**
   * Deletes every project's records of one kind older than `cutoffUs`, each by the time that
   * ends its use (a span by its start, a trace part by its end, a silence by its end, the rest by
   * their time); returns how many. Which kinds go with which signal's retention is decided
   * outside the store (`pipeline/retention.ts`).
   */
  deleteOlderThan(records: RetainedRecords, cutoffUs: number): Promise<number>;
}

/** Who may do what, and who did what: keys (hashed), the audit log, the secret session cookies are signed with. */
export interface AccessStore {
  /** Every key of every project, revoked ones too. Small: it is read whole and cached by each server. */
  listKeys(): Promise<KeyRecord[]>;
  putKey(record: KeyRecord): Promise<void>;
  /** Marks a key revoked; `false` when there is no such key or it already was. */
  revokeKey(id: string, nowUs: number): Promise<boolean>;
  /** A random secret shared by every server of this store, made on first use. */
  sessionSecret(): Promise<string>;
  appendAudit(record: AuditRecord): Promise<void>;
  /** A project's audit records in the range, newest first. */
  listAudit(projectId: string, range: TimeRange, offset: number, limit: number): Promise<AuditRecord[]>;
}

/** A project's masking policy set through the API: JSON text (checked by `ingest/masking.ts`, not by the store). */
export interface MaskingPolicyRecord {
  projectId: string;
  policy: string;
  updatedUs: number;
}

/** Masking policies set through the API, one per project at most. */
export interface MaskingStore {
  /** Every project's, read whole at start (few and small). */
  listPolicies(): Promise<MaskingPolicyRecord[]>;
  putPolicy(projectId: string, policy: string, nowUs: number): Promise<void>;
  /** `false` when the project had none. */
  deletePolicy(projectId: string): Promise<boolean>;
}

/** Every port: what a store adapter implements. Adapters wrap driver errors in `StoreError`. */
export interface Store extends TraceReader, LogReader, MetricReader, AnalyticsReader, ErrorStore, AlertSeriesReader, PriceStore, Retention, StoreWriter {
  readonly alerts: AlertStore;
  readonly access: AccessStore;
  readonly masking: MaskingStore;
  close(): Promise<void>;
}


/** A failure inside a store adapter; the driver's error is the `cause`. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}
