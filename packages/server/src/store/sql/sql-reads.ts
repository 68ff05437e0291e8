import type { SpanStatsQuery, TimeseriesQuery } from '@spoor/model';
import type { RealtimeRecord, SpanStatsRecord, TimeseriesRow } from '../store.js';
import { realtime, spanStats, spanTimeseries } from './analytics.js';
import type { SqlEngine } from './dialect.js';

/**
 * The port methods answered by the queries written once, for an engine's store to inherit: the
 * store gives its `SqlEngine` (its dialect and how it reads rows) and implements the rest.
 */
export abstract class SqlReads {
  protected abstract readonly sql: SqlEngine;

  spanStats(query: SpanStatsQuery): Promise<SpanStatsRecord[]> {
    return spanStats(this.sql, query);
  }

  spanTimeseries(query: TimeseriesQuery): Promise<TimeseriesRow[]> {
    return spanTimeseries(this.sql, query);
  }

  realtime(projectId: string, service: string | null, nowUs: number): Promise<RealtimeRecord> {
    return realtime(this.sql, projectId, service, nowUs);
  }
}
