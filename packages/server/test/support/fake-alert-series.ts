import {
  SPAN_GROUP_COLUMNS,
  SPOOR_SERVICE_NAME,
  STATUS_CODES,
  type ErrorOccurrenceRecord,
  type LogRecordData,
  type SpanGroupBy,
  type SpanRecord,
  isUnpricedCall,
} from '@spoor/model';
import { compileRegex } from '../../src/regex.js';
import type { AlertLabel, AlertMatcher, AlertSeriesQuery, AlertSeriesRow, StoredScore } from '../../src/store/store.js';
import { type FakeAnalyticsData, durationUs, groupBy, groupKeyOf, isError, nullsFirst, quantile } from './fake-analytics.js';
import { errorEvents, stateKey } from './fake-errors.js';
import { type FakeData, attributeText, byText } from './fake-reads.js';

/** Alert series of the in-memory fake: what alert rules evaluate, over spans, logs, error events and scores. */

/** One record an alert series reads: its time, labels and what its functions aggregate. */
interface SeriesRecord {
  timeUs: number;
  label: (label: AlertLabel) => string | null;
  span?: SpanRecord;
  error?: ErrorOccurrenceRecord;
  score?: StoredScore;
}

const SEVERITIES = ['unset', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'];

function spanRecordOf(s: SpanRecord): SeriesRecord {
  return {
    timeUs: s.endTimeUs,
    span: s,
    label: (label) => {
      if (label.attribute) return attributeText(s.attributes, label.name) ?? attributeText(s.resource.attributes, label.name);
      if (label.name === 'status') return STATUS_CODES.includes(s.status.code) ? s.status.code : null;
      return groupKeyOf(s, { column: label.name as Extract<SpanGroupBy, { column: string }>['column'] });
    },
  };
}

function logRecordOf(l: LogRecordData): SeriesRecord {
  return {
    timeUs: l.timeUs,
    label: (label) => {
      if (label.attribute) return attributeText(l.attributes, label.name) ?? attributeText(l.resource.attributes, label.name);
      if (label.name === 'service') return l.serviceName;
      if (label.name === 'severity') return SEVERITIES[Math.floor((l.severityNumber + 3) / 4)] ?? null;
      if (label.name === 'text') return typeof l.body === 'string' ? l.body : JSON.stringify(l.body);
      if (label.name === 'trace_id') return l.traceId;
      throw new Error(`alert series of logs have no label '${label.name}'`);
    },
  };
}

const ERROR_LABELS: Record<string, keyof ErrorOccurrenceRecord> = {
  service: 'serviceName',
  fingerprint: 'fingerprint',
  type: 'exceptionType',
  provider: 'provider',
  tool: 'toolName',
};

function errorRecordOf(e: ErrorOccurrenceRecord): SeriesRecord {
  return {
    timeUs: e.timeUs,
    error: e,
    label: (label) => {
      const field = label.attribute ? undefined : ERROR_LABELS[label.name];
      if (field === undefined) throw new Error(`alert series of errors have no label '${label.name}'`);
      return (e[field] as string | null) ?? null;
    },
  };
}

const SCORE_LABELS = ['name', 'label', 'source', 'author'] as const;

function scoreRecordOf(s: StoredScore): SeriesRecord {
  return {
    timeUs: s.timeUs,
    score: s,
    label: (label) => {
      const field = SCORE_LABELS.find((name) => !label.attribute && name === label.name);
      if (field === undefined) throw new Error(`alert series of scores have no label '${label.name}'`);
      return s[field];
    },
  };
}

/** SQL's aggregates of the scores' values: NULL over no values (a label-only score has none). */
const SCORE_VALUES: Record<string, (values: number[]) => number | null> = {
  avg: (v) => (v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length),
  min: (v) => (v.length === 0 ? null : Math.min(...v)),
  max: (v) => (v.length === 0 ? null : Math.max(...v)),
  sum: (v) => (v.length === 0 ? null : v.reduce((a, b) => a + b, 0)),
  p50: (v) => quantile(v, 0.5),
  p90: (v) => quantile(v, 0.9),
  p95: (v) => quantile(v, 0.95),
  p99: (v) => quantile(v, 0.99),
};

function matches(record: SeriesRecord, matcher: AlertMatcher): boolean {
  const value = record.label(matcher);
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return value !== null && compileRegex(matcher.value).test(value);
    case '!~':
      return value === null || !compileRegex(matcher.value).test(value);
  }
}

