import type { ApiScope, Attributes, InstrumentationScope, Resource } from './attributes.js';

export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

/** OTLP aggregation temporality, lowercase. */
export type Temporality = 'unspecified' | 'delta' | 'cumulative';

export const TEMPORALITIES: readonly Temporality[] = ['unspecified', 'delta', 'cumulative'];

/** Buckets of one sign of an exponential histogram. */
export interface ExponentialBuckets {
  offset: number;
  bucketCounts: number[];
}

export interface Exemplar {
  timeUs: number;
  value: number;
  /**
   * The exact value of an exemplar sent as an integer (OTLP `as_int`) that a double cannot hold
   * (past 2^53), in decimal; absent otherwise, when `value` is exact.
   */
  intValue?: string;
  traceId: string | null;
  spanId: string | null;
  filteredAttributes: Attributes;
}

/**
 * The counts of a histogram or summary point that a double cannot hold (past 2^53: `count` of
 * 2^53 + 1 reads 2^53 as a number), in decimal. Each field is present only when one of its
 * counts is past 2^53, and a list then holds every count of it; the number fields beside it
 * keep the doubles, for charts and arithmetic.
 */
export interface ExactCounts {
  count?: string;
  bucketCounts?: string[];
  zeroCount?: string;
  positive?: string[];
  negative?: string[];
}

export interface QuantileValue {
  quantile: number;
  value: number;
}

/**
 * One metric data point as the server holds it. Which value fields are set depends on `type`:
 * gauge and sum use `value`; histograms use `count`, `sum`, `min`, `max` and buckets; summaries
 * use `count`, `sum` and `quantiles`. Fields a point does not carry are `null`.
 */
export interface MetricPointRecord {
  projectId: string;
  name: string;
  description: string;
  unit: string;
  type: MetricType;
  temporality: Temporality;
  isMonotonic: boolean | null;
  serviceName: string;
  resource: Resource;
  scope: InstrumentationScope;
  attributes: Attributes;
  startTimeUs: number | null;
  timeUs: number;
  flags: number;
  /** Gauges and sums: the value as a double, for charts and arithmetic. */
  value: number | null;
  /**
   * The exact value of a gauge or sum point sent as an integer (OTLP `as_int`), in decimal: a
   * double holds every integer only up to 2^53, so `value` is rounded past it
   * (`9007199254740993` reads `…992` there). `null` for a point sent as a double, and for
   * points stored before Spoor kept it.
   */
  intValue: string | null;
  count: number | null;
  sum: number | null;
  min: number | null;
  max: number | null;
  /** Explicit-bucket histograms: counts, one more than `explicitBounds`. */
  bucketCounts: number[] | null;
  explicitBounds: number[] | null;
  /** Exponential histograms. */
  scale: number | null;
  zeroCount: number | null;
  zeroThreshold: number | null;
  positive: ExponentialBuckets | null;
  negative: ExponentialBuckets | null;
  /** Summaries. */
  quantiles: QuantileValue[] | null;
  exemplars: Exemplar[];
  /** The counts above as sent, exactly, when one is past 2^53; absent when every count is exact as a number. */
  exactCounts?: ExactCounts;
}

/**
 * A metric data point as the REST API returns it. The `value` of an integer point is written
 * with every digit of `intValue` (JSON numbers may have more digits than a double keeps), so a
 * client that reads JSON numbers exactly gets it exactly; one that reads them as doubles (any
 * JavaScript client) reads the decimal string `intValue` instead. Counts past 2^53 are written
 * so too (`count`, `zeroCount`, bucket counts), their decimal strings in `exactCounts`.
 */
export interface MetricPoint extends Omit<MetricPointRecord, 'projectId' | 'resource' | 'scope' | 'startTimeUs' | 'timeUs' | 'exemplars'> {
  /** The resource's attributes. */
  resource: Attributes;
  /** The resource's schema URL, `''` for none. */
  resourceSchemaUrl: string;
  scope: ApiScope;
  /** ISO-8601 with microseconds, or `null` when the point carried none. */
  startTime: string | null;
  time: string;
  exemplars: Array<Omit<Exemplar, 'timeUs'> & { time: string }>;
}

/** One metric stream name and its shape, for `GET /api/metrics`. */
export interface MetricDescriptor {
  name: string;
  type: MetricType;
  unit: string;
  description: string;
  pointCount: number;
  lastSeen: string;
}
