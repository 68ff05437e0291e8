import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ERROR_GROUP_STATUSES, METRIC_SERIES_FNS, SCORE_STATS_GROUPS, TIMESERIES_METRICS, type SpanFilter } from '@spoor/model';
import type { FastifyInstance } from 'fastify';
import type { DbClient } from '../dbthread/calls.js';
import { DAY_US, HOUR_US, MINUTE_US, SECOND_US } from '../duration.js';
import {
  closedRange,
  duration,
  spanFilterFields,
  durationUs,
  FINGERPRINT,
  groupBy,
  groupByOf,
  hexId,
  invalid,
  limit,
  LIST_LIMIT,
  oneOf,
  originOf,
  RANGE_QUERY,
  text,
  TIME_RANGE,
  timeRange,
  TRACE_PATH,
} from '../params/parameters.js';
import { ANALYTICS_FILTER, type AnalyticsFilterQuery, ERROR_LIST, GROUPS_LIMIT, SESSION_LIST, SESSION_WINDOW, SPAN_STATS } from '../params/queries.js';
import { projectOf } from '../http/request-access.js';
import {
  CompareResponse,
  CriticalPath,
  ErrorGroupDetail,
  ErrorGroupListResponse,
  MetricSeriesResponse,
  RealtimeMetrics,
  ScoreStatsResponse,
  SessionDetail,
  SessionListResponse,
  UserListResponse,
  SpanStatsResponse,
  TimeseriesResponse,
} from './answers/analytics.js';
import { sendJson } from './trace-routes.js';

/**
 * Statistics, charts, comparisons, sessions, realtime numbers, app metric series, error groups
 * and critical paths. Open ranges get a default span of time ending now, so a bare request never
 * scans everything ever stored.
 */

const SERIES_LIMIT = { fallback: 10, max: 50 };

const TIMESERIES = Type.Object(
  {
    ...ANALYTICS_FILTER,
    metric: Type.Optional(oneOf([...TIMESERIES_METRICS], { description: 'what each bucket holds (default count)' })),
    step: duration('bucket width (default: the nice step giving about 120 buckets)'),
    groupBy: groupBy('one series per group'),
    limit: limit(SERIES_LIMIT),
  },
  { additionalProperties: false },
);
const COMPARE = Type.Object(
  {
    ...ANALYTICS_FILTER,
    by: groupBy('what tells the sides apart (default service.version)'),
    a: Type.String({ description: 'the value of `by` on the first side (e.g. the old release)' }),
    b: Type.String({ description: 'the value of `by` on the second side (e.g. the new release)' }),
    limit: limit(GROUPS_LIMIT),
  },
  { additionalProperties: false },
);
const SCORE_STATS = Type.Object(
  {
    ...TIME_RANGE,
    by: Type.Optional(oneOf([...SCORE_STATS_GROUPS], { description: `per score name, grouped by ${SCORE_STATS_GROUPS.join(', ')} (default name)` })),
    name: Type.Optional(text('only scores of this name')),
    limit: limit(GROUPS_LIMIT),
  },
  { additionalProperties: false },
);
const REALTIME = Type.Object({ service: Type.Optional(text('service name')) }, { additionalProperties: false });
const METRIC_SERIES = Type.Object(
  {
    name: text("the metric's name"),
    fn: oneOf([...METRIC_SERIES_FNS], { description: `one of ${METRIC_SERIES_FNS.join(', ')}` }),
    ...TIME_RANGE,
    step: duration('distance between points (default: about 120 points)'),
    window: duration('what each point looks back over (default one step, at least 1m)'),
    groupBy: Type.Optional(text('a label: one series per value (the 50 largest)')),
    service: Type.Optional(text('service name')),
  },
  { additionalProperties: false },
);
const FINGERPRINT_PATH = Type.Object({ fingerprint: FINGERPRINT });
const SESSION_PATH = Type.Object({ sessionId: Type.String({ description: 'the session id the app chose' }) });
const ERROR_UPDATE = Type.Object(
  { status: oneOf([...ERROR_GROUP_STATUSES], { description: 'the new status' }) },
  { title: 'Error group update', additionalProperties: false, 'x-error-code': 'ERR_INVALID_PARAMETER' },
);

/** Most buckets a chart may ask for. */
const MAX_BUCKETS = 10_000;
/** Steps an unspecified step is picked from: the smallest giving at most ~120 buckets. */
const NICE_STEPS_US = [1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 10800, 21600, 43200, 86400].map((s) => s * SECOND_US);

