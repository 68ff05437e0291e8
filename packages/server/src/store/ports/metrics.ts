import type { MetricPointQuery, MetricPointRecord, MetricType, TimeRange } from '@spoor/model';

export interface MetricDescriptorRecord {
  name: string;
  type: MetricType;
  unit: string;
  description: string;
  pointCount: number;
  lastSeenUs: number;
}

/** App metrics: names, points of one metric, points of several for a chart or an alert. */
export interface MetricReader {
  listMetrics(projectId: string, range: TimeRange): Promise<MetricDescriptorRecord[]>;
  /** Points of one metric, newest first, skipping `offset`, at most `limit`. */
  listMetricPoints(query: MetricPointQuery, offset: number, limit: number): Promise<MetricPointRecord[]>;
  /** Metric points of these names in the range (all of them, oldest first), of one service or all. */
  readMetricPoints(projectId: string, names: readonly string[], range: TimeRange, service: string | null): Promise<MetricPointRecord[]>;
}
