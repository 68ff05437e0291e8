import { SeriesReader } from '../alerting/series.js';
import { type Json, jsonOf } from '../json.js';
import type { PriceService } from '../pricing/price-service.js';
import { AnalyticsService } from '../query/analytics-service.js';
import { ErrorService } from '../query/error-service.js';
import { type LiveOptions, QueryService } from '../query/query-service.js';
import { AnswerRegion } from '../query/answer-region.js';
import type { SpanPage } from '../query/trace-pages.js';
import { ScoreService } from '../query/score-service.js';
import { type MaskingPolicy, type ProjectMasking, type ProjectMaskingPolicy, storedMaskingPolicy } from '../ingest/masking.js';
import type { MaskingTimeline } from '../ingest/masking-timeline.js';
import type { Store } from '../store/store.js';
import { inProcessLink } from '../threads/in-process.js';
import type { Remote } from '../threads/protocol.js';
import { DB_TRANSFERS, type DbQueryProtocol, storeErrorOf } from './protocol.js';
import { evaluatorCalls } from '../quality/backend.js';
import { DatasetService } from '../quality/dataset-service.js';
import { experimentCalls, maskedResults } from '../quality/experiment-backend.js';
import type { ExperimentResultRecord } from '../store/ports/experiments.js';
import type { ScoreRecord } from '@spoor/model';
import { liveCalls } from '../live/reads.js';
import { type TreeStreamOptions, treeStreamCalls } from '../query/tree-stream.js';
import { exportCalls } from '../export/export-streams.js';
import { samplingCalls } from '../sampling/backend.js';

/**
 * Every call the database thread serves, in one registry: the API's queries, prices, analytics
 * and error groups, keys and masking policies, and the alert engine's series and alert store.
 * The main thread sees it as a {@link DbClient}, typed from this object, so a misspelled or
 * mistyped call does not compile, and each answer arrives as the type its call answers here:
 * `Json<T>` text (`json(…)`) or `JsonUtf8<T>` bytes for what the API sends on as it is, the value
 * itself (a structured clone) for what the main thread uses (keys, policies, alert state).
 * The same registry runs in process ({@link inProcessClient}) for tests without a worker.
 */