/** The step: as asked, or the smallest nice step that gives at most about 120 buckets. */
function stepUs(asked: string | undefined, range: { fromUs: number; toUs: number }): number {
  const span = range.toUs - range.fromUs;
  const step = durationUs(asked, 'step') ?? NICE_STEPS_US.find((s) => span / s <= 120) ?? DAY_US;
  if (span / step > MAX_BUCKETS) throw invalid('step', `gives ${Math.ceil(span / step)} buckets over the range; at most ${MAX_BUCKETS}`);
  return step;
}

function spanFilterOf(q: AnalyticsFilterQuery, projectId: string, range: SpanFilter['range']): SpanFilter {
  return {
    projectId,
    range,
    ...spanFilterFields(q),
    kind: q.kind ?? null,
    category: q.category ?? null,
    rootOnly: q.root === true,
    origin: originOf(q),
  };
}

export interface AnalyticsRoutesOptions {
  /** The database thread's calls. */
  db: DbClient;
  /** The clock: epoch microseconds. Windows that end "now" end here. */
  nowUs: () => number;
}

export async function analyticsRoutes(instance: FastifyInstance, options: AnalyticsRoutesOptions): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, nowUs } = options;
  const tags = ['analytics'];

  app.get(
    '/api/stats/spans',
    { schema: { summary: 'Per-group span statistics', tags, querystring: SPAN_STATS, response: { 200: SpanStatsResponse } } },
    async (request, reply) => {
      const q = request.query;
      const filter = spanFilterOf(q, projectOf(request), closedRange(q, nowUs(), DAY_US));
      return sendJson(
        reply,
        await db.analytics.spanStats({ filter, groupBy: groupByOf(q.groupBy) ?? { column: 'name' }, limit: q.limit ?? GROUPS_LIMIT.fallback }),
      );
    },
  );
  app.get(
    '/api/stats/scores',
    {
      schema: {
        summary: 'Per score name (and group) the count, mean, p50, p90 and labels of scores',
        tags,
        querystring: SCORE_STATS,
        response: { 200: ScoreStatsResponse },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const range = closedRange(q, nowUs(), DAY_US);
      return sendJson(
        reply,
        await db.analytics.scoreStats({
          projectId: projectOf(request),
          range,
          by: q.by ?? 'name',
          name: q.name ?? null,
          limit: q.limit ?? GROUPS_LIMIT.fallback,
        }),
      );
    },
  );
  app.get(
    '/api/stats/timeseries',
    { schema: { summary: 'One chart of span statistics, every bucket present', tags, querystring: TIMESERIES, response: { 200: TimeseriesResponse } } },
    async (request, reply) => {
      const q = request.query;
      const range = closedRange(q, nowUs(), HOUR_US);
      return sendJson(
        reply,
        await db.analytics.timeseries({
          filter: spanFilterOf(q, projectOf(request), range),
          metric: q.metric ?? 'count',
          stepUs: stepUs(q.step, range),
          groupBy: groupByOf(q.groupBy),
          limit: q.limit ?? SERIES_LIMIT.fallback,
        }),
      );
    },
  );
  app.get(
    '/api/stats/compare',
    {
      schema: {
        summary: 'Two sides (releases) compared per span name, with significance tests',
        tags,
        querystring: COMPARE,
        response: { 200: CompareResponse },
      },
    },
    async (request, reply) => {
      const q = request.query;
      if (q.a === q.b) throw invalid('b', "must differ from 'a'");
      const filter = spanFilterOf(q, projectOf(request), closedRange(q, nowUs(), 7 * DAY_US));
      return sendJson(
        reply,
        await db.analytics.compare({
          filter,
          by: groupByOf(q.by) ?? { attribute: 'service.version' },
          a: q.a,
          b: q.b,
          limit: q.limit ?? GROUPS_LIMIT.fallback,
        }),
      );
    },
  );

  app.get(
    '/api/sessions',
    {
      schema: {
        summary: 'Sessions with runs, failures, cost and users',
        tags: ['sessions'],
        querystring: SESSION_LIST,
        response: { 200: SessionListResponse },
      },
    },
    async (request, reply) => {
      const q = request.query;
      return sendJson(
        reply,
        await db.analytics.sessions(projectOf(request), closedRange(q, nowUs(), 7 * DAY_US), q.limit ?? LIST_LIMIT.fallback, q.cursor ?? null, q.user ?? null),
      );
    },
  );
  app.get(
    '/api/users',
    {
      schema: {
        summary: "The sessions' users with their sessions, runs, failures, cost and first and last seen",
        tags: ['sessions'],
        querystring: SESSION_LIST,
        response: { 200: UserListResponse },
      },
    },
    async (request, reply) => {
      const q = request.query;
      return sendJson(
        reply,
        await db.analytics.users(projectOf(request), closedRange(q, nowUs(), 7 * DAY_US), q.limit ?? LIST_LIMIT.fallback, q.cursor ?? null),
      );
    },
  );
  app.get(
    '/api/sessions/:sessionId',
    {
      schema: {
        summary: "One session's runs and their summary",
        tags: ['sessions'],
        params: SESSION_PATH,
        querystring: SESSION_WINDOW,
        response: { 200: SessionDetail },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const now = nowUs();
      if (q.hours !== undefined && (q.from !== undefined || q.to !== undefined)) throw invalid('hours', "cannot be given with 'from' or 'to'");
      const window = q.hours === undefined ? closedRange(q, now, DAY_US) : { fromUs: now - q.hours * HOUR_US, toUs: now };
      return sendJson(reply, await db.analytics.session(projectOf(request), request.params.sessionId, window));
    },
  );

  app.get(
    '/api/metrics/realtime',
    {
      schema: {
        summary: 'Requests, latency, errors, tokens and cost of the last minutes',
        tags: ['metrics'],
        querystring: REALTIME,
        response: { 200: RealtimeMetrics },
      },
    },
    async (request, reply) => sendJson(reply, await db.analytics.realtime(projectOf(request), request.query.service ?? null, nowUs())),
  );
  app.get(
    '/api/metrics/series',
    { schema: { summary: 'An app metric as a chart', tags: ['metrics'], querystring: METRIC_SERIES, response: { 200: MetricSeriesResponse } } },
    async (request, reply) => {
      const q = request.query;
      const range = closedRange(q, nowUs(), HOUR_US);
      const step = stepUs(q.step, range);
      return sendJson(
        reply,
        await db.analytics.metricSeries({
          projectId: projectOf(request),
          name: q.name,
          fn: q.fn,
          fromUs: range.fromUs,
          // Values are taken at multiples of the step; the last one at or after `to`, so the newest
          // points are in the chart.
          toUs: Math.ceil(range.toUs / step) * step,
          stepUs: step,
          // A window of one step by default: every point counts in exactly one value.
          windowUs: durationUs(q.window, 'window') ?? Math.max(step, MINUTE_US),
          groupBy: q.groupBy ?? null,
          service: q.service ?? null,
        }),
      );
    },
  );

  app.get(
    '/api/traces/:traceId/critical-path',
    { schema: { summary: "The chain of spans that decided the trace's duration", tags: ['traces'], params: TRACE_PATH, response: { 200: CriticalPath } } },
    async (request, reply) => sendJson(reply, await db.analytics.criticalPath(projectOf(request), hexId(request.params.traceId))),
  );

  app.get(
    '/api/errors',
    { schema: { summary: 'Error groups', tags: ['errors'], querystring: ERROR_LIST, response: { 200: ErrorGroupListResponse } } },
    async (request, reply) => {
      const q = request.query;
      const query = {
        projectId: projectOf(request),
        range: timeRange(q),
        status: q.status ?? null,
        service: q.service ?? null,
        sort: q.sort ?? 'lastSeen',
        limit: q.limit ?? LIST_LIMIT.fallback,
        cursor: q.cursor ?? null,
      } as const;
      return sendJson(reply, await db.errors.list(query, nowUs()));
    },
  );
  app.get(
    '/api/errors/:fingerprint',
    {
      schema: {
        summary: 'One error group with its newest occurrences',
        tags: ['errors'],
        params: FINGERPRINT_PATH,
        querystring: RANGE_QUERY,
        response: { 200: ErrorGroupDetail },
      },
    },
    async (request, reply) => sendJson(reply, await db.errors.get(projectOf(request), request.params.fingerprint, timeRange(request.query), nowUs())),
  );
  app.patch(
    '/api/errors/:fingerprint',
    {
      schema: {
        summary: 'Resolve, ignore or reopen an error group',
        tags: ['errors'],
        params: FINGERPRINT_PATH,
        body: ERROR_UPDATE,
        response: { 200: ErrorGroupDetail },
      },
    },
    async (request, reply) => sendJson(reply, await db.errors.setStatus(projectOf(request), request.params.fingerprint, request.body.status, nowUs())),
  );
}
