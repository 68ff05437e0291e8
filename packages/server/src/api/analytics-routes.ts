import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DbClient } from '../dbthread/calls.js';
import {
  compareQueryFrom,
  errorListQueryFrom,
  errorStatusFrom,
  fingerprint,
  metricSeriesQueryFrom,
  realtimeServiceFrom,
  sessionWindowFrom,
  sessionListFrom,
  spanStatsQueryFrom,
  timeseriesQueryFrom,
} from './analytics-params.js';
import { type QueryString, invalid, rangeQueryFrom, rejectUnknown, traceId } from './params.js';
import { projectOf } from './request-access.js';

export interface AnalyticsRoutesOptions {
  /** The database thread's calls. */
  db: DbClient;
  /** The clock: epoch microseconds. Windows that end "now" end here. */
  nowUs: () => number;
}

/** Statistics, charts, sessions, realtime numbers, app metric series, error groups, critical paths, comparisons. */
export async function analyticsRoutes(app: FastifyInstance, options: AnalyticsRoutesOptions): Promise<void> {
  const { db, nowUs } = options;
  const json = (reply: FastifyReply, body: string): FastifyReply => reply.type('application/json; charset=utf-8').send(body);
  const q = (request: { query: unknown }): QueryString => request.query as QueryString;

  app.get('/api/stats/spans', async (request, reply) => json(reply, await db.spanStats(spanStatsQueryFrom(q(request), projectOf(request), nowUs()))));
  app.get('/api/stats/timeseries', async (request, reply) =>
    json(reply, await db.timeseries(timeseriesQueryFrom(q(request), projectOf(request), nowUs()))),
  );
  app.get('/api/stats/compare', async (request, reply) => json(reply, await db.compare(compareQueryFrom(q(request), projectOf(request), nowUs()))));

  app.get('/api/sessions', async (request, reply) => {
    const { range, limit, cursor } = sessionListFrom(q(request), nowUs());
    return json(reply, await db.listSessions(projectOf(request), range, limit, cursor));
  });
  app.get<{ Params: { sessionId: string } }>('/api/sessions/:sessionId', async (request, reply) =>
    json(reply, await db.getSession(projectOf(request), request.params.sessionId, sessionWindowFrom(q(request), nowUs()))),
  );

  app.get('/api/metrics/realtime', async (request, reply) => json(reply, await db.realtime(projectOf(request), realtimeServiceFrom(q(request)), nowUs())));
  app.get('/api/metrics/series', async (request, reply) => json(reply, await db.metricSeries(metricSeriesQueryFrom(q(request), projectOf(request), nowUs()))));

  app.get<{ Params: { traceId: string } }>('/api/traces/:traceId/critical-path', async (request, reply) => {
    rejectUnknown(q(request), []);
    return json(reply, await db.criticalPath(projectOf(request), traceId(request.params.traceId)));
  });

  app.get('/api/errors', async (request, reply) => json(reply, await db.listErrorGroups(errorListQueryFrom(q(request), projectOf(request)), nowUs())));
  app.get<{ Params: { fingerprint: string } }>('/api/errors/:fingerprint', async (request, reply) =>
    json(reply, await db.getErrorGroup(projectOf(request), fingerprint(request.params.fingerprint), rangeQueryFrom(q(request)), nowUs())),
  );
  app.patch<{ Params: { fingerprint: string } }>('/api/errors/:fingerprint', async (request, reply) => {
    rejectUnknown(q(request), []);
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'must be a JSON object like {"status":"resolved"}');
    const status = errorStatusFrom(body as Record<string, unknown>);
    return json(reply, await db.setErrorGroupStatus(projectOf(request), fingerprint(request.params.fingerprint), status, nowUs()));
  });
}
