import {
  ERROR_GROUP_STATUSES,
  METRIC_SERIES_FNS,
  SPAN_CATEGORIES,
  SPAN_GROUP_COLUMNS,
  SPAN_KINDS,
  TIMESERIES_METRICS,
  type CompareQuery,
  type ErrorGroupStatus,
  type SpanFilter,
  type SpanGroupBy,
  type SpanGroupColumn,
  type SpanStatsQuery,
  type TimeRange,
  type TimeseriesQuery,
} from '@spoor/model';
import { DAY_US, HOUR_US, MINUTE_US, SECOND_US, parseDurationUs } from '../duration.js';
import type { MetricSeriesQuery } from '../query/analytics-service.js';
import type { ErrorListQuery } from '../query/error-service.js';
import {
  MAX_TIME_US,
  type QueryString,
  decimal,
  attributeFilters,
  durationBounds,
  invalid,
  limit,
  oneOf,
  rejectUnknown,
  single,
  text,
  timeRange,
} from './params.js';

/**
 * Query-string parsing for the analytics endpoints. Like the rest of the API: every invalid or
 * unknown parameter is a 400 that names it. Open ranges get a default span of time ending now,
 * so a bare request never scans everything ever stored.
 */


const SPAN_FILTER_PARAMS = [
  'from', 'to', 'service', 'name', 'text', 'status', 'minDurationMs', 'maxDurationMs', 'attr', 'sessionId', 'model', 'kind',
  'category', 'root',
] as const;

/** Most buckets a chart may ask for. */
const MAX_BUCKETS = 10_000;
/** Steps an unspecified step is picked from: the smallest giving at most ~120 buckets. */
const NICE_STEPS_US = [1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 10800, 21600, 43200, 86400].map((s) => s * SECOND_US);

/** A range with both ends: `to` defaults to now, `from` to `defaultSpanUs` before `to`. */
export function closedRange(q: QueryString, nowUs: number, defaultSpanUs: number): { fromUs: number; toUs: number } {
  const range = timeRange(q);
  const toUs = range.toUs ?? Math.max(nowUs, (range.fromUs ?? 0) + 1);
  return { fromUs: range.fromUs ?? toUs - defaultSpanUs, toUs };
}

/** A duration: `500ms`, `30s`, `5m`, `1h`, `1d`, or a number of milliseconds. In microseconds. */
export function duration(q: QueryString, name: string): number | null {
  const value = single(q, name);
  if (value === null) return null;
  const us = parseDurationUs(value, { bareMs: true }) ?? NaN;
  if (!(us >= 1000 && us <= MAX_TIME_US)) {
    throw invalid(name, `must be a duration from 1ms to 8,000 years like 500ms, 30s, 5m, 1h, 1d (or milliseconds), not '${value}'`);
  }
  return us;
}

function spanFilterFrom(q: QueryString, projectId: string, range: TimeRange): SpanFilter {
  const root = oneOf(q, 'root', ['true', 'false'] as const);
  return {
    projectId,
    range,
    service: text(q, 'service'),
    spanName: text(q, 'name'),
    text: text(q, 'text'),
    status: oneOf(q, 'status', ['ok', 'error'] as const),
    ...durationBounds(q),
    attributes: attributeFilters(q),
    sessionId: text(q, 'sessionId'),
    model: text(q, 'model'),
    kind: oneOf(q, 'kind', SPAN_KINDS),
    category: oneOf(q, 'category', SPAN_CATEGORIES),
    rootOnly: root === 'true',
  };
}

/** A span column (`name`, `service`, `model`, …) or any span or resource attribute key. */
function groupBy(q: QueryString, name: string): SpanGroupBy | null {
  const value = text(q, name);
  if (value === null) return null;
  if ((SPAN_GROUP_COLUMNS as readonly string[]).includes(value)) return { column: value as SpanGroupColumn };
  if (value.length > 256) throw invalid(name, 'must be a column or an attribute key of at most 256 characters');
  return { attribute: value };
}

export function spanStatsQueryFrom(q: QueryString, projectId: string, nowUs: number): SpanStatsQuery {
  rejectUnknown(q, [...SPAN_FILTER_PARAMS, 'groupBy', 'limit']);
  return {
    filter: spanFilterFrom(q, projectId, closedRange(q, nowUs, DAY_US)),
    groupBy: groupBy(q, 'groupBy') ?? { column: 'name' },
    limit: limit(q, 100, 1000),
  };
}

/** The step: as asked, or the smallest nice step that gives at most about 120 buckets. */
function step(q: QueryString, range: { fromUs: number; toUs: number }): number {
  const asked = duration(q, 'step');
  const span = range.toUs - range.fromUs;
  const stepUs = asked ?? NICE_STEPS_US.find((s) => span / s <= 120) ?? DAY_US;
  if (span / stepUs > MAX_BUCKETS) throw invalid('step', `gives ${Math.ceil(span / stepUs)} buckets over the range; at most ${MAX_BUCKETS}`);
  return stepUs;
}

