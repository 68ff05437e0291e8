import { SPAN_KINDS, STATUS_CODES, type SpanRecord } from '@spoor/model';
import { type DecodedSpans, Rejections, spanIdsProblem } from '../decoded.js';
import { array, attributes, enumValue, eventOf, forEachRecord, hexId, integer, linkOf, micros, optionalObject, parseJsonBody, string } from './common.js';

/** Decodes an OTLP/JSON `ExportTraceServiceRequest`. */
export function decodeTracesJson(body: Uint8Array, projectId: string): DecodedSpans {
  const request = parseJsonBody(body);
  const spans: SpanRecord[] = [];
  const rejections = new Rejections();
  forEachRecord(request, { resource: 'resourceSpans', scope: 'scopeSpans', records: 'spans' }, (s, { at, resource, scope, serviceName }) => {
    const traceId = hexId(s.traceId, `${at}.traceId`);
    const spanId = hexId(s.spanId, `${at}.spanId`);
    const parentSpanId = hexId(s.parentSpanId, `${at}.parentSpanId`);
    const problem = spanIdsProblem(traceId, spanId, parentSpanId);
    if (problem !== null) {
      rejections.add(1, problem);
      return;
    }
    const status = optionalObject(s.status, `${at}.status`);
    spans.push({
      projectId,
      traceId,
      spanId,
      parentSpanId: parentSpanId === '' ? null : parentSpanId,
      traceState: string(s.traceState, `${at}.traceState`),
      flags: integer(s.flags, `${at}.flags`),
      name: string(s.name, `${at}.name`),
      kind: SPAN_KINDS[enumValue(s.kind, SPAN_KINDS, 'SPAN_KIND_', `${at}.kind`)] ?? 'unspecified',
      serviceName,
      startTimeUs: micros(s.startTimeUnixNano, `${at}.startTimeUnixNano`),
      endTimeUs: micros(s.endTimeUnixNano, `${at}.endTimeUnixNano`),
      status: {
        code: STATUS_CODES[enumValue(status?.code, STATUS_CODES, 'STATUS_CODE_', `${at}.status.code`)] ?? 'unset',
        message: string(status?.message, `${at}.status.message`),
      },
      attributes: attributes(s.attributes, `${at}.attributes`),
      resource,
      scope,
      events: array(s.events, `${at}.events`).map((e, n) => eventOf(e, `${at}.events[${n}]`)),
      links: array(s.links, `${at}.links`).map((l, n) => linkOf(l, `${at}.links[${n}]`)),
      droppedAttributesCount: integer(s.droppedAttributesCount, `${at}.droppedAttributesCount`),
      droppedEventsCount: integer(s.droppedEventsCount, `${at}.droppedEventsCount`),
      droppedLinksCount: integer(s.droppedLinksCount, `${at}.droppedLinksCount`),
      llm: null,
      sessionId: null,
      userId: null,
      category: 'other',
    });
  });
  return { records: spans, rejected: rejections.count, rejectReason: rejections.reason };
}
