import type {
  CompareQuery,
  ErrorGroupStatus,
  MetricPointQuery,
  MetricPointRecord,
  ModelPrice,
  ScoreStatsQuery,
  ScoreStatsRow,
  SpanStatsQuery,
  TimeRange,
  TimeseriesQuery,
  TraceQuery,
  TraceSummaryRecord,
} from '@spoor/model';
import type {
  AlertSeriesQuery,
  AlertSeriesReader,
  AlertSeriesRow,
  AnalyticsReader,
  CompareSideRecord,
  ErrorGroupQuery,
  ErrorGroupRecord,
  ErrorOccurrenceRow,
  ErrorStore,
  MetricDescriptorRecord,
  MetricReader,
  PriceStore,
  RealtimeRecord,
  RepriceResult,
  ScoreStatsReader,
  ServiceRecord,
  SessionRecord,
  SessionRunRecord,
  UserRecord,
  SpanCost,
  SpanStatsRecord,
  SpanToPrice,
  TimeKey,
  TimeseriesRow,
  TraceReader,
  TreeKey,
  TreePage,
  UnpricedModelRecord,
} from '../store.js';
import type { StoredLog, StoredTrace, StoredTraceBytes } from '../stored-trace.js';
import type { TraceTimings } from '../trace-timings.js';
import type { TraceSize } from '../ports/traces.js';
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
import { listUsers, userTraces } from './users.js';
import { listServices, listTraces } from './traces.js';
import { traceSize } from './trace-bounds.js';

/*
 * The ports, or the part of each, answered by the queries written once: an engine's port
 * extends its class here, giving its `SqlEngine` (its dialect and how it reads rows), and
 * implements the rest (declared abstract here).
 */

/** The trace reads written once: the list, counts, services; an engine reads a trace itself. */
export abstract class SqlTraceReader implements TraceReader {
  constructor(protected readonly sql: SqlEngine) {}

  listTraces(query: TraceQuery, after: TimeKey | null, limit: number): Promise<TraceSummaryRecord[]> {
    return listTraces(this.sql, query, after, limit);
  }

  traceSize(projectId: string, traceId: string): Promise<TraceSize> {
    return traceSize(this.sql, projectId, traceId);
  }

  listServices(projectId: string, range: TimeRange): Promise<ServiceRecord[]> {
    return listServices(this.sql, projectId, range);
  }

  abstract getTrace(projectId: string, traceId: string, spanId?: string): Promise<StoredTrace | null>;
  abstract getTraceBytes(projectId: string, traceId: string, lend?: () => Buffer | null, bounds?: TraceSize['bounds']): Promise<StoredTraceBytes | null>;
  abstract getTraceSpans(projectId: string, traceId: string, spanIds: readonly string[], traceLogs: boolean): Promise<StoredTraceBytes>;
  abstract getTreePage(projectId: string, traceId: string, after: TreeKey | null, limit: number): Promise<TreePage>;
  abstract getTraceLogs(projectId: string, traceId: string, bounds?: TraceSize['bounds']): Promise<StoredLog[]>;
  abstract searchTrace(projectId: string, traceId: string, text: string, limit: number): Promise<string[]>;
  abstract getTraceTimings(projectId: string, traceId: string): Promise<TraceTimings | null>;
}

/** The metric list written once; an engine reads the points itself. */
export abstract class SqlMetricReader implements MetricReader {
  constructor(protected readonly sql: SqlEngine) {}

  listMetrics(projectId: string, range: TimeRange): Promise<MetricDescriptorRecord[]> {
    return listMetrics(this.sql, projectId, range);
  }

  abstract listMetricPoints(query: MetricPointQuery, offset: number, limit: number): Promise<MetricPointRecord[]>;
  abstract readMetricPoints(projectId: string, names: readonly string[], range: TimeRange, service: string | null): Promise<MetricPointRecord[]>;
}

/** The analytics written once; an engine compares two sides itself. */
export abstract class SqlAnalyticsReader implements AnalyticsReader {
  constructor(protected readonly sql: SqlEngine) {}

  spanStats(query: SpanStatsQuery): Promise<SpanStatsRecord[]> {
    return spanStats(this.sql, query);
  }

