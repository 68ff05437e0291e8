import type { Static } from '@sinclair/typebox';
import { agree } from '../../http/answers/agree.js';
import type { DbAnswer } from '../../dbthread/answer-types.js';
import {
  CompareResponse,
  CriticalPath,
  MetricSeriesResponse,
  RealtimeMetrics,
  SessionDetail,
  SessionListResponse,
  SpanStatsResponse,
  TimeseriesResponse,
  UserListResponse,
} from '../../http/answers/model/analytics.js';
import { ErrorGroupDetail, ErrorGroupListResponse } from '../../http/answers/model/errors.js';
import { ScoreStatsResponse } from '../../http/answers/model/score-stats.js';

/** The answers of statistics, sessions, realtime metrics, the critical path and error groups (`analytics-routes.ts`). */

agree<Static<typeof SpanStatsResponse>, DbAnswer<'analytics.spanStats'>>(true);
agree<Static<typeof ScoreStatsResponse>, DbAnswer<'analytics.scoreStats'>>(true);
agree<Static<typeof TimeseriesResponse>, DbAnswer<'analytics.timeseries'>>(true);
agree<Static<typeof CompareResponse>, DbAnswer<'analytics.compare'>>(true);
agree<Static<typeof SessionListResponse>, DbAnswer<'analytics.sessions'>>(true);
agree<Static<typeof SessionDetail>, DbAnswer<'analytics.session'>>(true);
agree<Static<typeof UserListResponse>, DbAnswer<'analytics.users'>>(true);
agree<Static<typeof RealtimeMetrics>, DbAnswer<'analytics.realtime'>>(true);
agree<Static<typeof MetricSeriesResponse>, DbAnswer<'analytics.metricSeries'>>(true);
agree<Static<typeof CriticalPath>, DbAnswer<'analytics.criticalPath'>>(true);
agree<Static<typeof ErrorGroupListResponse>, DbAnswer<'errors.list'>>(true);
agree<Static<typeof ErrorGroupDetail>, DbAnswer<'errors.get'>>(true);
agree<Static<typeof ErrorGroupDetail>, DbAnswer<'errors.setStatus'>>(true);

export {
  CompareResponse,
  CriticalPath,
  ErrorGroupDetail,
  ErrorGroupListResponse,
  MetricSeriesResponse,
  RealtimeMetrics,
  ScoreStatsResponse,
  SessionDetail,
  SessionListResponse,
  SpanStatsResponse,
  TimeseriesResponse,
  UserListResponse,
};
