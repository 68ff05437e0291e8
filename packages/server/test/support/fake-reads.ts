import {
  SPAN_CATEGORIES,
  SPOOR_SERVICE_NAME,
  STATUS_CODES,
  type Attributes,
  type ScoreFilter,
  type LogQuery,
  type LogRecordData,
  type MetricPointQuery,
  type MetricPointRecord,
  type SpanRecord,
  type TimeRange,
  type TraceOrigin,
  type TraceQuery,
  type TraceSummaryRecord,
  traceSortKey,
} from '@spoor/model';
import type { MetricDescriptorRecord, ServiceRecord, TimeKey, TreeKey, TreePage } from '../../src/store/store.js';
import type { StoredLog, StoredSpan, StoredTrace } from '../../src/store/stored-trace.js';
import { type TraceTimings, traceTimingsOf } from '../../src/store/trace-timings.js';
import type { TracePart } from '../../src/store/trace-parts.js';

/**
 * The read side of the in-memory fake store, over what it committed: plain loops that say what
 * each read means, as the store contract suites state it. Slow by design, small by design.
 */

/** What the fake has committed, as the reads see it. */
export interface FakeData {
  spans: SpanRecord[];
  logs: LogRecordData[];
  metricPoints: MetricPointRecord[];
  parts: TracePart[];
}

export const inRange = (timeUs: number, range: TimeRange): boolean =>
  (range.fromUs === null || timeUs >= range.fromUs) && (range.toUs === null || timeUs < range.toUs);

/** SQL's `ILIKE '%text%'`: case-insensitive containment. */
export const contains = (haystack: string, needle: string): boolean => haystack.toLowerCase().includes(needle.toLowerCase());

