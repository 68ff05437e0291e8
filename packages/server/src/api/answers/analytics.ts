import type { Static } from '@sinclair/typebox';
import { agree } from './agree.js';
import type { DbAnswer } from './db.js';
import {
  CompareResponse,
  CriticalPath,
  MetricSeriesResponse,
  RealtimeMetrics,
  SessionDetail,
  SessionListResponse,
  SpanStatsResponse,
  TimeseriesResponse,
} from './model/analytics.js';
import { ErrorGroupDetail, ErrorGroupListResponse } from './model/errors.js';
import { ScoreStatsResponse } from './model/score-stats.js';

/** The answers of statistics, sessions, realtime metrics, the critical path and error groups (`analytics-routes.ts`). */

agree<Static<typeof SpanStatsResponse>, DbAnswer<'spanStats'>>(true);
agree<Static<typeof ScoreStatsResponse>, DbAnswer<'scoreStats'>>(true);
agree<Static<typeof TimeseriesResponse>, DbAnswer<'timeseries'>>(true);
agree<Static<typeof CompareResponse>, DbAnswer<'compare'>>(true);
agree<Static<typeof SessionListResponse>, DbAnswer<'listSessions'>>(true);
agree<Static<typeof SessionDetail>, DbAnswer<'getSession'>>(true);
agree<Static<typeof RealtimeMetrics>, DbAnswer<'realtime'>>(true);
agree<Static<typeof MetricSeriesResponse>, DbAnswer<'metricSeries'>>(true);
agree<Static<typeof CriticalPath>, DbAnswer<'criticalPath'>>(true);
agree<Static<typeof ErrorGroupListResponse>, DbAnswer<'listErrorGroups'>>(true);
agree<Static<typeof ErrorGroupDetail>, DbAnswer<'getErrorGroup'>>(true);
agree<Static<typeof ErrorGroupDetail>, DbAnswer<'setErrorGroupStatus'>>(true);

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
};
