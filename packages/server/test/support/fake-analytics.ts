import type {
  CompareQuery,
  ErrorGroupStatus,
  ErrorOccurrenceRecord,
  LogRecordData,
  SpanFilter,
  SpanGroupBy,
  SpanRecord,
  SpanStatsQuery,
  TimeRange,
  TimeseriesQuery,
} from '@spoor/model';
import { SPAN_GROUP_COLUMNS, STATUS_CODES } from '@spoor/model';
import { compileRegex } from '../../src/alerting/regex.js';
import { type SideGroup, comparisonOf } from '../../src/store/comparison.js';
import { quantileOfSorted, sortNumbers } from '../../src/store/rank-sums.js';
import type {
  AlertLabel,
  AlertMatcher,
  AlertSeriesQuery,
  AlertSeriesRow,
  CompareSideRecord,
  ErrorGroupQuery,
  ErrorGroupRecord,
  ErrorOccurrenceRow,
  RealtimeRecord,
  SessionRecord,
  SessionRunRecord,
  SpanStatsRecord,
  TimeseriesRow,
} from '../../src/store/store.js';
import { type FakeData, attributeText, byText, contains, inRange, spanAttributeMatches, summaryOf } from './fake-reads.js';

/**
 * Span statistics, charts, realtime numbers, sessions, comparisons, error groups and alert series
 * of the in-memory fake: each the plain computation over the committed records that the DuckDB
 * store's SQL performs.
 */

export interface FakeAnalyticsData extends FakeData {
  errors: ErrorOccurrenceRecord[];
  /** Per project and fingerprint: what users decided. */
  errorStates: Map<string, { status: ErrorGroupStatus; resolvedUs: number | null }>;
}

const durationUs = (s: SpanRecord): number => s.endTimeUs - s.startTimeUs;
const isError = (s: SpanRecord): boolean => s.status.code === 'error';

/** SQL's `sum`: `null` over no values that are not null. */
function sum(values: ReadonlyArray<number | null | undefined>): number | null {
  let total: number | null = null;
  for (const v of values) if (v !== null && v !== undefined) total = (total ?? 0) + v;
  return total;
}

const quantile = (values: number[], q: number): number | null => quantileOfSorted(sortNumbers(values), q);

export function matchesFilter(s: SpanRecord, f: SpanFilter): boolean {
  return (
    s.projectId === f.projectId &&
    inRange(s.startTimeUs, f.range) &&
    (f.service === null || s.serviceName === f.service) &&
    (f.spanName === null || s.name === f.spanName) &&
    (f.text === null || contains(s.name, f.text)) &&
    (f.status === null || (f.status === 'error' ? isError(s) : !isError(s))) &&
    (f.minDurationMs === null || durationUs(s) >= Math.ceil(f.minDurationMs * 1000)) &&
    (f.maxDurationMs === null || durationUs(s) <= Math.floor(f.maxDurationMs * 1000)) &&
    (f.sessionId === null || s.sessionId === f.sessionId) &&
    (f.model === null || s.llm?.requestModel === f.model || s.llm?.responseModel === f.model) &&
    (f.kind === null || s.kind === f.kind) &&
    (f.category === null || s.category === f.category) &&
    (!f.rootOnly || s.parentSpanId === null) &&
    f.attributes.every(({ key, value }) => spanAttributeMatches(s, key, value))
  );
}

/** A span's group: a column, or an attribute (the span's own first, then its resource's). */
export function groupKeyOf(s: SpanRecord, by: SpanGroupBy): string | null {
  if ('attribute' in by) return attributeText(s.attributes, by.attribute) ?? attributeText(s.resource.attributes, by.attribute);
  switch (by.column) {
    case 'name':
      return s.name;
    case 'service':
      return s.serviceName;
    case 'model':
      return s.llm?.requestModel ?? s.llm?.responseModel ?? null;
    case 'provider':
      return s.llm?.provider ?? null;
    case 'kind':
      return s.kind;
    case 'category':
      return s.category;
    case 'operation':
      return s.llm?.operation ?? null;
    case 'session':
      return s.sessionId;
  }
}

