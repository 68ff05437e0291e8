import { type ErrorGroupStatus, type ErrorOccurrenceRecord, SPOOR_SERVICE_NAME, type TimeRange } from '@spoor/model';
import type { ErrorGroupQuery, ErrorGroupRecord, ErrorOccurrenceRow } from '../../src/store/store.js';
import { type FakeAnalyticsData, byKey, groupBy } from './fake-analytics.js';
import { byText, inRange } from './fake-reads.js';

/** Error groups of the in-memory fake: the `error_events` view, groups, hourly counts, occurrences, statuses. */

/**
 * Error occurrences that are errors of their own: not one a child span reported first (same type
 * and message), not a bare status (no exception type, or `Error` in rows an older Spoor wrote)
 * passed up from a failed child, not an error log of an exception a span of its trace recorded.
 */
export function errorEvents(data: FakeAnalyticsData): ErrorOccurrenceRecord[] {
  const all = data.errors;
  return all.filter((e) => {
    if (
      e.spanId !== null &&
      all.some(
        (c) =>
          c.projectId === e.projectId &&
          c.traceId === e.traceId &&
          c.parentSpanId === e.spanId &&
          c.exceptionType === e.exceptionType &&
          c.messageKey === e.messageKey,
      )
    )
      return false;
    if (
      e.source === 'span' &&
      (e.exceptionType === '' || e.exceptionType === 'Error') &&
      e.frame === null &&
      e.finishReason === null &&
      e.traceId !== null &&
      e.spanId !== null &&
      all.some((c) => c.projectId === e.projectId && c.traceId === e.traceId && c.parentSpanId === e.spanId)
    )
      return false;
    if (
      e.source === 'log' &&
      e.traceId !== null &&
      all.some(
        (c) =>
          c.source === 'span' && c.projectId === e.projectId && c.traceId === e.traceId && c.exceptionType === e.exceptionType && c.messageKey === e.messageKey,
      )
    )
      return false;
    return true;
  });
}

export const stateKey = (projectId: string, fingerprint: string): string => `${projectId}\u0000${fingerprint}`;

export function listErrorGroups(data: FakeAnalyticsData, query: ErrorGroupQuery, offset: number, limit: number): ErrorGroupRecord[] {
  const events = errorEvents(data).filter((e) => e.projectId === query.projectId);
  const hits = events.filter(
    (e) =>
      inRange(e.timeUs, query.range) &&
      (query.service === null ? e.serviceName !== SPOOR_SERVICE_NAME : e.serviceName === query.service) &&
      (query.fingerprint === null || e.fingerprint === query.fingerprint),
  );
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
      sampleTraceIds: [...lastByTrace]
        .sort(([ta, a], [tb, b]) => b - a || byText(ta, tb))
        .slice(0, 5)
        .map(([t]) => t),
    });
  }
  const effective = (r: ErrorGroupRecord): ErrorGroupStatus =>
    r.storedStatus === 'resolved' && r.resolvedUs !== null && r.lastSeenUs > r.resolvedUs ? 'unresolved' : r.storedStatus;
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

export function errorGroupHourly(
  data: FakeAnalyticsData,
  projectId: string,
  fingerprints: readonly string[],
  range: TimeRange,
): Array<{ fingerprint: string; hourUs: number; count: number }> {
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