const SPAN_VALUES: Record<string, (spans: SpanRecord[], stepSeconds: number) => number | null> = {
  count: (s) => s.length,
  rate: (s, step) => s.length / step,
  errors: (s) => s.filter(isError).length,
  error_rate: (s) => s.filter(isError).length / s.length,
  tokens: (s) => s.reduce((n, x) => n + (x.llm?.inputTokens ?? 0) + (x.llm?.outputTokens ?? 0), 0),
  input_tokens: (s) => s.reduce((n, x) => n + (x.llm?.inputTokens ?? 0), 0),
  output_tokens: (s) => s.reduce((n, x) => n + (x.llm?.outputTokens ?? 0), 0),
  cost: (s) => s.reduce((n, x) => n + (x.llm?.costUsd ?? 0), 0),
  unpriced_calls: (s) => s.filter((x) => x.llm != null && isUnpricedCall(x.llm)).length,
};

const DURATION_VALUES: Record<string, (ms: number[]) => number | null> = {
  avg: (ms) => ms.reduce((a, b) => a + b, 0) / ms.length,
  min: (ms) => Math.min(...ms),
  max: (ms) => Math.max(...ms),
  p50: (ms) => quantile(ms, 0.5),
  p90: (ms) => quantile(ms, 0.9),
  p95: (ms) => quantile(ms, 0.95),
  p99: (ms) => quantile(ms, 0.99),
};

/** The labels each source has besides attributes (which errors do not have). */
const BUILTIN_LABELS: Record<AlertSeriesQuery['source'], readonly string[]> = {
  spans: ['status', ...SPAN_GROUP_COLUMNS],
  duration: ['status', ...SPAN_GROUP_COLUMNS],
  logs: ['service', 'severity', 'text', 'trace_id'],
  errors: ['service', 'fingerprint', 'type', 'provider', 'tool'],
  scores: SCORE_LABELS,
};

/** `scores`: the project's newest scores whose newest version is in the query's range (for the `scores` source). */
export function alertSeries(data: FakeAnalyticsData, query: AlertSeriesQuery, scores: readonly StoredScore[] = []): AlertSeriesRow[] {
  if (query.buckets <= 0 || query.stepUs <= 0) return [];
  for (const label of [...query.by, ...query.matchers]) {
    const known = label.attribute ? query.source !== 'errors' && query.source !== 'scores' : BUILTIN_LABELS[query.source].includes(label.name);
    if (!known) throw new Error(`alert series of ${query.source} have no label '${label.name}'`);
  }
  const endUs = query.startUs + query.buckets * query.stepUs;
  const inScope = (timeUs: number): boolean => timeUs >= query.startUs && timeUs < endUs;
  const bucketOf = (timeUs: number): number => Math.floor((timeUs - query.startUs) / query.stepUs);
  let records: SeriesRecord[];
  if (query.source === 'scores') records = scores.map(scoreRecordOf);
  else if (query.source === 'logs') records = data.logs.filter((l) => l.projectId === query.projectId).map(logRecordOf);
  else if (query.source === 'errors') {
    if (query.fn === 'new_error_group' || query.fn === 'regressed_error_group') return firstOccurrences(data, query, inScope, bucketOf);
    records = errorEvents(data)
      .filter((e) => e.projectId === query.projectId)
      .map(errorRecordOf);
  } else {
    records = data.spans.filter((s) => s.projectId === query.projectId && s.serviceName !== SPOOR_SERVICE_NAME).map(spanRecordOf);
    if (query.fn === 'cost_per_workflow') records = records.filter((r) => r.span!.parentSpanId === null);
  }
  records = records.filter((r) => inScope(r.timeUs) && query.matchers.every((m) => matches(r, m)));
  const groups = groupBy(records, (r) => JSON.stringify([...query.by.map((l) => r.label(l)), bucketOf(r.timeUs)]));
  const rows: AlertSeriesRow[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    rows.push({ labels: query.by.map((l) => first.label(l)), bucket: bucketOf(first.timeUs), value: valueOf(data, query, group) });
  }
  return rows;
}