/** SQL's `NULLS FIRST` order. */
const nullsFirst = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? -1 : b === null ? 1 : byText(a, b));

/** Groups in SQL's order of `key NULLS LAST`. */
const byKey = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? 1 : b === null ? -1 : byText(a, b));

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [item]);
    else list.push(item);
  }
  return groups;
}

export function spanStats(data: FakeData, query: SpanStatsQuery): SpanStatsRecord[] {
  const spans = data.spans.filter((s) => matchesFilter(s, query.filter));
  return [...groupBy(spans, (s) => groupKeyOf(s, query.groupBy))]
    .map(([key, group]): SpanStatsRecord => {
      const durations = group.map(durationUs);
      const llm = group.map((s) => s.llm);
      return {
        key,
        count: group.length,
        errorCount: group.filter(isError).length,
        avgUs: durations.reduce((a, b) => a + b, 0) / group.length,
        p50Us: quantile(durations, 0.5)!,
        p95Us: quantile(durations, 0.95)!,
        p99Us: quantile(durations, 0.99)!,
        maxUs: Math.max(...durations),
        inputTokens: sum(llm.map((l) => l?.inputTokens)),
        outputTokens: sum(llm.map((l) => l?.outputTokens)),
        totalTokens: sum(llm.map((l) => l?.totalTokens ?? (l?.inputTokens != null && l?.outputTokens != null ? l.inputTokens + l.outputTokens : null))),
        cacheReadInputTokens: sum(llm.map((l) => l?.cacheReadInputTokens)),
        cacheCreationInputTokens: sum(llm.map((l) => l?.cacheCreationInputTokens)),
        reasoningTokens: sum(llm.map((l) => l?.reasoningTokens)),
        costUsd: sum(llm.map((l) => l?.costUsd)),
      };
    })
    .sort((a, b) => b.count - a.count || byKey(a.key, b.key))
    .slice(0, query.limit);
}

const METRICS: Record<TimeseriesQuery['metric'], (spans: SpanRecord[]) => number | null> = {
  count: (spans) => spans.length,
  errors: (spans) => spans.filter(isError).length,
  error_rate: (spans) => spans.filter(isError).length / spans.length,
  avg: (spans) => spans.reduce((n, s) => n + durationUs(s), 0) / spans.length,
  p50: (spans) => quantile(spans.map(durationUs), 0.5),
  p95: (spans) => quantile(spans.map(durationUs), 0.95),
  p99: (spans) => quantile(spans.map(durationUs), 0.99),
  tokens: (spans) => spans.reduce((n, s) => n + (s.llm?.inputTokens ?? 0) + (s.llm?.outputTokens ?? 0), 0),
  cost: (spans) => spans.reduce((n, s) => n + (s.llm?.costUsd ?? 0), 0),
};

export function spanTimeseries(data: FakeData, query: TimeseriesQuery): TimeseriesRow[] {
  const spans = data.spans.filter((s) => matchesFilter(s, query.filter));
  const bucketOf = (s: SpanRecord): number => Math.floor(s.startTimeUs / query.stepUs) * query.stepUs;
  let keyed: Array<{ s: SpanRecord; key: string | null }> = spans.map((s) => ({ s, key: null }));
  if (query.groupBy !== null) {
    const by = query.groupBy;
    keyed = spans.map((s) => ({ s, key: groupKeyOf(s, by) }));
    const top = new Set(
      [...groupBy(keyed, (k) => k.key)]
        .sort(([ka, a], [kb, b]) => b.length - a.length || byKey(ka, kb))
        .slice(0, query.limit)
        .map(([k]) => k),
    );
    keyed = keyed.filter((k) => top.has(k.key));
  }
  const rows: TimeseriesRow[] = [];
  for (const [id, group] of groupBy(keyed, (k) => `${bucketOf(k.s)}\u0000${k.key ?? '\u0001'}`)) {
    void id;
    rows.push({ bucketUs: bucketOf(group[0]!.s), key: group[0]!.key, value: METRICS[query.metric](group.map((k) => k.s)) });
  }
  return rows.sort((a, b) => a.bucketUs - b.bucketUs);
}