/** An attribute's value as text, as `json_extract_string` reads it: `null` when absent or null. */
export function attributeText(attributes: Attributes, key: string): string | null {
  // Own keys only: a query may name `constructor`, which every object has.
  const value = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The span's own attribute, else its resource's: what `attr=key=value` filters match. */
export function spanAttributeMatches(span: SpanRecord, key: string, value: string): boolean {
  return attributeText(span.attributes, key) === value || attributeText(span.resource.attributes, key) === value;
}

export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function storedSpanOf(s: SpanRecord): StoredSpan {
  const { attributes, resource, scope, events, links, ...fields } = s;
  return {
    ...fields,
    llm: fields.llm === null ? null : { ...fields.llm, costUsd: finite(fields.llm.costUsd), timeToFirstTokenMs: finite(fields.llm.timeToFirstTokenMs) },
    attributesJson: JSON.stringify(attributes),
    resourceJson: JSON.stringify(resource),
    scopeJson: JSON.stringify(scope),
    eventsJson: JSON.stringify(events),
    linksJson: JSON.stringify(links),
  };
}

/** A stored number that is NaN or infinite reads back as unknown. */
export function finite(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : value;
}

export function storedLogOf(l: LogRecordData): StoredLog {
  const { body, attributes, resource, scope, ...fields } = l;
  return {
    ...fields,
    bodyJson: JSON.stringify(body),
    attributesJson: JSON.stringify(attributes),
    resourceJson: JSON.stringify(resource),
    scopeJson: JSON.stringify(scope),
  };
}

/** A trace's summary: the sum of its parts (`trace-parts.ts`). */
export function summaryOf(traceId: string, parts: readonly TracePart[]): TraceSummaryRecord {
  let first = parts[0]!;
  const sum = (pick: (p: TracePart) => number | null): number | null =>
    parts.reduce<number | null>((total, p) => (pick(p) === null ? total : (total ?? 0) + pick(p)!), null);
  /** SQL's `max` of text: the greatest value that is not null. */
  const max = (pick: (p: TracePart) => string | null): string | null =>
    parts.reduce<string | null>((best, p) => (pick(p) !== null && (best === null || pick(p)! > best) ? pick(p) : best), null);
  for (const part of parts) if (part.startUs < first.startUs) first = part;
  return {
    traceId,
    rootName: max((p) => p.rootName) ?? first.firstName,
    serviceName: max((p) => p.rootService) ?? first.firstService,
    startTimeUs: Math.min(...parts.map((p) => p.startUs)),
    endTimeUs: Math.max(...parts.map((p) => p.endUs)),
    spanCount: parts.reduce((n, p) => n + p.spanCount, 0),
    errorCount: parts.reduce((n, p) => n + p.errorCount, 0),
    inputTokens: sum((p) => p.inputTokens),
    outputTokens: sum((p) => p.outputTokens),
    costUsd: sum((p) => p.costUsd),
    unpricedCalls: parts.reduce((n, p) => n + (p.unpricedCalls ?? 0), 0),
    sessionId: max((p) => p.sessionId),
    userId: max((p) => p.userId),
  };
}

/** Every trace's summary of a project. */
export function summaries(data: FakeData, projectId: string): TraceSummaryRecord[] {
  const parts = new Map<string, TracePart[]>();
  for (const part of data.parts) {
    if (part.projectId !== projectId) continue;
    const list = parts.get(part.traceId);
    if (list === undefined) parts.set(part.traceId, [part]);
    else list.push(part);
  }
  return [...parts].map(([traceId, list]) => summaryOf(traceId, list));
}

/** `scored` gives the traces whose scores meet a score filter; `running`, the running snapshots the span filters look at beside the stored spans. */
export function listTraces(
  data: FakeData,
  query: TraceQuery,
  after: TimeKey | null,
  limit: number,
  scored: (filter: ScoreFilter) => Set<string>,
  running: readonly SpanRecord[] = [],
): TraceSummaryRecord[] {
  const meeting = query.scores.map(scored);
  const spoors = (traceId: string): boolean =>
    data.parts.some((p) => p.projectId === query.projectId && p.traceId === traceId && p.firstService === SPOOR_SERVICE_NAME);
  const spanFilters =
    query.service !== null || query.spanName !== null || query.text !== null || query.sessionId !== null || query.model !== null || query.attributes.length > 0;
  let matched: Set<string> | null = null;
  if (spanFilters) {
    matched = new Set(
      [...data.spans, ...running]
        .filter(
          (s) =>
            s.projectId === query.projectId &&
            (query.range.fromUs === null || s.startTimeUs >= query.range.fromUs) &&
            (query.service === null || s.serviceName === query.service) &&
            (query.spanName === null || s.name === query.spanName) &&
            (query.text === null || contains(s.name, query.text)) &&
            (query.sessionId === null || s.sessionId === query.sessionId) &&
            (query.model === null || s.llm?.requestModel === query.model || s.llm?.responseModel === query.model) &&
            query.attributes.every(({ key, value }) => spanAttributeMatches(s, key, value)),
        )
        .map((s) => s.traceId),
    );
  }
  return summaries(data, query.projectId)
    .filter((t) => matched === null || matched.has(t.traceId))
    .filter((t) => meeting.every((traces) => traces.has(t.traceId)))
    .filter((t) => inRange(t.startTimeUs, query.range))
    .filter((t) => query.status === null || (query.status === 'error' ? t.errorCount > 0 : t.errorCount === 0))
    .filter((t) => query.minDurationMs === null || t.endTimeUs - t.startTimeUs >= query.minDurationMs * 1000)
    .filter((t) => query.maxDurationMs === null || t.endTimeUs - t.startTimeUs <= query.maxDurationMs * 1000)
    .filter((t) => ofOrigin(query.origin, spoors(t.traceId)))
    .map((t) => ({ t, key: traceSortKey(query.sort ?? 'start', t) }))
    .filter(({ t, key }) => after === null || key < after.timeUs || (key === after.timeUs && t.traceId < after.id))
    .sort((a, b) => b.key - a.key || byText(b.t.traceId, a.t.traceId))
    .map(({ t }) => t)
    .slice(0, limit);
}

const spansOf = (data: FakeData, projectId: string, traceId: string): SpanRecord[] =>
  data.spans.filter((s) => s.projectId === projectId && s.traceId === traceId);

const logsOf = (data: FakeData, projectId: string, traceId: string): LogRecordData[] =>
  data.logs.filter((l) => l.projectId === projectId && l.traceId === traceId).sort((a, b) => a.timeUs - b.timeUs || byText(a.logId, b.logId));

export function getTrace(data: FakeData, projectId: string, traceId: string, spanId?: string): StoredTrace | null {
  const spans = spansOf(data, projectId, traceId);
  if (spans.length === 0) return null;
  if (spanId === undefined) return { spans: spans.map(storedSpanOf), logs: logsOf(data, projectId, traceId).map(storedLogOf) };
  return {
    spans: spans.filter((s) => s.spanId === spanId).map(storedSpanOf),
    logs: logsOf(data, projectId, traceId)
      .filter((l) => l.spanId === spanId)
      .map(storedLogOf),
  };
}

export function countTraceSpans(data: FakeData, projectId: string, traceId: string): number {
  return data.parts.filter((p) => p.projectId === projectId && p.traceId === traceId).reduce((n, p) => n + p.spanCount, 0);
}

/** A trace's texts' bytes summed from its parts, as the engines read them; `null` when a part lacks them (its spans then tell). */
export function partsTextBytes(data: FakeData, projectId: string, traceId: string): number | null {
  let bytes = 0;
  for (const p of data.parts) {
    if (p.projectId !== projectId || p.traceId !== traceId) continue;
    if (p.textBytes === null) return null;
    bytes += p.textBytes;
  }
  return bytes;
}

export function getTraceSpans(data: FakeData, projectId: string, traceId: string, spanIds: readonly string[], traceLogs: boolean): StoredTrace {
  const spans = spansOf(data, projectId, traceId);
  const page = new Set(spanIds);
  const inTrace = new Set(spans.map((s) => s.spanId));
  const logs = logsOf(data, projectId, traceId).filter(
    (l) => (l.spanId !== null && page.has(l.spanId)) || (traceLogs && (l.spanId === null || !inTrace.has(l.spanId))),
  );
  return { spans: spans.filter((s) => page.has(s.spanId)).map(storedSpanOf), logs: logs.map(storedLogOf) };
}

/** A page of the tree: the spans in (start, span id) order after `after`, as the engines read them. */
export function getTreePage(data: FakeData, projectId: string, traceId: string, after: TreeKey | null, limit: number): TreePage {
  const spans = spansOf(data, projectId, traceId)
    .filter((s) => after === null || s.startTimeUs > after.startUs || (s.startTimeUs === after.startUs && s.spanId > after.spanId))
    .sort((a, b) => a.startTimeUs - b.startTimeUs || byText(a.spanId, b.spanId))
    .slice(0, limit);
  const llm = (s: SpanRecord) => (s.llm !== null && (s.category === 'llm' || s.category === 'embedding') ? s.llm : null);
  const last = spans.at(-1);
  return {
    columns: {
      spanIds: spans.map((s) => s.spanId),
      parentSpanIds: spans.map((s) => s.parentSpanId),
      names: spans.map((s) => s.name),
      services: spans.map((s) => s.serviceName),
      models: spans.map((s) => llm(s)?.responseModel ?? llm(s)?.requestModel ?? null),
      startsUs: spans.map((s) => s.startTimeUs),
      durationsUs: spans.map((s) => s.endTimeUs - s.startTimeUs),
      statusCodes: spans.map((s) => STATUS_CODES.indexOf(s.status.code)),
      categories: spans.map((s) => SPAN_CATEGORIES.indexOf(s.category)),
      inputTokens: spans.map((s) => llm(s)?.inputTokens ?? null),
      outputTokens: spans.map((s) => llm(s)?.outputTokens ?? null),
      costUsd: spans.map((s) => finite(llm(s)?.costUsd ?? null)),
      events: spans.flatMap((s, i) => s.events.map((e) => [i, e.timeUs, e.name] as [number, number, string])),
    },
    sessionId: spans.find((s) => s.sessionId !== null)?.sessionId ?? null,
    last: last === undefined ? null : { startUs: last.startTimeUs, spanId: last.spanId },
  };
}

export function getTraceLogs(data: FakeData, projectId: string, traceId: string): StoredLog[] {
  return spansOf(data, projectId, traceId).length === 0 ? [] : logsOf(data, projectId, traceId).map(storedLogOf);
}

export function searchTrace(data: FakeData, projectId: string, traceId: string, text: string, limit: number): string[] {
  return spansOf(data, projectId, traceId)
    .filter((s) => contains(JSON.stringify(s.attributes), text) || contains(s.status.message, text) || contains(JSON.stringify(s.events), text))
    .sort((a, b) => a.startTimeUs - b.startTimeUs || byText(a.spanId, b.spanId))
    .slice(0, limit)
    .map((s) => s.spanId);
}

export function getTraceTimings(data: FakeData, projectId: string, traceId: string): TraceTimings | null {
  const spans = spansOf(data, projectId, traceId);
  return spans.length === 0 ? null : traceTimingsOf(spans);
}

export function listServices(data: FakeData, projectId: string, range: TimeRange): ServiceRecord[] {
  const services = new Map<string, ServiceRecord>();
  const entry = (name: string): ServiceRecord => {
    let found = services.get(name);
    if (found === undefined) {
      found = { name, spanCount: 0, errorCount: 0, logCount: 0, metricPointCount: 0, lastSeenUs: -Infinity };
      services.set(name, found);
    }
    return found;
  };
  for (const s of data.spans) {
    if (s.projectId !== projectId || !inRange(s.startTimeUs, range)) continue;
    const e = entry(s.serviceName);
    e.spanCount++;
    if (s.status.code === 'error') e.errorCount++;
    e.lastSeenUs = Math.max(e.lastSeenUs, s.startTimeUs);
  }
  for (const l of data.logs) {
    if (l.projectId !== projectId || !inRange(l.timeUs, range)) continue;
    const e = entry(l.serviceName);
    e.logCount++;
    e.lastSeenUs = Math.max(e.lastSeenUs, l.timeUs);
  }
  for (const p of data.metricPoints) {
    if (p.projectId !== projectId || !inRange(p.timeUs, range)) continue;
    const e = entry(p.serviceName);
    e.metricPointCount++;
    e.lastSeenUs = Math.max(e.lastSeenUs, p.timeUs);
  }
  return [...services.values()].sort((a, b) => byText(a.name, b.name));
}

/** A log body as the text search reads it. */
const bodyText = (body: unknown): string => (typeof body === 'string' ? body : JSON.stringify(body));

export function listLogs(data: FakeData, query: LogQuery, after: TimeKey | null, limit: number): LogRecordData[] {
  return data.logs
    .filter(
      (l) =>
        l.projectId === query.projectId &&
        inRange(l.timeUs, query.range) &&
        (query.minSeverity === null || l.severityNumber >= query.minSeverity) &&
        (query.service === null || l.serviceName === query.service) &&
        (query.traceId === null || l.traceId === query.traceId) &&
        (query.text === null || contains(bodyText(l.body), query.text)) &&
        (after === null || l.timeUs < after.timeUs || (l.timeUs === after.timeUs && l.logId < after.id)),
    )
    .sort((a, b) => b.timeUs - a.timeUs || byText(b.logId, a.logId))
    .slice(0, limit);
}

export function listMetrics(data: FakeData, projectId: string, range: TimeRange): MetricDescriptorRecord[] {
  const byName = new Map<string, { latest: MetricPointRecord; count: number }>();
  for (const p of data.metricPoints) {
    if (p.projectId !== projectId || !inRange(p.timeUs, range)) continue;
    const e = byName.get(p.name);
    if (e === undefined) byName.set(p.name, { latest: p, count: 1 });
    else {
      e.count++;
      if (p.timeUs >= e.latest.timeUs) e.latest = p;
    }
  }
  return [...byName.values()]
    .map(({ latest, count }) => ({
      name: latest.name,
      type: latest.type,
      unit: latest.unit,
      description: latest.description,
      pointCount: count,
      lastSeenUs: latest.timeUs,
    }))
    .sort((a, b) => byText(a.name, b.name));
}

export function listMetricPoints(data: FakeData, query: MetricPointQuery, offset: number, limit: number): MetricPointRecord[] {
  return data.metricPoints
    .filter(
      (p) =>
        p.projectId === query.projectId &&
        p.name === query.name &&
        inRange(p.timeUs, query.range) &&
        (query.service === null || p.serviceName === query.service),
    )
    .sort(
      (a, b) =>
        b.timeUs - a.timeUs ||
        byText(a.serviceName, b.serviceName) ||
        byText(JSON.stringify(a.attributes), JSON.stringify(b.attributes)) ||
        (a.startTimeUs ?? 0) - (b.startTimeUs ?? 0),
    )
    .slice(offset, offset + limit);
}

export function readMetricPoints(data: FakeData, projectId: string, names: readonly string[], range: TimeRange, service: string | null): MetricPointRecord[] {
  return data.metricPoints
    .filter((p) => p.projectId === projectId && names.includes(p.name) && inRange(p.timeUs, range) && (service === null || p.serviceName === service))
    .sort((a, b) => a.timeUs - b.timeUs);
}

/** Whether a trace or span, Spoor's own (`spoors`) or not, is of `origin` (absent: all). */
export const ofOrigin = (origin: TraceOrigin | undefined, spoors: boolean): boolean => (origin === 'app' ? !spoors : origin === 'spoor' ? spoors : true);
