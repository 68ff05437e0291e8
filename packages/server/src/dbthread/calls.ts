import { SeriesReader } from '../alerting/series.js';
import { AppError } from '../errors.js';
import type { PriceService } from '../pricing/price-service.js';
import { AnalyticsService } from '../query/analytics-service.js';
import { type JsonBytes, jsonAnswerOf } from '../query/json-bytes.js';
import { ErrorService } from '../query/error-service.js';
import { QueryService } from '../query/query-service.js';
import type { MaskingPolicy, ProjectMasking } from '../ingest/masking.js';
import type { Store } from '../store/store.js';

/**
 * Every call the database thread serves, in one registry: the API's queries, prices, analytics
 * and error groups, and the alert engine's series and alert store. The main thread sees it as a
 * {@link DbClient}, typed from this object, so a misspelled or mistyped call does not compile.
 * The same registry runs in process ({@link inProcessClient}) for tests without a worker.
 */
export function createDbCalls(store: Store, pricing: PriceService, masking: ProjectMasking | null = null) {
  const queries = new QueryService(store);
  const analytics = new AnalyticsService(store);
  const errors = new ErrorService(store);
  const series = new SeriesReader(store);
  const alerts = store.alerts;
  const access = store.access;
  return {
    listTraces: queries.listTraces.bind(queries),
    getTrace: queries.getTrace.bind(queries),
    getTraceTree: queries.getTraceTree.bind(queries),
    diffTraces: queries.diffTraces.bind(queries),
    searchTrace: queries.searchTrace.bind(queries),
    getSpan: queries.getSpan.bind(queries),
    getLlmCall: queries.getLlmCall.bind(queries),
    getReplaySource: queries.getReplaySource.bind(queries),
    listServices: queries.listServices.bind(queries),
    listLogs: queries.listLogs.bind(queries),
    listMetrics: queries.listMetrics.bind(queries),
    listMetricPoints: queries.listMetricPoints.bind(queries),

    listPrices: pricing.listPrices.bind(pricing),
    putPrice: pricing.putPrice.bind(pricing),
    deletePrice: pricing.deletePrice.bind(pricing),
    reprice: pricing.reprice.bind(pricing),
    listUnpricedModels: pricing.listUnpricedModels.bind(pricing),

    spanStats: analytics.spanStats.bind(analytics),
    timeseries: analytics.timeseries.bind(analytics),
    realtime: analytics.realtime.bind(analytics),
    listSessions: analytics.listSessions.bind(analytics),
    getSession: analytics.getSession.bind(analytics),
    metricSeries: analytics.metricSeries.bind(analytics),
    criticalPath: analytics.criticalPath.bind(analytics),
    compare: analytics.compare.bind(analytics),

    listErrorGroups: errors.listErrorGroups.bind(errors),
    getErrorGroup: errors.getErrorGroup.bind(errors),
    setErrorGroupStatus: errors.setErrorGroupStatus.bind(errors),

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

    listMaskingPolicies: store.masking.listPolicies.bind(store.masking),
    /** Saved, and in force for what this thread decodes from the spool from now on. */
    putMaskingPolicy: async (projectId: string, policy: string, nowUs: number): Promise<void> => {
      await store.masking.putPolicy(projectId, policy, nowUs);
      masking?.set(projectId, JSON.parse(policy) as MaskingPolicy);
    },
    deleteMaskingPolicy: async (projectId: string): Promise<boolean> => {
      const deleted = await store.masking.deletePolicy(projectId);
      masking?.set(projectId, null);
      return deleted;
    },
  };
}

export type DbCalls = ReturnType<typeof createDbCalls>;
export type DbCallName = keyof DbCalls;

/** A call's answer as it crosses threads: UTF-8 bytes for one the service wrote as such, else JSON text. */
export type JsonAnswer<T> = Awaited<T> extends JsonBytes ? Uint8Array : string;

/**
 * The database thread's calls as the main thread makes them: the same names and arguments, each
 * answering its result as JSON (a string crosses threads far faster than the objects it
 * describes, bytes move without a copy, and the API sends either on as it is). A call without a
 * result answers `null`.
 */
export type DbClient = {
  readonly [K in DbCallName]: (...args: Parameters<DbCalls[K]>) => Promise<JsonAnswer<ReturnType<DbCalls[K]>>>;
};

/** Runs one call of the registry and serializes its answer: what the database thread does with each request. */
export async function answerCall(calls: DbCalls, name: string, args: unknown[]): Promise<string | Uint8Array> {
  if (!Object.hasOwn(calls, name)) throw new AppError('ERR_INTERNAL', `the database thread has no call '${name}'`);
  const call = calls[name as DbCallName] as (...args: unknown[]) => Promise<unknown>;
  return jsonAnswerOf(await call(...args)) ?? 'null';
}

/** A client whose every call goes through `send`, by name (the worker's message channel, say). */
export function clientOver(send: (name: DbCallName, args: unknown[]) => Promise<string | Uint8Array>): DbClient {
  return new Proxy({} as DbClient, {
    get: (_target, name) =>
      // Not a thenable, nor anything else a symbol or `then` lookup expects.
      typeof name === 'string' && name !== 'then' ? (...args: unknown[]) => send(name as DbCallName, args) : undefined,
  });
}

/** The registry in this thread: the API, queries and alerting over a store, without a worker or a build. */
export function inProcessClient(calls: DbCalls): DbClient {
  return clientOver((name, args) => answerCall(calls, name, args));
}