const SECOND_US = 1_000_000;

export function realtime(data: FakeData, projectId: string, service: string | null, nowUs: number): RealtimeRecord {
  const spans = data.spans.filter((s) => s.projectId === projectId && s.endTimeUs >= nowUs - 300 * SECOND_US && s.endTimeUs <= nowUs && (service === null || s.serviceName === service));
  const since60 = nowUs - 60 * SECOND_US;
  const roots = spans.filter((s) => s.parentSpanId === null);
  const cacheHit = (s: SpanRecord): string | null => attributeText(s.attributes, 'cache.hit');
  return {
    roots60: roots.filter((s) => s.endTimeUs >= since60).length,
    roots300: roots.length,
    errors300: roots.filter(isError).length,
    durationUs300: roots.reduce((n, s) => n + durationUs(s), 0),
    tokens60: spans.filter((s) => s.endTimeUs >= since60).reduce((n, s) => n + (s.llm?.inputTokens ?? 0) + (s.llm?.outputTokens ?? 0), 0),
    cost300: spans.reduce((n, s) => n + (s.llm?.costUsd ?? 0), 0),
    cacheHits: spans.filter((s) => cacheHit(s) === 'true').length,
    cacheMisses: spans.filter((s) => cacheHit(s) === 'false').length,
  };
}

interface Run extends SessionRunRecord {
  sessionId: string;
  services: string[];
  users: string[];
}

/** A session's runs: each trace with a span of the session in the range, with the trace's totals. */
function runsOf(data: FakeData, projectId: string, range: TimeRange, sessionId: string | null): Run[] {
  const pairs = groupBy(
    data.spans.filter((s) => s.projectId === projectId && s.sessionId !== null && inRange(s.startTimeUs, range) && (sessionId === null || s.sessionId === sessionId)),
    (s) => `${s.sessionId}\u0000${s.traceId}`,
  );
  const runs: Run[] = [];
  for (const spans of pairs.values()) {
    const { traceId } = spans[0]!;
    const parts = data.parts.filter((p) => p.projectId === projectId && p.traceId === traceId);
    if (parts.length === 0) continue;
    const summary = summaryOf(traceId, parts);
    const rootFailed = parts.reduce<boolean | null>((failed, p) => (p.rootFailed === null ? failed : (failed ?? false) || p.rootFailed), null);
    const users = [...new Set(spans.map((s) => s.userId).filter((u): u is string => u !== null))].sort(byText);
    runs.push({
      sessionId: spans[0]!.sessionId!,
      services: [...new Set(spans.map((s) => s.serviceName))],
      users,
      traceId,
      name: summary.rootName,
      serviceName: summary.serviceName,
      startTimeUs: summary.startTimeUs,
      endTimeUs: summary.endTimeUs,
      failed: rootFailed ?? summary.errorCount > 0,
      spanCount: summary.spanCount,
      errorCount: summary.errorCount,
      inputTokens: summary.inputTokens,
      outputTokens: summary.outputTokens,
      costUsd: summary.costUsd,
      userId: users[0] ?? null,
    });
  }
  return runs;
}

export function listSessions(data: FakeData, projectId: string, range: TimeRange, offset: number, limit: number): SessionRecord[] {
  return [...groupBy(runsOf(data, projectId, range, null), (r) => r.sessionId)]
    .map(([sessionId, runs]) => ({
      sessionId,
      runCount: runs.length,
      failedRuns: runs.filter((r) => r.failed).length,
      inputTokens: sum(runs.map((r) => r.inputTokens)),
      outputTokens: sum(runs.map((r) => r.outputTokens)),
      costUsd: sum(runs.map((r) => r.costUsd)),
      firstSeenUs: Math.min(...runs.map((r) => r.startTimeUs)),
      lastActivityUs: Math.max(...runs.map((r) => r.endTimeUs)),
      services: [...new Set(runs.flatMap((r) => r.services))].sort(byText),
      userIds: [...new Set(runs.flatMap((r) => r.users))].sort(byText),
    }))
    .sort((a, b) => b.lastActivityUs - a.lastActivityUs || byText(a.sessionId, b.sessionId))
    .slice(offset, offset + limit);
}

