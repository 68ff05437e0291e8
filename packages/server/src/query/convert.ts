import {
  type ApiScope,
  type InstrumentationScope,
  isoFromMicros,
  type LogRecord,
  type LogRecordData,
  type MetricPoint,
  type MetricPointRecord,
  type Score,
  type ScoreRecord,
  type ScoreSummary,
  type TraceSummary,
  type TraceSummaryRecord,
} from '@spoor/model';

import type { ScoreTally } from '../store/store.js';

/** Converters from stored records (epoch microseconds) to API shapes (ISO-8601, milliseconds). */

/** `scores`: the summaries of the trace's scores per name (`scoreSummariesOf`). */
export function traceSummaryFromRecord(r: TraceSummaryRecord, scores: Record<string, ScoreSummary>): TraceSummary {
  return {
    traceId: r.traceId,
    rootName: r.rootName,
    serviceName: r.serviceName,
    startTime: isoFromMicros(r.startTimeUs),
    durationMs: Math.max(0, r.endTimeUs - r.startTimeUs) / 1000,
    spanCount: r.spanCount,
    errorCount: r.errorCount,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    costUsd: r.costUsd,
    unpricedCalls: r.unpricedCalls,
    sessionId: r.sessionId,
    userId: r.userId,
    scores,
  };
}

/** The API's score: times as ISO-8601. */
export function scoreFromStored(s: ScoreRecord): Score {
  return {
    scoreId: s.scoreId,
    time: isoFromMicros(s.timeUs),
    traceId: s.traceId,
    spanId: s.spanId,
    sessionId: s.sessionId,
    responseId: s.responseId,
    name: s.name,
    value: s.value,
    label: s.label,
    comment: s.comment,
    source: s.source,
    author: s.author,
  };
}

/**
 * Per score name, what the API shows of tallies: their mean value (`null` when no score had one),
 * count and label counts. Several tallies of a name (a session's runs) are pooled: the mean is
 * over every value, not a mean of means. Built by `Object.fromEntries`, so a name or label such
 * as `__proto__` is a key like any other.
 */
export function scoreSummariesOf(...tallies: ReadonlyArray<ReadonlyMap<string, ScoreTally> | undefined>): Record<string, ScoreSummary> {
  const pooled = new Map<string, { count: number; valueCount: number; valueSum: number; labels: Map<string, number> }>();
  for (const byName of tallies) {
    for (const [name, t] of byName ?? []) {
      let sum = pooled.get(name);
      if (sum === undefined) pooled.set(name, (sum = { count: 0, valueCount: 0, valueSum: 0, labels: new Map() }));
      sum.count += t.count;
      sum.valueCount += t.valueCount;
      sum.valueSum += t.valueSum;
      for (const [label, n] of t.labels) sum.labels.set(label, (sum.labels.get(label) ?? 0) + n);
    }
  }
  return Object.fromEntries(
    [...pooled].map(([name, t]) => [
      name,
      { mean: t.valueCount === 0 ? null : t.valueSum / t.valueCount, count: t.count, labels: Object.fromEntries(t.labels) },
    ]),
  );
}

export function logFromData(r: LogRecordData): LogRecord {
  return {
    logId: r.logId,
    time: isoFromMicros(r.timeUs),
    observedTime: isoFromMicros(r.observedTimeUs),
    traceId: r.traceId,
    spanId: r.spanId,
    flags: r.flags,
    severityNumber: r.severityNumber,
    severityText: r.severityText,
    body: r.body,
    bodyBytes: r.bodyBytes === true,
    attributes: r.attributes,
    resource: r.resource.attributes,
    resourceSchemaUrl: r.resource.schemaUrl,
    scope: apiScope(r.scope),
    serviceName: r.serviceName,
    eventName: r.eventName,
    droppedAttributesCount: r.droppedAttributesCount,
  };
}

export function metricPointFromRecord(r: MetricPointRecord): MetricPoint {
  const { projectId: _project, resource, scope, startTimeUs, timeUs, exemplars, ...rest } = r;
  return {
    ...rest,
    resource: resource.attributes,
    resourceSchemaUrl: resource.schemaUrl,
    scope: apiScope(scope),
    startTime: startTimeUs === null ? null : isoFromMicros(startTimeUs),
    time: isoFromMicros(timeUs),
    exemplars: exemplars.map(({ timeUs: t, ...e }) => ({ ...e, time: isoFromMicros(t) })),
  };
}

/** A stored scope as the API gives it: with its schema URL, `''` for one stored before Spoor kept it. */
export function apiScope(scope: InstrumentationScope): ApiScope {
  return typeof scope.schemaUrl === 'string' ? (scope as ApiScope) : { ...scope, schemaUrl: '' };
}