export function timeseriesQueryFrom(q: QueryString, projectId: string, nowUs: number): TimeseriesQuery {
  rejectUnknown(q, [...SPAN_FILTER_PARAMS, 'metric', 'step', 'groupBy', 'limit']);
  const range = closedRange(q, nowUs, HOUR_US);
  return {
    filter: spanFilterFrom(q, projectId, range),
    metric: oneOf(q, 'metric', TIMESERIES_METRICS) ?? 'count',
    stepUs: step(q, range),
    groupBy: groupBy(q, 'groupBy'),
    limit: limit(q, 10, 50),
  };
}

export function compareQueryFrom(q: QueryString, projectId: string, nowUs: number): CompareQuery {
  rejectUnknown(q, [...SPAN_FILTER_PARAMS, 'by', 'a', 'b', 'limit']);
  const a = single(q, 'a');
  const b = single(q, 'b');
  if (a === null) throw invalid('a', 'is required: the value of `by` on the first side (e.g. the old release)');
  if (b === null) throw invalid('b', 'is required: the value of `by` on the second side (e.g. the new release)');
  if (a === b) throw invalid('b', "must differ from 'a'");
  return {
    filter: spanFilterFrom(q, projectId, closedRange(q, nowUs, 7 * DAY_US)),
    by: groupBy(q, 'by') ?? { attribute: 'service.version' },
    a,
    b,
    limit: limit(q, 100, 1000),
  };
}

export function realtimeServiceFrom(q: QueryString): string | null {
  rejectUnknown(q, ['service']);
  return text(q, 'service');
}

export function sessionListFrom(q: QueryString, nowUs: number): { range: TimeRange; limit: number; cursor: string | null } {
  rejectUnknown(q, ['from', 'to', 'limit', 'cursor']);
  return { range: closedRange(q, nowUs, 7 * DAY_US), limit: limit(q), cursor: text(q, 'cursor') };
}

/**
 * The window of a session's detail: `from`/`to` (either may be left out: `to` is now, `from` a
 * day before `to`), or the last `hours` up to now (24 by default, up to a year); not both.
 */
export function sessionWindowFrom(q: QueryString, nowUs: number): { fromUs: number; toUs: number } {
  rejectUnknown(q, ['hours', 'from', 'to']);
  const value = single(q, 'hours');
  if (value === null) return closedRange(q, nowUs, DAY_US);
  if (single(q, 'from') !== null || single(q, 'to') !== null) throw invalid('hours', "cannot be given with 'from' or 'to'");
  const n = decimal(value);
  if (!(n > 0 && n <= 8760)) throw invalid('hours', `must be a number of hours above 0 and at most 8760, not '${value}'`);
  return { fromUs: nowUs - n * HOUR_US, toUs: nowUs };
}

export function metricSeriesQueryFrom(q: QueryString, projectId: string, nowUs: number): MetricSeriesQuery {
  rejectUnknown(q, ['name', 'fn', 'from', 'to', 'step', 'window', 'groupBy', 'service']);
  const name = text(q, 'name');
  if (name === null) throw invalid('name', 'is required');
  const fn = oneOf(q, 'fn', METRIC_SERIES_FNS);
  if (fn === null) throw invalid('fn', `is required: one of ${METRIC_SERIES_FNS.join(', ')}`);
  const range = closedRange(q, nowUs, HOUR_US);
  const stepUs = step(q, range);
  return {
    projectId,
    name,
    fn,
    fromUs: range.fromUs,
    // Values are taken at multiples of the step; the last one at or after `to`, so the newest
    // points are in the chart.
    toUs: Math.ceil(range.toUs / stepUs) * stepUs,
    stepUs,
    // A window of one step by default: every point counts in exactly one value.
    windowUs: duration(q, 'window') ?? Math.max(stepUs, MINUTE_US),
    groupBy: text(q, 'groupBy'),
    service: text(q, 'service'),
  };
}

export function errorListQueryFrom(q: QueryString, projectId: string): ErrorListQuery {
  rejectUnknown(q, ['from', 'to', 'status', 'service', 'sort', 'limit', 'cursor']);
  return {
    projectId,
    range: timeRange(q),
    status: oneOf(q, 'status', ERROR_GROUP_STATUSES),
    service: text(q, 'service'),
    sort: oneOf(q, 'sort', ['lastSeen', 'firstSeen', 'count'] as const) ?? 'lastSeen',
    limit: limit(q),
    cursor: text(q, 'cursor'),
  };
}

const FINGERPRINT = /^[0-9a-f]{16}$/;

export function fingerprint(value: string): string {
  if (!FINGERPRINT.test(value)) throw invalid('fingerprint', 'must be 16 lowercase hex characters');
  return value;
}

/** The body of `PATCH /api/errors/:fingerprint`. */
export function errorStatusFrom(body: Record<string, unknown>): ErrorGroupStatus {
  for (const key of Object.keys(body)) {
    if (key !== 'status') throw invalid(key, 'is not a field of an error group update (known: status)');
  }
  const status = body.status;
  if (typeof status !== 'string' || !(ERROR_GROUP_STATUSES as readonly string[]).includes(status)) {
    throw invalid('status', `must be one of ${ERROR_GROUP_STATUSES.join(', ')}`);
  }
  return status as ErrorGroupStatus;
}