export function createDbCalls(
  store: Store,
  pricing: PriceService,
  masking: ProjectMasking | null = null,
  options: LiveOptions & TreeStreamOptions & { readBackMasking?: MaskingTimeline } = {},
) {
  const queries = new QueryService(store, options);
  const region = new AnswerRegion();
  const analytics = new AnalyticsService(store);
  const errors = new ErrorService(store.errors);
  const series = new SeriesReader(store);
  const alerts = store.alerts;
  const access = store.access;
  const datasets = new DatasetService(store, (projectId) => masking?.valueMaskerFor(projectId));
  // A score sent through the API or an experiment's SDK is masked by its project's policy, as one sent as an OpenTelemetry event is at ingest.
  const maskScore = (score: ScoreRecord): void => masking?.maskerFor(score.projectId)?.({ spans: [], logs: [], metricPoints: [], scores: [score] });
  const scores = new ScoreService(store, maskScore);
  return {
    listTraces: json(queries.listTraces.bind(queries)),
    // `shared`: a large whole answer may come in the answer region, which the caller gives back once it sent it.
    getTrace: (projectId: string, traceId: string, page: SpanPage | null = null, shared = false) => queries.getTrace(projectId, traceId, page, shared ? region : null),
    releaseAnswerRegion: async (): Promise<void> => region.release(),
    getTraceTree: queries.getTraceTree.bind(queries),
    diffTraces: json(queries.diffTraces.bind(queries)),
    searchTrace: json(queries.searchTrace.bind(queries)),
    getSpan: queries.getSpan.bind(queries),
    getLlmCall: json(queries.getLlmCall.bind(queries)),
    getReplaySource: queries.getReplaySource.bind(queries),
    listServices: json(queries.listServices.bind(queries)),
    listLogs: json(queries.listLogs.bind(queries)),
    listMetrics: json(queries.listMetrics.bind(queries)),
    listMetricPoints: queries.listMetricPoints.bind(queries),

    listPrices: json(pricing.listPrices.bind(pricing)),
    putPrice: json(pricing.putPrice.bind(pricing)),
    deletePrice: json(pricing.deletePrice.bind(pricing)),
    reprice: json(pricing.reprice.bind(pricing)),
    listUnpricedModels: json(pricing.listUnpricedModels.bind(pricing)),

    spanStats: json(analytics.spanStats.bind(analytics)),
    timeseries: json(analytics.timeseries.bind(analytics)),
    realtime: json(analytics.realtime.bind(analytics)),
    listSessions: json(analytics.listSessions.bind(analytics)),
    getSession: json(analytics.getSession.bind(analytics)),
    metricSeries: json(analytics.metricSeries.bind(analytics)),
    criticalPath: analytics.criticalPath.bind(analytics),
    compare: json(analytics.compare.bind(analytics)),

    listErrorGroups: json(errors.listErrorGroups.bind(errors)),
    getErrorGroup: json(errors.getErrorGroup.bind(errors)),
    setErrorGroupStatus: json(errors.setErrorGroupStatus.bind(errors)),

    alertSeries: series.read.bind(series),
    alertListRules: alerts.listRules.bind(alerts),
    alertPutRule: alerts.putRule.bind(alerts),
    alertDeleteRule: alerts.deleteRule.bind(alerts),
    alertReadState: alerts.readState.bind(alerts),
    alertSaveState: alerts.saveState.bind(alerts),
    alertListHistory: alerts.listHistory.bind(alerts),
    alertListSilences: alerts.listSilences.bind(alerts),
    alertPutSilence: alerts.putSilence.bind(alerts),

    listKeys: access.listKeys.bind(access),
    putKey: access.putKey.bind(access),
    revokeKey: access.revokeKey.bind(access),
    sessionSecret: access.sessionSecret.bind(access),
    appendAudit: access.appendAudit.bind(access),
    listAudit: access.listAudit.bind(access),

    listMaskingPolicies: async (): Promise<ProjectMaskingPolicy[]> =>
      (await store.masking.listPolicies()).map(({ projectId, policy, updatedUs }) => ({ projectId, policy: storedMaskingPolicy(policy), updatedUs })),
    /** Saved, and in force for what this thread reads back from the spool received from now on (and, with the one before, for what was received before). */
    putMaskingPolicy: async (projectId: string, policy: MaskingPolicy, nowUs: number): Promise<void> => {
      await store.masking.putPolicy(projectId, JSON.stringify(policy), nowUs);
      masking?.set(projectId, policy);
      options.readBackMasking?.set(projectId, policy, nowUs);
    },
    deleteMaskingPolicy: async (projectId: string, nowUs: number): Promise<boolean> => {
      const deleted = await store.masking.deletePolicy(projectId);
      masking?.set(projectId, null);
      options.readBackMasking?.set(projectId, null, nowUs);
      return deleted;
    },

    // Scores (the REST API): a score sent is masked by its project's policy, as one
    // sent as an OpenTelemetry event is at ingest.
    addScore: json(scores.add.bind(scores)),
    getScore: json(scores.get.bind(scores)),
    listScores: json(scores.list.bind(scores)),
    deleteScore: scores.delete.bind(scores),
    scoresOfTraces: json(scores.ofTraces.bind(scores)),
    // Evaluators (quality/): definitions, runs, the runner lease, complete traces and their targets, scores.
    ...evaluatorCalls(store),
    // Score statistics and comparisons.
    scoreStats: json(analytics.scoreStats.bind(analytics)),
    // Datasets: versioned items, made by hand, by import or from traces.
    datasetCreate: json(datasets.create.bind(datasets)),
    datasetList: json(datasets.list.bind(datasets)),
    datasetGet: json(datasets.get.bind(datasets)),
    datasetDescribe: json(datasets.describe.bind(datasets)),
    datasetDelete: datasets.delete.bind(datasets),
    datasetAddItems: json(datasets.addItems.bind(datasets)),
    datasetItems: json(datasets.listItems.bind(datasets)),
    datasetEditItem: json(datasets.editItem.bind(datasets)),
    datasetDeleteItem: json(datasets.deleteItem.bind(datasets)),
    // Experiments: a row per change of an experiment's state and per run of an item;
    // plain values (not JSON text): the main thread builds the API's answers from them.
    experimentPut: store.experiments.putExperiment.bind(store.experiments),
    experimentGet: store.experiments.getExperiment.bind(store.experiments),
    experimentLatestByName: store.experiments.latestByName.bind(store.experiments),
    experimentList: store.experiments.listExperiments.bind(store.experiments),
    // An experiment's outputs, errors and its SDK's scores are the project's data as its spans are: masked as they would be.
    experimentAddResults: async (projectId: string, results: readonly ExperimentResultRecord[]): Promise<readonly ExperimentResultRecord[]> => {
      const masked = maskedResults(results, masking?.valueMaskerFor(projectId));
      await store.experiments.addResults(projectId, masked);
      return masked;
    },
    experimentResults: store.experiments.listResults.bind(store.experiments),
    experimentTotals: store.experiments.resultTotals.bind(store.experiments),
    // And what they read of items, their traces and recorded calls, a batch at a time.
    ...experimentCalls(store),
    experimentAddScores: (added: readonly ScoreRecord[], writtenUs: number) => {
      const copies = added.map((score) => ({ ...score }));
      for (const score of copies) maskScore(score);
      return store.scores.addScores(copies, writtenUs);
    },
    // Live streams: what was committed after a cursor, for the live hub.
    ...liveCalls(store, queries),
    // Traces of any size: `/tree` as the binary stream, a page of spans a call.
    ...treeStreamCalls(queries.treeStreams),
    // Export: `GET /api/export`'s bytes, a chunk a call.
    ...exportCalls(store.exports),
    // Default alert rules: a new project's, seeded once.
    alertSeedRules: alerts.seedRules.bind(alerts),
    alertRulesSeeded: alerts.rulesSeeded.bind(alerts),
    // Tail sampling: policies, a round's decisions, the late spans' sweep.
    ...samplingCalls(store),
  };
}

export type DbCalls = ReturnType<typeof createDbCalls>;

/** The database thread's calls as the main thread makes them: the same names and arguments, each answer a promise of what its call answers. */
export type DbClient = Remote<DbCalls>;

/** A call whose answer the API sends on as it is: answered as its JSON text, made in the database thread. */
function json<A extends unknown[], T>(call: (...args: A) => Promise<T>): (...args: A) => Promise<Json<T>> {
  return async (...args) => jsonOf(await call(...args));
}

/** The registry in this thread: the API, queries and alerting over a store, without a worker or a build. */
export function inProcessClient(calls: DbCalls): DbClient {
  return inProcessLink<DbQueryProtocol>({ calls, posts: {} }, { transfers: DB_TRANSFERS, errorOf: storeErrorOf }).calls;
}
