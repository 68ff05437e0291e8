import type { ScoreRecord } from '@spoor/model';
import { jsonCall as json } from '../json.js';
import type { Store } from '../store/store.js';
import { callGroup } from '../threads/groups.js';
import { AnalyticsService } from './analytics-service.js';
import { AnswerRegion, isShared } from './answer-region.js';
import { ErrorService } from './error-service.js';
import type { QueryService } from './query-service.js';
import { rubricMisfit } from '../queues/score-configs.js';
import { ScoreService } from './score-service.js';
import type { SpanPage } from './trace-pages.js';

/**
 * The reads the API makes on the database thread, a group per thing read: traces, logs, metrics,
 * analytics, error groups, scores. What the API sends on as it is is answered as its JSON
 * (`Json<T>` text, or `JsonUtf8<T>` bytes that move uncopied); the rest as values.
 */

// An answer written as bytes owns its ArrayBuffer (`JsonWriter`): it moves, uncopied; one in the
// shared answer region (`AnswerRegion`) is shared, not moved.
const ownBuffer = (bytes: Uint8Array): ArrayBuffer[] => (isShared(bytes) ? [] : [bytes.buffer as ArrayBuffer]);

export const traceCalls = callGroup(
  ({ queries }: { queries: QueryService }) => {
    const region = new AnswerRegion();
    return {
      list: json(queries.listTraces.bind(queries)),
      // `shared`: a large whole answer may come in the answer region, which the caller gives back once it sent it.
      get: (projectId: string, traceId: string, page: SpanPage | null = null, shared?: boolean) =>
        queries.getTrace(projectId, traceId, page, shared === true ? region : null),
      releaseAnswerRegion: async (): Promise<void> => region.release(),
      tree: queries.getTraceTree.bind(queries),
      diff: json(queries.diffTraces.bind(queries)),
      search: json(queries.searchTrace.bind(queries)),
      span: queries.getSpan.bind(queries),
      llmCall: json(queries.getLlmCall.bind(queries)),
      replaySource: queries.getReplaySource.bind(queries),
      services: json(queries.listServices.bind(queries)),
    };
  },
  { answers: { get: ownBuffer, tree: ownBuffer, span: ownBuffer } },
);

export const logCalls = callGroup(({ queries }: { queries: QueryService }) => ({ list: json(queries.listLogs.bind(queries)) }));

export const metricCalls = callGroup(
  ({ queries }: { queries: QueryService }) => ({ list: json(queries.listMetrics.bind(queries)), points: queries.listMetricPoints.bind(queries) }),
  { answers: { points: ownBuffer } },
);

export const analyticsCalls = callGroup(
  ({ store }: { store: Store }) => {
    const analytics = new AnalyticsService(store);
    return {
      spanStats: json(analytics.spanStats.bind(analytics)),
      timeseries: json(analytics.timeseries.bind(analytics)),
      realtime: json(analytics.realtime.bind(analytics)),
      sessions: json(analytics.listSessions.bind(analytics)),
      session: json(analytics.getSession.bind(analytics)),
      users: json(analytics.listUsers.bind(analytics)),
      metricSeries: json(analytics.metricSeries.bind(analytics)),
      criticalPath: analytics.criticalPath.bind(analytics),
      compare: json(analytics.compare.bind(analytics)),
      /** Score statistics and comparisons. */
      scoreStats: json(analytics.scoreStats.bind(analytics)),
    };
  },
  { answers: { criticalPath: ownBuffer } },
);

export const errorGroupCalls = callGroup(({ store }: { store: Store }) => {
  const errors = new ErrorService(store.errors);
  return {
    list: json(errors.listErrorGroups.bind(errors)),
    get: json(errors.getErrorGroup.bind(errors)),
    setStatus: json(errors.setErrorGroupStatus.bind(errors)),
  };
});

/** Scores through the REST API: a score sent is masked by its project's policy, as one sent as an OpenTelemetry event is at ingest. */
export const scoreCalls = callGroup(({ store, maskScore }: { store: Store; maskScore: (score: ScoreRecord) => void }) => {
  // Checked in the same call as it is stored: a name that is a rubric entry of the project's queues must fit it.
  const scores = new ScoreService(store, maskScore, (projectId, score) => rubricMisfit(store.queues, projectId, score));
  return {
    add: json(scores.add.bind(scores)),
    get: json(scores.get.bind(scores)),
    list: json(scores.list.bind(scores)),
    delete: scores.delete.bind(scores),
    ofTraces: json(scores.ofTraces.bind(scores)),
  };
});
