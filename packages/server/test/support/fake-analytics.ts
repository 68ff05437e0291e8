import type {
  CompareQuery,
  ErrorGroupStatus,
  ErrorOccurrenceRecord,
  SpanFilter,
  SpanGroupBy,
  SpanRecord,
  SpanStatsQuery,
  TimeRange,
  TimeseriesQuery,
} from '@spoor/model';
import { SPOOR_SERVICE_NAME, isUnpricedCall } from '@spoor/model';
import { type SideGroup, comparisonOf } from '../../src/store/comparison.js';
import { quantileOfSorted, sortNumbers } from '../../src/store/rank-sums.js';
import type { CompareSideRecord, RealtimeRecord, SessionRecord, SessionRunRecord, SpanStatsRecord, TimeseriesRow, UserRecord } from '../../src/store/store.js';
import { type FakeData, attributeText, byText, contains, inRange, ofOrigin, spanAttributeMatches, summaryOf } from './fake-reads.js';

/**
 * Span statistics, charts, realtime numbers, sessions and comparisons of the in-memory fake (error
 * groups are in `fake-errors.ts`, alert series in `fake-alert-series.ts`): each the plain
 * computation over the committed records that the DuckDB store's SQL performs.
 */

export interface FakeAnalyticsData extends FakeData {
  errors: ErrorOccurrenceRecord[];
  /** Per project and fingerprint: what users decided. */
  errorStates: Map<string, { status: ErrorGroupStatus; resolvedUs: number | null }>;
}

export const durationUs = (s: SpanRecord): number => s.endTimeUs - s.startTimeUs;
export const isError = (s: SpanRecord): boolean => s.status.code === 'error';

/** SQL's `sum`: `null` over no values that are not null. */
function sum(values: ReadonlyArray<number | null | undefined>): number | null {
  let total: number | null = null;
  for (const v of values) if (v !== null && v !== undefined) total = (total ?? 0) + v;
  return total;
}

export const quantile = (values: number[], q: number): number | null => quantileOfSorted(sortNumbers(values), q);

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
    ofOrigin(f.origin, s.serviceName === SPOOR_SERVICE_NAME) &&
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
export const nullsFirst = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? -1 : b === null ? 1 : byText(a, b));

/** Groups in SQL's order of `key NULLS LAST`. */
export const byKey = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? 1 : b === null ? -1 : byText(a, b));

export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
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
        unpricedCalls: llm.filter((l) => l != null && isUnpricedCall(l)).length,
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
  const spans = data.spans.filter(
    (s) =>
      s.projectId === projectId &&
      s.endTimeUs >= nowUs - 300 * SECOND_US &&
      s.endTimeUs <= nowUs &&
      (service === null ? s.serviceName !== SPOOR_SERVICE_NAME : s.serviceName === service),
  );
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
    unpriced300: spans.filter((s) => s.llm !== null && s.llm !== undefined && isUnpricedCall(s.llm)).length,
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
    data.spans.filter(
      (s) => s.projectId === projectId && s.sessionId !== null && inRange(s.startTimeUs, range) && (sessionId === null || s.sessionId === sessionId),
    ),
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
      unpricedCalls: summary.unpricedCalls,
      userId: users[0] ?? null,
    });
  }
  return runs;
}

export function listSessions(data: FakeData, projectId: string, range: TimeRange, offset: number, limit: number, user: string | null = null): SessionRecord[] {
  return [...groupBy(runsOf(data, projectId, range, null), (r) => r.sessionId)]
    .map(([sessionId, runs]) => ({
      sessionId,
      runCount: runs.length,
      failedRuns: runs.filter((r) => r.failed).length,
      inputTokens: sum(runs.map((r) => r.inputTokens)),
      outputTokens: sum(runs.map((r) => r.outputTokens)),
      costUsd: sum(runs.map((r) => r.costUsd)),
      unpricedCalls: runs.reduce((n, r) => n + r.unpricedCalls, 0),
      firstSeenUs: Math.min(...runs.map((r) => r.startTimeUs)),
      lastActivityUs: Math.max(...runs.map((r) => r.endTimeUs)),
      services: [...new Set(runs.flatMap((r) => r.services))].sort(byText),
      userIds: [...new Set(runs.flatMap((r) => r.users))].sort(byText),
      traceIds: [...new Set(runs.map((r) => r.traceId))].sort(byText),
    }))
    .filter((s) => user === null || s.userIds.includes(user))
    .sort((a, b) => b.lastActivityUs - a.lastActivityUs || byText(a.sessionId, b.sessionId))
    .slice(offset, offset + limit);
}

export function listSessionRuns(data: FakeData, projectId: string, sessionId: string, range: TimeRange): SessionRunRecord[] {
  return runsOf(data, projectId, range, sessionId)
    .sort((a, b) => b.startTimeUs - a.startTimeUs || byText(b.traceId, a.traceId))
    .map(({ sessionId: _s, services: _v, users: _u, ...run }) => run);
}

export function listUsers(data: FakeData, projectId: string, range: TimeRange, offset: number, limit: number): UserRecord[] {
  const runs = runsOf(data, projectId, range, null);
  const users = [...new Set(runs.flatMap((r) => r.users))];
  return users
    .map((userId) => {
      const own = runs.filter((r) => r.users.includes(userId));
      // A trace in two sessions is one run.
      const traces = [...new Map(own.map((r) => [r.traceId, r])).values()];
      return {
        userId,
        sessionCount: new Set(own.map((r) => r.sessionId)).size,
        runCount: traces.length,
        failedRuns: traces.filter((r) => r.failed).length,
        errorCount: traces.reduce((n, r) => n + r.errorCount, 0),
        inputTokens: sum(traces.map((r) => r.inputTokens)),
        outputTokens: sum(traces.map((r) => r.outputTokens)),
        costUsd: sum(traces.map((r) => r.costUsd)),
        unpricedCalls: traces.reduce((n, r) => n + r.unpricedCalls, 0),
        firstSeenUs: Math.min(...traces.map((r) => r.startTimeUs)),
        lastSeenUs: Math.max(...traces.map((r) => r.endTimeUs)),
      };
    })
    .sort((a, b) => b.lastSeenUs - a.lastSeenUs || byText(a.userId, b.userId))
    .slice(offset, offset + limit);
}

export function userTraces(data: FakeData, projectId: string, userIds: readonly string[], range: TimeRange): Map<string, string[]> {
  const runs = runsOf(data, projectId, range, null);
  const traces = new Map<string, string[]>();
  for (const userId of userIds) {
    const own = [...new Set(runs.filter((r) => r.users.includes(userId)).map((r) => r.traceId))].sort(byText);
    if (own.length > 0) traces.set(userId, own);
  }
  return traces;
}

/** A span's side of a comparison: by a column's value, or by its resource's attribute where the resource has it, else its own. */
export function sideKey(s: SpanRecord, by: CompareQuery['by']): string | null {
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
