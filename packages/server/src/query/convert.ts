import {
  type ApiScope,
  type InstrumentationScope,
  isoFromMicros,
  type LogRecord,
  type LogRecordData,
  type MetricPoint,
  type MetricPointRecord,
  type TraceSummary,
  type TraceSummaryRecord,
} from '@spoor/model';

/** Converters from stored records (epoch microseconds) to API shapes (ISO-8601, milliseconds). */

export function traceSummaryFromRecord(r: TraceSummaryRecord): TraceSummary {
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
    sessionId: r.sessionId,
    userId: r.userId,
  };
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
