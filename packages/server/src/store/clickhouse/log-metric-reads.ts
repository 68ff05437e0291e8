import type { LogQuery, LogRecordData, MetricPointQuery, MetricPointRecord, TimeRange } from '@spoor/model';
import type { MetricDescriptorRecord, TimeKey } from '../store.js';
import { type ChClient, notYet } from './client.js';

/** Logs and app metrics. */

export function listLogs(ch: ChClient, query: LogQuery, after: TimeKey | null, limit: number): Promise<LogRecordData[]> {
  return notYet('listLogs', ch, query, after, limit);
}

export function listMetrics(ch: ChClient, projectId: string, range: TimeRange): Promise<MetricDescriptorRecord[]> {
  return notYet('listMetrics', ch, projectId, range);
}

export function listMetricPoints(ch: ChClient, query: MetricPointQuery, offset: number, limit: number): Promise<MetricPointRecord[]> {
  return notYet('listMetricPoints', ch, query, offset, limit);
}

export function readMetricPoints(ch: ChClient, projectId: string, names: readonly string[], range: TimeRange, service: string | null): Promise<MetricPointRecord[]> {
  return notYet('readMetricPoints', ch, projectId, names, range, service);
}