export function listSessionRuns(data: FakeData, projectId: string, sessionId: string, range: TimeRange): SessionRunRecord[] {
  return runsOf(data, projectId, range, sessionId)
    .sort((a, b) => b.startTimeUs - a.startTimeUs || byText(b.traceId, a.traceId))
    .map(({ sessionId: _s, services: _v, users: _u, ...run }) => run);
}

/** A span's side of a comparison: by a column's value, or by its resource's attribute where the resource has it. */
function sideKey(s: SpanRecord, by: CompareQuery['by']): string | null {
  if ('column' in by) return groupKeyOf(s, by);
  return attributeText(s.resource.attributes, by.attribute) ?? attributeText(s.attributes, by.attribute);
}

export function compareSpans(data: FakeData, query: CompareQuery): CompareSideRecord[] {
  const groups: SideGroup[] = [];
  const sided = data.spans.filter((s) => matchesFilter(s, query.filter)).filter((s) => [query.a, query.b].includes(sideKey(s, query.by) ?? '\u0000'));
  for (const spans of groupBy(sided, (s) => `${s.name}\u0000${sideKey(s, query.by) === query.b}`).values()) {
    const costs = spans.map((s) => s.llm?.costUsd ?? 0);
    const mean = costs.reduce((a, b) => a + b, 0) / costs.length;
    groups.push({
      name: spans[0]!.name,
      side: sideKey(spans[0]!, query.by) === query.b ? 'b' : 'a',
      count: spans.length,
      errorCount: spans.filter(isError).length,
      avgUs: spans.reduce((n, s) => n + durationUs(s), 0) / spans.length,
      costCount: spans.filter((s) => s.llm?.costUsd != null).length,
      costMean: mean,
      costVariance: costs.length < 2 ? null : costs.reduce((n, c) => n + (c - mean) ** 2, 0) / (costs.length - 1),
      durations: Float64Array.from(spans.map(durationUs)),
    });
  }
  return comparisonOf(groups, query.limit);
}

/**
 * Error occurrences that are errors of their own: not one a child span reported first (same type
 * and message), not a plain `Error` status passed up from a failed child, not an error log of an
 * exception a span of its trace recorded.
 */
export function errorEvents(data: FakeAnalyticsData): ErrorOccurrenceRecord[] {
  const all = data.errors;
  return all.filter((e) => {
    if (e.spanId !== null && all.some((c) => c.projectId === e.projectId && c.traceId === e.traceId && c.parentSpanId === e.spanId && c.exceptionType === e.exceptionType && c.messageKey === e.messageKey)) return false;
    if (
      e.source === 'span' && e.exceptionType === 'Error' && e.frame === null && e.finishReason === null && e.traceId !== null && e.spanId !== null &&
      all.some((c) => c.projectId === e.projectId && c.traceId === e.traceId && c.parentSpanId === e.spanId)
    ) return false;
    if (e.source === 'log' && e.traceId !== null && all.some((c) => c.source === 'span' && c.projectId === e.projectId && c.traceId === e.traceId && c.exceptionType === e.exceptionType && c.messageKey === e.messageKey)) return false;
    return true;
  });
}

const stateKey = (projectId: string, fingerprint: string): string => `${projectId}\u0000${fingerprint}`;