function valueOf(data: FakeAnalyticsData, query: AlertSeriesQuery, records: SeriesRecord[]): number | null {
  const stepSeconds = query.stepUs / 1e6;
  if (query.source === 'scores' && query.fn !== 'count' && query.fn !== 'rate') {
    const fn = SCORE_VALUES[query.fn];
    if (fn === undefined) throw new Error(`alert series of scores have no function '${query.fn}'`);
    return fn(records.flatMap((r) => (r.score!.value === null ? [] : [r.score!.value])));
  }
  if (query.source === 'logs' || query.source === 'errors' || query.source === 'scores') {
    if (query.fn === 'count') return records.length;
    if (query.fn === 'rate') return records.length / stepSeconds;
    throw new Error(`alert series of ${query.source} have no function '${query.fn}'`);
  }
  const spans = records.map((r) => r.span!);
  if (query.source === 'duration') {
    const fn = DURATION_VALUES[query.fn];
    if (fn === undefined) throw new Error(`alert series of duration have no function '${query.fn}'`);
    return fn(spans.map((s) => durationUs(s) / 1000));
  }
  if (query.fn === 'cost_per_workflow') {
    // A workflow is costed by its trace's parts that start at most an hour before its root.
    const costs = spans.map((s) => summaryCost(data, s.projectId, s.traceId, s.startTimeUs - 3_600_000_000));
    return costs.reduce((a, b) => a + b, 0) / costs.length;
  }
  const fn = SPAN_VALUES[query.fn];
  if (fn === undefined) throw new Error(`alert series of spans have no function '${query.fn}'`);
  return fn(spans, stepSeconds);
}

/** A trace's cost as its summary parts since `sinceUs` hold it; 0 without one. */
function summaryCost(data: FakeData, projectId: string, traceId: string, sinceUs: number): number {
  return data.parts.filter((p) => p.projectId === projectId && p.traceId === traceId && p.startUs >= sinceUs).reduce((n, p) => n + (p.costUsd ?? 0), 0);
}

/**
 * New and regressed error groups, each counted in the bucket of one occurrence: its first in the
 * range (of those after the group was resolved, for regressions), unless it had one before.
 */
function firstOccurrences(
  data: FakeAnalyticsData,
  query: AlertSeriesQuery,
  inScope: (t: number) => boolean,
  bucketOf: (t: number) => number,
): AlertSeriesRow[] {
  const events = errorEvents(data).filter((e) => e.projectId === query.projectId);
  const regressed = query.fn === 'regressed_error_group';
  const resolvedAt = (fingerprint: string): number | null => {
    const state = data.errorStates.get(stateKey(query.projectId, fingerprint));
    return state?.status === 'resolved' ? state.resolvedUs : null;
  };
  const eligible = events.filter((e) => !regressed || (resolvedAt(e.fingerprint) !== null && e.timeUs > resolvedAt(e.fingerprint)!));
  const rows = new Map<string, AlertSeriesRow>();
  for (const [fingerprint, group] of groupBy(
    eligible.filter((e) => inScope(e.timeUs)),
    (e) => e.fingerprint,
  )) {
    if (eligible.some((e) => e.fingerprint === fingerprint && e.timeUs < query.startUs)) continue;
    const first = [...group].sort((a, b) => a.timeUs - b.timeUs || nullsFirst(a.spanId, b.spanId) || byText(a.serviceName, b.serviceName))[0]!;
    const record = errorRecordOf(first);
    if (!query.matchers.every((m) => matches(record, m))) continue;
    const labels = query.by.map((l) => record.label(l));
    const key = JSON.stringify([...labels, bucketOf(first.timeUs)]);
    const row = rows.get(key) ?? { labels, bucket: bucketOf(first.timeUs), value: 0 };
    row.value = (row.value ?? 0) + 1;
    rows.set(key, row);
  }
  return [...rows.values()];
}
