/**
 * `@spoor/model`: the canonical types that the server, the SDK, the CLI and the web UI share.
 * Pure TypeScript, no runtime dependencies, safe in a browser.
 */
export type { ApiScope, AttributeValue, Attributes, InstrumentationScope, Resource } from './attributes.js';
export type {
  ChatMessage,
  ChatPart,
  CostSource,
  LlmCallDetail,
  LlmMessages,
  LlmFields,
  Span,
  SpanEvent,
  SpanCategory,
  SpanEventRecord,
  SpanKind,
  SpanLink,
  SpanRecord,
  SpanStatus,
  StatusCode,
} from './span.js';
export { SPAN_CATEGORIES, SPAN_KINDS, STATUS_CODES } from './span.js';
export type { LongContextPrice, ModelPrice, PriceTable } from './prices.js';
export { DEFAULT_PRICES } from './default-prices.js';
export { PriceBook, costByBook, costOf, isUnpricedCall } from './pricing.js';
export type { PriceOrigin, PricedUsage } from './pricing.js';
export type { SpanDetail, TraceDetail, TraceSearchResponse, TraceSummary, TraceSummaryRecord, TraceTree, TraceTreeColumns } from './trace.js';
export type { LogRecord, LogRecordData, SeverityName } from './log.js';
export { SEVERITY_NUMBERS } from './log.js';
export type {
  Exemplar,
  ExactCounts,
  ExponentialBuckets,
  MetricDescriptor,
  MetricPoint,
  MetricPointRecord,
  MetricType,
  QuantileValue,
  Temporality,
} from './metric.js';
export { TEMPORALITIES } from './metric.js';
export type {
  ApiErrorBody,
  AttributeFilter,
  EffectiveModelPrice,
  LogListResponse,
  LogQuery,
  MetricListResponse,
  MetricPointListResponse,
  MetricPointQuery,
  PriceListResponse,
  RepriceResponse,
  ServiceListResponse,
  ServiceSummary,
  TimeRange,
  TraceListResponse,
  TraceOrigin,
  TraceQuery,
  TraceSort,
  UnpricedModel,
  UnpricedModelListResponse,
} from './api.js';
export { DEFAULT_PROJECT_ID, SPOOR_SERVICE_NAME, TRACE_ORIGINS, TRACE_SORTS, traceSortKey } from './api.js';
export type { SessionInfo } from './api.js';
export type { AlignedRow, ChangedSpan, DiffSpan, SpanDeltas, TextDiffLine, TraceDiff, TraceDiffSide } from './diff.js';
export { diffLines, diffWords } from './text-diff.js';
export type { FlowChange, FlowChangeKind, FlowComparison, FlowEdge, FlowEdgeKind, FlowMap, FlowNode, FlowStats } from './flows.js';
export { FLOW_EDGE_KINDS, FLOW_TRACE_PAGE } from './flows.js';
export { isoFromMicros, microsFromIso } from './time.js';
export { SPAN_PLACES, resolveSpanParents, resolveSpanTree, spanTreeInputFrom } from './span-tree.js';
export type { ResolvedSpanTree, SpanParents, SpanPlace, SpanTimes, SpanTreeInput, SpanTreeRecord, SpanTreeWordsInput } from './span-tree.js';
export type {
  CompareQuery,
  CompareResponse,
  CompareRow,
  CompareSide,
  CriticalPath,
  CriticalPathSegment,
  CriticalPathSpan,
  MetricSeriesFn,
  MetricSeriesResponse,
  RealtimeMetrics,
  Series,
  SessionDetail,
  SessionListResponse,
  SessionRun,
  SessionSummary,
  UserListResponse,
  UserSummary,
  SpanFilter,
  SpanGroupBy,
  SpanGroupColumn,
  SpanStats,
  SpanStatsGroup,
  SpanStatsQuery,
  SpanStatsResponse,
  TestResult,
  TimeseriesMetric,
  TimeseriesQuery,
  TimeseriesResponse,
} from './analytics.js';
export { METRIC_SERIES_FNS, SPAN_GROUP_COLUMNS, TIMESERIES_METRICS } from './analytics.js';
export type { ErrorGroup, ErrorGroupDetail, ErrorGroupListResponse, ErrorGroupStatus, ErrorOccurrenceRecord, ErrorParts } from './errors.js';
export { ERROR_GROUP_STATUSES, FINGERPRINT_VERSION } from './errors.js';
export type {
  Alert,
  AlertHistoryEntry,
  AlertHistoryResponse,
  AlertListResponse,
  AlertReceiver,
  AlertReceiverListResponse,
  AlertReceiverSource,
  AlertRule,
  AlertRuleListResponse,
  AlertRuleSource,
  AlertRuleSpec,
  AlertSeverity,
  AlertState,
  LabelMatcher,
  NoDataBehaviour,
  Silence,
  SilenceListResponse,
  SilenceRequest,
  ThresholdOp,
} from './alerts.js';
export { ALERT_SEVERITIES, NO_DATA_BEHAVIOURS } from './alerts.js';
export { createRedactor, validateRedactOptions, DETECTOR_LABELS, DETECTOR_NAMES } from './redact/index.js';
export type { DetectorName, RedactMode, RedactOptions, RedactRule, Redactor, RedactorHooks, TextPattern } from './redact/index.js';
export type { Score, ScoreListResponse, ScoreQuery, ScoreRecord, ScoreSlot, ScoreSource } from './score.js';
export { EVALUATION_ATTRIBUTES, EVALUATION_EVENT, SCORE_SOURCES, scoreIdOf, scoreProblem } from './score.js';
export type { Evaluator, EvaluatorBackfill, EvaluatorPreviewItem, EvaluatorSpec, EvaluatorState, EvaluatorTarget } from './evaluator.js';
export { EVALUATOR_STATES, EVALUATOR_TARGETS } from './evaluator.js';
// Score summaries and the trace list's score filters (scores where a user looks).
export type { ScoreFilter, ScoreFilterOp, ScoreSummary } from './score.js';
export { SCORE_FILTER_OPS } from './score.js';
export type { ScoreCompareRow, ScoreCompareSide, ScoreStatsGroup, ScoreStatsQuery, ScoreStatsResponse, ScoreStatsRow } from './score-stats.js';
export { SCORE_STATS_GROUPS } from './score-stats.js';
// An evaluator's failed targets (evaluator errors shown with a retry).
export type { EvaluatorError, EvaluatorErrorsResponse } from './evaluator.js';
// Datasets (versioned sets of items that experiments run on).
export type {
  Dataset,
  DatasetChangeResponse,
  DatasetItem,
  DatasetItemSource,
  DatasetItemsResponse,
  DatasetListResponse,
  JsonValue,
  NewDatasetItem,
} from './dataset.js';
export { datasetItemProblem, datasetNameProblem } from './dataset.js';
// Score configs (what a score name means) and review queues (people scoring against a rubric).
export type { ScoreConfig, ScoreConfigType } from './score-config.js';
export { SCORE_CONFIG_TYPES, configuredScore, configuredScoreProblem, scoreConfigOf, scoreConfigProblem } from './score-config.js';
export type {
  EntryAgreement,
  ItemReview,
  PairAgreement,
  QueueAgreement,
  QueueItem,
  QueueItemKind,
  QueueItemOrigin,
  QueueProgress,
  ReviewQueue,
  ReviewScore,
  ReviewerProgress,
  TakenItem,
} from './review.js';
export { QUEUE_ITEM_KINDS, QUEUE_ITEM_ORIGINS } from './review.js';
// Experiments (a dataset run through a new version, scored and compared).
export type {
  ComparedItem,
  ComparedItemDetail,
  ComparedScore,
  Experiment,
  ExperimentComparison,
  ExperimentListResponse,
  ExperimentResult,
  ExperimentResultsResponse,
  ExperimentScoreSummary,
  ExperimentState,
  ExperimentTarget,
  ItemVerdict,
  NewExperiment,
  NewExperimentResult,
} from './experiment.js';
export type { Regressions } from './experiment.js';
export { EXPERIMENT_ATTRIBUTES, EXPERIMENT_STATES, experimentNameProblem, regressed, regressionsOf } from './experiment.js';
// Live streams (a trace and the trace list as they are committed, over Server-Sent Events).
export type { LiveSpan, LiveSpansEvent, LiveTracesEvent } from './live.js';
// Trace detail pages (`GET /api/traces/:id?spans=OFFSET,LIMIT`).
export type { TraceDetailPage } from './trace.js';
// Running spans (a span seen before it ends).
export type { SpanState } from './span.js';
export { SPAN_STATES } from './span.js';
// The binary tree stream (traces of any size): `/tree` as chunks a page reads into typed arrays.
export type { TreeChunk, TreeChunkColumns, TreeHeader, TreeTrailer } from './tree-binary.js';
export { NO_STRING, TREE_FORMAT_VERSION, TREE_MEDIA_TYPE, TreeStreamDecoder, TreeStreamEncoder, spanIdHex } from './tree-binary.js';
// Single sign-on: who is signed in, and through which provider.
export type { SessionUserInfo, SingleSignOnInfo } from './api.js';
// Export (`spoor export`, `GET /api/export`): a signal's records as Parquet or JSON Lines.
export type { ExportFormat, ExportQuery, ExportSignal } from './export.js';
export { EXPORT_FORMATS, EXPORT_MEDIA_TYPES, EXPORT_SIGNALS, exportFileName, isExportFormat, isExportSignal } from './export.js';
// Tail sampling: a project's keep policy, and what the trace list says of it.
export type { SamplingAnswer, SamplingCount, SamplingKeep, SamplingPolicy } from './sampling.js';
export { DEFAULT_SAMPLING_KEEP } from './sampling.js';
// Prompts: templates with {{variables}}, compiled, and a label's split of traffic chosen by a sticky key.
export type {
  FetchedPrompt,
  PromptConfig,
  PromptLabelMove,
  PromptMessage,
  PromptShare,
  PromptSplitEntry,
  PromptStatsResponse,
  PromptSummary,
  PromptTemplate,
  PromptVersion,
  PromptVersionScore,
} from './prompt.js';
export {
  PROMPT_LABEL,
  PROMPT_NAME,
  PromptVariableError,
  chooseVersion,
  compilePrompt,
  openAiResponseFormat,
  placeOf,
  promptVariables,
  sharesOf,
  splitProblem,
  weightsProblem,
} from './prompt.js';
// Dashboards: documents of panels of the alert language's expressions.
export type {
  Dashboard,
  DashboardDocument,
  DashboardPanel,
  DashboardPanelKind,
  DashboardQuery,
  DashboardSummary,
  DashboardUnit,
  DashboardVariable,
  DashboardVersion,
} from './dashboard.js';
export {
  DASHBOARD_COLUMNS,
  DASHBOARD_NAME,
  DASHBOARD_PANEL_KINDS,
  DASHBOARD_UNITS,
  intervalText,
  pickedValue,
  replaceDashboardVariables,
} from './dashboard.js';
