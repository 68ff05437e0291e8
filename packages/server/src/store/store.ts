import type { AccessStore, MaskingStore } from './ports/access.js';
import type { AlertSeriesReader } from './ports/alert-series.js';
import type { AlertStore } from './ports/alerts.js';
import type { AnalyticsReader } from './ports/analytics.js';
import type { ErrorStore } from './ports/errors.js';
import type { LogReader } from './ports/logs.js';
import type { MetricReader } from './ports/metrics.js';
import type { PriceStore } from './ports/prices.js';
import type { Retention } from './ports/retention.js';
import type { DatasetStore } from './ports/datasets.js';
import type { EvaluatorStore } from './ports/evaluators.js';
import type { ExperimentStore } from './ports/experiments.js';
import type { RunningSpanStore } from './ports/running-spans.js';
import type { ScoreStatsReader } from './ports/score-stats.js';
import type { ScoreStore } from './ports/scores.js';
import type { TraceReader } from './ports/traces.js';
import type { StoreWriter } from './write-port.js';
import type { LiveStore } from './ports/live.js';
import type { RecordExporter } from './ports/export.js';
import type { FlowReader } from './ports/flows.js';
import type { SamplingStore } from './ports/sampling.js';
import type { QueueStore } from './ports/queues.js';

/*
 * The storage port, as small ports by area, one file each in `ports/` (the write port in
 * `write-port.ts`). Every method takes the project id (inside its query object where there is
 * one); no method returns another project's records. Services depend on the ports they use;
 * `Store` holds all of them as named parts, what an adapter implements. Everything a caller
 * needs of them is exported here too.
 */

export type { AccessStore, AuditRecord, MaskingPolicyRecord, MaskingStore } from './ports/access.js';
export { ALERT_SERIES_FNS } from './ports/alert-series.js';
export type { AlertLabel, AlertMatcher, AlertSeriesFn, AlertSeriesQuery, AlertSeriesReader, AlertSeriesRow, AlertSeriesSource } from './ports/alert-series.js';
export type { AlertHistoryRecord, AlertRuleRecord, AlertStore, SilenceRecord } from './ports/alerts.js';
export type {
  AnalyticsReader,
  CompareSideRecord,
  RealtimeRecord,
  SessionRecord,
  SessionRunRecord,
  SpanStatsRecord,
  TimeseriesRow,
  UserRecord,
} from './ports/analytics.js';
export type { ErrorGroupQuery, ErrorGroupRecord, ErrorOccurrenceRow, ErrorStore } from './ports/errors.js';
export type { LogReader } from './ports/logs.js';
export type { MetricDescriptorRecord, MetricReader } from './ports/metrics.js';
export type { PriceStore, RepriceResult, SpanCost, SpanToPrice, UnpricedModelRecord } from './ports/prices.js';
export type { RetainedRecords, Retention, Signal } from './ports/retention.js';
export type { ScoreStore, ScoreTallies, ScoreTally, StoredScore, TargetFound } from './ports/scores.js';
export type { ScoreCompareGroup, ScoreStatsReader } from './ports/score-stats.js';
export type {
  CompleteTrace,
  EvaluationSpan,
  EvaluatorRecord,
  EvaluatorRunRecord,
  EvaluatorRunTotals,
  EvaluatorStore,
  TraceFilter,
} from './ports/evaluators.js';
export type { DatasetChange, DatasetItemRecord, DatasetRecord, DatasetStore, DatasetSummary } from './ports/datasets.js';
export type { ExperimentRecord, ExperimentResultRecord, ExperimentResultTotals, ExperimentStore } from './ports/experiments.js';
export type { RecentSpanSource, ServiceRecord, TimeKey, TraceReader, TreeKey, TreePage } from './ports/traces.js';
export type { RunningSpanStore, RunningTraceFilter, RunningTraceRecord, StoredRunningSpan } from './ports/running-spans.js';
export { type BatchKey, type RecordBatch, type StoreWriter, TakenPositions, type WriteBatch, appendAndCommit, comparePositionText } from './write-port.js';
export { batchOf } from './tables.js';
export type { LiveSpanRow, LiveStore, LiveTraceFilter, TouchedTrace } from './ports/live.js';
export type { RecordExporter } from './ports/export.js';
export type { FlowReader, FlowSpanQuery, FlowSpans } from './ports/flows.js';
export type { SamplingDecision, SamplingFacts, SamplingPolicyRecord, SamplingStore } from './ports/sampling.js';
export { QUEUE_EVENT_KINDS } from './ports/queues.js';
export type { QueueEventKind, QueueEventRecord, QueueItemRecord, QueueRecord, QueueStore } from './ports/queues.js';

/**
 * Every port, each a named part: what a store adapter implements. Adapters wrap driver errors in
 * `StoreError`. A service takes the parts it uses (`Pick<Store, 'traces' | 'logs'>`, or one port).
 */
export interface Store {
  /** Traces: the list, one trace whole or by pages, its tree, search and span times; services. */
  readonly traces: TraceReader;
  readonly logs: LogReader;
  readonly metrics: MetricReader;
  /** Span statistics, time series, the realtime tiles, sessions, comparisons. */
  readonly analytics: AnalyticsReader;
  /** Error groups and their occurrences, and the status a user gave a group. */
  readonly errors: ErrorStore;
  /** What alert rules evaluate. */
  readonly alertSeries: AlertSeriesReader;
  readonly scoreStats: ScoreStatsReader;
  /** Model prices, the models without one, and the costs of spans priced again. */
  readonly prices: PriceStore;
  readonly retention: Retention;
  /** The write port: batches, each durable at its commit, with the spool position it reached. */
  readonly writer: StoreWriter;
  readonly alerts: AlertStore;
  readonly access: AccessStore;
  readonly masking: MaskingStore;
  readonly scores: ScoreStore;
  readonly evaluators: EvaluatorStore;
  readonly datasets: DatasetStore;
  readonly experiments: ExperimentStore;
  readonly live: LiveStore;
  readonly runningSpans: RunningSpanStore;
  /** Export: a signal's records as a file, by the engine's own writer. */
  readonly exports: RecordExporter;
  /** The spans of the runs a flow map folds, as columns. */
  readonly flows: FlowReader;
  /** Tail sampling: policies, a decision per trace, and the slimming of traces not kept. */
  readonly sampling: SamplingStore;
  /** Review queues: their definitions, items, and what reviewers did with them. */
  readonly queues: QueueStore;
  close(): Promise<void>;
}

/** A failure inside a store adapter; the driver's error is the `cause`. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/**
 * A write that another write of the same record, committed at the same moment, made fail; sending
 * it again succeeds. The API answers it 409 (`ERR_CONFLICT`), not 500: nothing is broken.
 */
export class StoreConflictError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreConflictError';
  }
}