export function listErrorGroups(data: FakeAnalyticsData, query: ErrorGroupQuery, offset: number, limit: number): ErrorGroupRecord[] {
  const events = errorEvents(data).filter((e) => e.projectId === query.projectId);
  const hits = events.filter((e) => inRange(e.timeUs, query.range) && (query.service === null || e.serviceName === query.service) && (query.fingerprint === null || e.fingerprint === query.fingerprint));
  const records: ErrorGroupRecord[] = [];
  for (const [fingerprint, group] of groupBy(hits, (e) => e.fingerprint)) {
    const every = events.filter((e) => e.fingerprint === fingerprint);
    const latest = every.reduce((a, b) => (b.timeUs > a.timeUs ? b : a));
    const any = <K extends keyof ErrorOccurrenceRecord>(key: K): ErrorOccurrenceRecord[K] | null => every.find((e) => e[key] !== null)?.[key] ?? null;
    const lastByTrace = new Map<string, number>();
    for (const e of group) if (e.traceId !== null) lastByTrace.set(e.traceId, Math.max(lastByTrace.get(e.traceId) ?? -Infinity, e.timeUs));
    const state = data.errorStates.get(stateKey(query.projectId, fingerprint));
    records.push({
      fingerprint,
      exceptionType: any('exceptionType') ?? '',
      messageKey: any('messageKey') ?? '',
      frame: any('frame'),
      provider: any('provider'),
      httpStatus: any('httpStatus'),
      errorType: any('errorType'),
      finishReason: any('finishReason'),
      toolName: any('toolName'),
      sampleMessage: latest.message,
      storedStatus: state?.status ?? 'unresolved',
      resolvedUs: state?.resolvedUs ?? null,
      count: group.length,
      traceCount: lastByTrace.size,
      firstSeenUs: Math.min(...every.map((e) => e.timeUs)),
      lastSeenUs: latest.timeUs,
      services: [...new Set(group.map((e) => e.serviceName))].sort(byText),
      sampleTraceIds: [...lastByTrace].sort(([ta, a], [tb, b]) => b - a || byText(ta, tb)).slice(0, 5).map(([t]) => t),
    });
  }
  const effective = (r: ErrorGroupRecord): ErrorGroupStatus => (r.storedStatus === 'resolved' && r.resolvedUs !== null && r.lastSeenUs > r.resolvedUs ? 'unresolved' : r.storedStatus);
  const order: Record<ErrorGroupQuery['sort'], (a: ErrorGroupRecord, b: ErrorGroupRecord) => number> = {
    lastSeen: (a, b) => b.lastSeenUs - a.lastSeenUs,
    firstSeen: (a, b) => b.firstSeenUs - a.firstSeenUs,
    count: (a, b) => b.count - a.count,
  };
  return records
    .filter((r) => query.status === null || effective(r) === query.status)
    .sort((a, b) => order[query.sort](a, b) || byText(a.fingerprint, b.fingerprint))
    .slice(offset, offset + limit);
}

const HOUR_US = 3_600_000_000;

export function errorGroupHourly(data: FakeAnalyticsData, projectId: string, fingerprints: readonly string[], range: TimeRange): Array<{ fingerprint: string; hourUs: number; count: number }> {
  const events = errorEvents(data).filter((e) => e.projectId === projectId && fingerprints.includes(e.fingerprint) && inRange(e.timeUs, range));
  return [...groupBy(events, (e) => `${e.fingerprint}\u0000${Math.floor(e.timeUs / HOUR_US) * HOUR_US}`).values()]
    .map((group) => ({ fingerprint: group[0]!.fingerprint, hourUs: Math.floor(group[0]!.timeUs / HOUR_US) * HOUR_US, count: group.length }))
    .sort((a, b) => byText(a.fingerprint, b.fingerprint) || a.hourUs - b.hourUs);
}

export function listErrorOccurrences(data: FakeAnalyticsData, projectId: string, fingerprint: string, range: TimeRange, limit: number): ErrorOccurrenceRow[] {
  return errorEvents(data)
    .filter((e) => e.projectId === projectId && e.fingerprint === fingerprint && inRange(e.timeUs, range))
    .sort((a, b) => b.timeUs - a.timeUs || byKey(a.spanId, b.spanId))
    .slice(0, limit)
    .map((e) => ({ timeUs: e.timeUs, traceId: e.traceId, spanId: e.spanId, serviceName: e.serviceName, spanName: e.spanName, message: e.message }));
}

