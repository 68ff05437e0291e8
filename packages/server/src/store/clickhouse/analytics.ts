import type { SpanStatsQuery, TimeseriesQuery } from '@spoor/model';
import type { RealtimeRecord, SpanStatsRecord, TimeseriesRow } from '../store.js';
import { type ChClient, notYet } from './client.js';

/** Span statistics, charts and the realtime numbers. */

export function spanStats(ch: ChClient, query: SpanStatsQuery): Promise<SpanStatsRecord[]> {
  return notYet('spanStats', ch, query);
}

export function spanTimeseries(ch: ChClient, query: TimeseriesQuery): Promise<TimeseriesRow[]> {
  return notYet('spanTimeseries', ch, query);
}

export function realtime(ch: ChClient, projectId: string, service: string | null, nowUs: number): Promise<RealtimeRecord> {
  return notYet('realtime', ch, projectId, service, nowUs);
}
