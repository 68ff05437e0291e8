import {
  type Attributes,
  type ErrorOccurrenceRecord,
  type LogRecordData,
  type MetricPointRecord,
  type Resource,
  type ScoreRecord,
  type SpanFilter,
  type SpanRecord,
  type TraceQuery,
  scoreIdOf,
} from '@spoor/model';

/** Record builders for the store contract suites: a valid record of each kind, with overrides. */

export const T0 = 1_763_719_200_000_000;
export const ALL = { fromUs: null, toUs: null };

export function tid(n: number): string {
  return n.toString(16).padStart(32, '0');
}

export function sid(n: number): string {
  return n.toString(16).padStart(16, '0');
}

export function emptyLlm(): NonNullable<SpanRecord['llm']> {
  return {
    provider: null,
    operation: null,
    requestModel: null,
    responseModel: null,
    inputTokens: null,
    outputTokens: null,
    totalTokens: null,
    cacheReadInputTokens: null,
    cacheCreationInputTokens: null,
    reasoningTokens: null,
    costUsd: null,
    costSource: null,
    timeToFirstTokenMs: null,
    finishReasons: null,
  };
}

/** A resource of a service, with further attributes (`service.version`, ...). */
export function resource(serviceName: string, attributes: Attributes = {}): Resource {
  return { attributes: { 'service.name': serviceName, ...attributes }, droppedAttributesCount: 0, schemaUrl: '' };
}

export function span(overrides: Partial<SpanRecord> = {}): SpanRecord {
  return {
    projectId: 'default',
    traceId: tid(1),
    spanId: sid(1),
    parentSpanId: null,
    traceState: '',
    flags: 1,
    name: 'op',
    kind: 'server',
    serviceName: 'checkout',
    startTimeUs: T0,
    endTimeUs: T0 + 100,
    status: { code: 'unset', message: '' },
    attributes: {},
    resource: { attributes: { 'service.name': overrides.serviceName ?? 'checkout' }, droppedAttributesCount: 0, schemaUrl: '' },
    scope: { name: 'test', version: '1.0.0', attributes: {}, droppedAttributesCount: 0 },
    events: [],
    links: [],
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    llm: null,
    sessionId: null,
    userId: null,
    category: 'other',
    ...overrides,
  };
}

export function log(overrides: Partial<LogRecordData> = {}): LogRecordData {
  return {
    projectId: 'default',
    logId: 'l1',
    timeUs: T0,
    observedTimeUs: T0 + 3,
    traceId: null,
    spanId: null,
    flags: 0,
    severityNumber: 9,
    severityText: 'INFO',
    body: 'hello',
    attributes: { k: 'v' },
    resource: { attributes: { 'service.name': 'checkout' }, droppedAttributesCount: 0, schemaUrl: '' },
    scope: { name: 'logger', version: '', attributes: {}, droppedAttributesCount: 0 },
    serviceName: 'checkout',
    eventName: '',
    droppedAttributesCount: 0,
    ...overrides,
  };
}

export function point(overrides: Partial<MetricPointRecord> = {}): MetricPointRecord {
  return {
    projectId: 'default',
    name: 'm',
    description: 'a metric',
    unit: '1',
    type: 'gauge',
    temporality: 'unspecified',
    isMonotonic: null,
    serviceName: 'checkout',
    resource: { attributes: { 'service.name': 'checkout' }, droppedAttributesCount: 0, schemaUrl: '' },
    scope: { name: 'meter', version: '', attributes: {}, droppedAttributesCount: 0 },
    attributes: { route: '/a' },
    startTimeUs: T0 - 10,
    timeUs: T0,
    flags: 0,
    value: null,
    intValue: null,
    count: null,
    sum: null,
    min: null,
    max: null,
    bucketCounts: null,
    explicitBounds: null,
    scale: null,
    zeroCount: null,
    zeroThreshold: null,
    positive: null,
    negative: null,
    quantiles: null,
    exemplars: [],
    ...overrides,
  };
}

export function query(overrides: Partial<TraceQuery> = {}): TraceQuery {
  return {
    projectId: 'default',
    range: ALL,
    service: null,
    spanName: null,
    text: null,
    status: null,
    minDurationMs: null,
    maxDurationMs: null,
    attributes: [],
    sessionId: null,
    model: null,
    scores: [],
    limit: 50,
    cursor: null,
    ...overrides,
  };
}

export function logQuery(overrides: Partial<{ projectId: string; minSeverity: number; service: string; traceId: string; text: string }> = {}) {
  return { projectId: 'default', range: ALL, minSeverity: null, service: null, traceId: null, text: null, limit: 50, cursor: null, ...overrides };
}

/** A filter that lets every span of the default project through. */
export function spanFilter(overrides: Partial<SpanFilter> = {}): SpanFilter {
  return {
    projectId: 'default',
    range: ALL,
    service: null,
    spanName: null,
    text: null,
    status: null,
    minDurationMs: null,
    maxDurationMs: null,
    attributes: [],
    sessionId: null,
    model: null,
    kind: null,
    category: null,
    rootOnly: false,
    ...overrides,
  };
}

export function errorOccurrence(overrides: Partial<ErrorOccurrenceRecord> = {}): ErrorOccurrenceRecord {
  return {
    projectId: 'default',
    fingerprint: 'fp',
    timeUs: T0,
    traceId: tid(1),
    spanId: sid(1),
    parentSpanId: null,
    serviceName: 'checkout',
    spanName: 'op',
    message: 'boom',
    source: 'span',
    exceptionType: 'Error',
    messageKey: 'boom',
    frame: null,
    provider: null,
    httpStatus: null,
    errorType: null,
    finishReason: null,
    toolName: null,
    ...overrides,
  };
}

/** A score of span 1 of trace 1 by default; its id follows from its slot, as ingest and the API make it. */
export function scoreRecord(overrides: Partial<Omit<ScoreRecord, 'scoreId'>> = {}): ScoreRecord {
  const s = {
    projectId: 'default',
    timeUs: T0,
    traceId: tid(1),
    spanId: sid(1),
    sessionId: null,
    responseId: null,
    name: 'faithfulness',
    value: 0.5,
    label: null,
    comment: null,
    source: 'api' as const,
    author: 'key-1',
    ...overrides,
  };
  return { ...s, scoreId: scoreIdOf(s) };
}