  spanTimeseries(query: TimeseriesQuery): Promise<TimeseriesRow[]> {
    return spanTimeseries(this.sql, query);
  }

  realtime(projectId: string, service: string | null, nowUs: number): Promise<RealtimeRecord> {
    return realtime(this.sql, projectId, service, nowUs);
  }

  listSessions(projectId: string, range: TimeRange, offset: number, limit: number, user: string | null = null): Promise<SessionRecord[]> {
    return listSessions(this.sql, projectId, range, offset, limit, user);
  }

  listSessionRuns(projectId: string, sessionId: string, range: TimeRange): Promise<SessionRunRecord[]> {
    return listSessionRuns(this.sql, projectId, sessionId, range);
  }

  listUsers(projectId: string, range: TimeRange, offset: number, limit: number): Promise<UserRecord[]> {
    return listUsers(this.sql, projectId, range, offset, limit);
  }

  userTraces(projectId: string, userIds: readonly string[], range: TimeRange): Promise<Map<string, string[]>> {
    return userTraces(this.sql, projectId, userIds, range);
  }

  abstract compareSpans(query: CompareQuery, read?: () => void): Promise<CompareSideRecord[]>;
}

/** The error group reads written once; an engine saves a group's status itself. */
export abstract class SqlErrorStore implements ErrorStore {
  constructor(protected readonly sql: SqlEngine) {}

  listErrorGroups(query: ErrorGroupQuery, offset: number, limit: number): Promise<ErrorGroupRecord[]> {
    return listErrorGroups(this.sql, query, offset, limit);
  }

  errorGroupHourly(
    projectId: string,
    fingerprints: readonly string[],
    range: TimeRange,
  ): Promise<Array<{ fingerprint: string; hourUs: number; count: number }>> {
    return errorGroupHourly(this.sql, projectId, fingerprints, range);
  }

  listErrorOccurrences(projectId: string, fingerprint: string, range: TimeRange, limit: number): Promise<ErrorOccurrenceRow[]> {
    return listErrorOccurrences(this.sql, projectId, fingerprint, range, limit);
  }

  abstract setErrorGroupStatus(projectId: string, fingerprint: string, status: ErrorGroupStatus, nowUs: number): Promise<void>;
}

/** Alert series, read whole from the records each time. */
export class SqlAlertSeriesReader implements AlertSeriesReader {
  /** `background`: the engine an alert round's reads go through (`AlertSeriesQuery.background`). */
  constructor(
    protected readonly sql: SqlEngine,
    private readonly background: SqlEngine = sql,
  ) {}

  read(query: AlertSeriesQuery): Promise<AlertSeriesRow[]> {
    return alertSeries(query.background === true ? this.background : this.sql, query);
  }
}

/** Score statistics and comparisons, the same on every engine. */
export class SqlScoreStatsReader implements ScoreStatsReader {
  constructor(protected readonly sql: SqlEngine) {}

  stats(query: ScoreStatsQuery): Promise<ScoreStatsRow[]> {
    return scoreStats(this.sql, query);
  }

  compare(query: CompareQuery): Promise<ScoreCompareGroup[]> {
    return compareScores(this.sql, query);
  }
}

/** The price reads written once; an engine keeps prices and sets span costs itself. */
export abstract class SqlPriceStore implements PriceStore {
  constructor(protected readonly sql: SqlEngine) {}

  listUnpricedModels(projectId: string, range: TimeRange): Promise<UnpricedModelRecord[]> {
    return listUnpricedModels(this.sql, projectId, range);
  }

  readSpansToPrice(projectId: string, range: TimeRange): Promise<SpanToPrice[]> {
    return readSpansToPrice(this.sql, projectId, range);
  }

  abstract listModelPrices(projectId: string): Promise<ModelPrice[]>;
  abstract putModelPrice(projectId: string, price: ModelPrice, updatedUs: number): Promise<void>;
  abstract deleteModelPrice(projectId: string, model: string): Promise<boolean>;
  abstract setSpanCosts(projectId: string, costs: readonly SpanCost[]): Promise<RepriceResult>;
}
