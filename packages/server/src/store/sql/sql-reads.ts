import type { CompareQuery, ScoreStatsQuery, ScoreStatsRow, SpanStatsQuery, TimeRange, TimeseriesQuery, TraceQuery, TraceSummaryRecord } from '@spoor/model';
import type {
  AlertSeriesQuery,
  AlertSeriesRow,
  SpanToPrice,
  UnpricedModelRecord,
  ErrorGroupQuery,
  ErrorGroupRecord,
  ErrorOccurrenceRow,
  MetricDescriptorRecord, RealtimeRecord, ServiceRecord, SessionRecord, SessionRunRecord, SpanStatsRecord, TimeKey, TimeseriesRow } from '../store.js';
import { alertSeries } from './alert-series.js';
import { realtime, spanStats, spanTimeseries } from './analytics.js';
import { compareScores } from './score-compare.js';
import { scoreStats } from './score-stats.js';
import type { ScoreCompareGroup } from '../ports/score-stats.js';
import type { SqlEngine } from './dialect.js';
import { errorGroupHourly, listErrorGroups, listErrorOccurrences } from './error-groups.js';
import { listMetrics } from './logs-metrics.js';
import { listUnpricedModels, readSpansToPrice } from './pricing.js';
import { listSessionRuns, listSessions } from './sessions.js';
import { listServices, listTraces } from './traces.js';
import { countTraceSpans, countTraceTextBytes } from './trace-bounds.js';

/**
 * The port methods answered by the queries written once, for an engine's store to inherit: the
 * store gives its `SqlEngine` (its dialect and how it reads rows) and implements the rest.
 */
export abstract class SqlReads {
  protected abstract readonly sql: SqlEngine;

  listTraces(query: TraceQuery, after: TimeKey | null, limit: number): Promise<TraceSummaryRecord[]> {
    return listTraces(this.sql, query, after, limit);
  }

  countTraceSpans(projectId: string, traceId: string): Promise<number> {
    return countTraceSpans(this.sql, projectId, traceId);
  }

  countTraceTextBytes(projectId: string, traceId: string): Promise<number> {
    return countTraceTextBytes(this.sql, projectId, traceId);
  }

  listServices(projectId: string, range: TimeRange): Promise<ServiceRecord[]> {
    return listServices(this.sql, projectId, range);
  }

  listMetrics(projectId: string, range: TimeRange): Promise<MetricDescriptorRecord[]> {
    return listMetrics(this.sql, projectId, range);
  }

  spanStats(query: SpanStatsQuery): Promise<SpanStatsRecord[]> {
    return spanStats(this.sql, query);
  }

  spanTimeseries(query: TimeseriesQuery): Promise<TimeseriesRow[]> {
    return spanTimeseries(this.sql, query);
  }

  realtime(projectId: string, service: string | null, nowUs: number): Promise<RealtimeRecord> {
    return realtime(this.sql, projectId, service, nowUs);
  }

  listSessions(projectId: string, range: TimeRange, offset: number, limit: number): Promise<SessionRecord[]> {
    return listSessions(this.sql, projectId, range, offset, limit);
  }

  listSessionRuns(projectId: string, sessionId: string, range: TimeRange): Promise<SessionRunRecord[]> {
    return listSessionRuns(this.sql, projectId, sessionId, range);
  }

  listErrorGroups(query: ErrorGroupQuery, offset: number, limit: number): Promise<ErrorGroupRecord[]> {
    return listErrorGroups(this.sql, query, offset, limit);
  }

  errorGroupHourly(projectId: string, fingerprints: readonly string[], range: TimeRange): Promise<Array<{ fingerprint: string; hourUs: number; count: number }>> {
    return errorGroupHourly(this.sql, projectId, fingerprints, range);
  }

  listErrorOccurrences(projectId: string, fingerprint: string, range: TimeRange, limit: number): Promise<ErrorOccurrenceRow[]> {
    return listErrorOccurrences(this.sql, projectId, fingerprint, range, limit);
  }

  scoreStats(query: ScoreStatsQuery): Promise<ScoreStatsRow[]> {
    return scoreStats(this.sql, query);
  }

  compareScores(query: CompareQuery): Promise<ScoreCompareGroup[]> {
    return compareScores(this.sql, query);
  }

  alertSeries(query: AlertSeriesQuery): Promise<AlertSeriesRow[]> {
    return alertSeries(this.sql, query);
  }

  listUnpricedModels(projectId: string, range: TimeRange): Promise<UnpricedModelRecord[]> {
    return listUnpricedModels(this.sql, projectId, range);
  }

  readSpansToPrice(projectId: string, range: TimeRange): Promise<SpanToPrice[]> {
    return readSpansToPrice(this.sql, projectId, range);
  }
}