export function setErrorGroupStatus(data: FakeAnalyticsData, projectId: string, fingerprint: string, status: ErrorGroupStatus, nowUs: number): void {
  data.errorStates.set(stateKey(projectId, fingerprint), { status, resolvedUs: status === 'resolved' ? nowUs : null });
}

/** One record an alert series reads: its time, labels and what its functions aggregate. */
interface SeriesRecord {
  timeUs: number;
  label: (label: AlertLabel) => string | null;
  span?: SpanRecord;
  error?: ErrorOccurrenceRecord;
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

const ERROR_LABELS: Record<string, keyof ErrorOccurrenceRecord> = { service: 'serviceName', fingerprint: 'fingerprint', type: 'exceptionType', provider: 'provider', tool: 'toolName' };

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
};

export function alertSeries(data: FakeAnalyticsData, query: AlertSeriesQuery): AlertSeriesRow[] {
  if (query.buckets <= 0 || query.stepUs <= 0) return [];
  for (const label of [...query.by, ...query.matchers]) {
    const known = label.attribute ? query.source !== 'errors' : BUILTIN_LABELS[query.source].includes(label.name);
    if (!known) throw new Error(`alert series of ${query.source} have no label '${label.name}'`);
  }
  const endUs = query.startUs + query.buckets * query.stepUs;
  const inScope = (timeUs: number): boolean => timeUs >= query.startUs && timeUs < endUs;
  const bucketOf = (timeUs: number): number => Math.floor((timeUs - query.startUs) / query.stepUs);
  let records: SeriesRecord[];
  if (query.source === 'logs') records = data.logs.filter((l) => l.projectId === query.projectId).map(logRecordOf);
  else if (query.source === 'errors') {
    if (query.fn === 'new_error_group' || query.fn === 'regressed_error_group') return firstOccurrences(data, query, inScope, bucketOf);
    records = errorEvents(data).filter((e) => e.projectId === query.projectId).map(errorRecordOf);
  } else {
    records = data.spans.filter((s) => s.projectId === query.projectId).map(spanRecordOf);
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
  if (query.source === 'logs' || query.source === 'errors') {
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
    const costs = spans.map((s) => summaryCost(data, s.projectId, s.traceId));
    return costs.reduce((a, b) => a + b, 0) / costs.length;
  }
  const fn = SPAN_VALUES[query.fn];
  if (fn === undefined) throw new Error(`alert series of spans have no function '${query.fn}'`);
  return fn(spans, stepSeconds);
}

/** A trace's cost as its summary parts hold it; 0 without one. */
function summaryCost(data: FakeData, projectId: string, traceId: string): number {
  return data.parts.filter((p) => p.projectId === projectId && p.traceId === traceId).reduce((n, p) => n + (p.costUsd ?? 0), 0);
}

/**
 * New and regressed error groups, each counted in the bucket of one occurrence: its first in the
 * range (of those after the group was resolved, for regressions), unless it had one before.
 */
function firstOccurrences(data: FakeAnalyticsData, query: AlertSeriesQuery, inScope: (t: number) => boolean, bucketOf: (t: number) => number): AlertSeriesRow[] {
  const events = errorEvents(data).filter((e) => e.projectId === query.projectId);
  const regressed = query.fn === 'regressed_error_group';
  const resolvedAt = (fingerprint: string): number | null => {
    const state = data.errorStates.get(stateKey(query.projectId, fingerprint));
    return state?.status === 'resolved' ? state.resolvedUs : null;
  };
  const eligible = events.filter((e) => !regressed || (resolvedAt(e.fingerprint) !== null && e.timeUs > resolvedAt(e.fingerprint)!));
  const rows = new Map<string, AlertSeriesRow>();
  for (const [fingerprint, group] of groupBy(eligible.filter((e) => inScope(e.timeUs)), (e) => e.fingerprint)) {
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
