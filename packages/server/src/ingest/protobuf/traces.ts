import { SPAN_KINDS, STATUS_CODES, type Attributes, type SpanEventRecord, type SpanLink, type SpanRecord, type SpanStatus } from '@spoor/model';
import { type DecodedSpans, Rejections, spanIdsProblem } from '../decoded.js';
import { emptyResource, emptyScope, readKeyValue } from './common.js';
import { readExportRequest } from './envelope.js';
import {
  type BinaryReader,
  WT_I32,
  WT_I64,
  WT_LEN,
  WT_VARINT,
  expectEnd,
  fields,
  hexOf,
  messageEnd,
  readMicros,
  readString,
  skipField,
  tagOf,
} from './wire.js';

// opentelemetry/proto/collector/trace/v1/trace_service.proto and trace/v1/trace.proto
export const SPAN_TRACE_ID = tagOf(1, WT_LEN);
export const SPAN_SPAN_ID = tagOf(2, WT_LEN);
export const SPAN_TRACE_STATE = tagOf(3, WT_LEN);
export const SPAN_PARENT_SPAN_ID = tagOf(4, WT_LEN);
export const SPAN_NAME = tagOf(5, WT_LEN);
export const SPAN_KIND = tagOf(6, WT_VARINT);
export const SPAN_START = tagOf(7, WT_I64);
export const SPAN_END = tagOf(8, WT_I64);
export const SPAN_ATTRIBUTES = tagOf(9, WT_LEN);
export const SPAN_DROPPED_ATTRIBUTES = tagOf(10, WT_VARINT);
export const SPAN_EVENTS = tagOf(11, WT_LEN);
export const SPAN_DROPPED_EVENTS = tagOf(12, WT_VARINT);
export const SPAN_LINKS = tagOf(13, WT_LEN);
export const SPAN_DROPPED_LINKS = tagOf(14, WT_VARINT);
export const SPAN_STATUS = tagOf(15, WT_LEN);
export const SPAN_FLAGS = tagOf(16, WT_I32);
const EVENT_TIME = tagOf(1, WT_I64);
const EVENT_NAME = tagOf(2, WT_LEN);
const EVENT_ATTRIBUTES = tagOf(3, WT_LEN);
const EVENT_DROPPED = tagOf(4, WT_VARINT);
const LINK_TRACE_ID = tagOf(1, WT_LEN);
const LINK_SPAN_ID = tagOf(2, WT_LEN);
const LINK_TRACE_STATE = tagOf(3, WT_LEN);
const LINK_ATTRIBUTES = tagOf(4, WT_LEN);
const LINK_DROPPED = tagOf(5, WT_VARINT);
const LINK_FLAGS = tagOf(6, WT_I32);
const STATUS_MESSAGE = tagOf(2, WT_LEN);
const STATUS_CODE = tagOf(3, WT_VARINT);

export const SPAN_FIELDS = fields(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
const EVENT_FIELDS = fields(1, 2, 3, 4);
const LINK_FIELDS = fields(1, 2, 3, 4, 5, 6);
const STATUS_FIELDS = fields(2, 3);

/** Decodes an `ExportTraceServiceRequest` body into canonical span records. */
export function decodeTracesProtobuf(body: Uint8Array, projectId: string): DecodedSpans {
  const rejections = new Rejections();
  const spans = readExportRequest<SpanRecord>(body, 'Spans', projectId, readSpan, rejections);
  return rejections.decoded(spans);
}

const PLACEHOLDER_RESOURCE = emptyResource();
const PLACEHOLDER_SCOPE = emptyScope();

function readSpan(r: BinaryReader, projectId: string, out: SpanRecord[], rejections: Rejections): void {
  const end = messageEnd(r);
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let traceState = '';
  let name = '';
  let kind = 0;
  let startTimeUs = 0;
  let endTimeUs = 0;
  const attributes: Attributes = {};
  let droppedAttributesCount = 0;
  const events: SpanEventRecord[] = [];
  let droppedEventsCount = 0;
  const links: SpanLink[] = [];
  let droppedLinksCount = 0;
  let status: SpanStatus = OK_UNSET;
  let flags = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case SPAN_TRACE_ID:
        traceId = hexOf(r.bytes());
        break;
      case SPAN_SPAN_ID:
        spanId = hexOf(r.bytes());
        break;
      case SPAN_TRACE_STATE:
        traceState = readString(r);
        break;
      case SPAN_PARENT_SPAN_ID:
        parentSpanId = hexOf(r.bytes());
        break;
      case SPAN_NAME:
        name = readString(r);
        break;
      case SPAN_KIND:
        kind = r.int32();
        break;
      case SPAN_START:
        startTimeUs = readMicros(r);
        break;
      case SPAN_END:
        endTimeUs = readMicros(r);
        break;
      case SPAN_ATTRIBUTES:
        readKeyValue(r, attributes);
        break;
      case SPAN_DROPPED_ATTRIBUTES:
        droppedAttributesCount = r.uint32();
        break;
      case SPAN_EVENTS:
        events.push(readEvent(r));
        break;
      case SPAN_DROPPED_EVENTS:
        droppedEventsCount = r.uint32();
        break;
      case SPAN_LINKS:
        links.push(readLink(r));
        break;
      case SPAN_DROPPED_LINKS:
        droppedLinksCount = r.uint32();
        break;
      case SPAN_STATUS:
        status = readStatus(r);
        break;
      case SPAN_FLAGS:
        flags = r.fixed32();
        break;
      default:
        skipField(r, tag, SPAN_FIELDS, 'Span');
    }
  }
  expectEnd(r, end);
  const problem = spanIdsProblem(traceId, spanId, parentSpanId);
  if (problem !== null) {
    rejections.add(1, problem);
    return;
  }
  out.push({
    projectId,
    traceId,
    spanId,
    parentSpanId: parentSpanId === '' ? null : parentSpanId,
    traceState,
    flags,
    name,
    kind: SPAN_KINDS[kind] ?? 'unspecified',
    serviceName: '',
    startTimeUs,
    endTimeUs,
    status,
    attributes,
    resource: PLACEHOLDER_RESOURCE,
    scope: PLACEHOLDER_SCOPE,
    events,
    links,
    droppedAttributesCount,
    droppedEventsCount,
    droppedLinksCount,
    llm: null,
    sessionId: null,
    userId: null,
    category: 'other',
  });
}

export const OK_UNSET: SpanStatus = Object.freeze({ code: 'unset', message: '' }) as SpanStatus;

export function readEvent(r: BinaryReader): SpanEventRecord {
  const end = messageEnd(r);
  const event: SpanEventRecord = { timeUs: 0, name: '', attributes: {}, droppedAttributesCount: 0 };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case EVENT_TIME:
        event.timeUs = readMicros(r);
        break;
      case EVENT_NAME:
        event.name = readString(r);
        break;
      case EVENT_ATTRIBUTES:
        readKeyValue(r, event.attributes);
        break;
      case EVENT_DROPPED:
        event.droppedAttributesCount = r.uint32();
        break;
      default:
        skipField(r, tag, EVENT_FIELDS, 'Span.Event');
    }
  }
  expectEnd(r, end);
  return event;
}

export function readLink(r: BinaryReader): SpanLink {
  const end = messageEnd(r);
  const link: SpanLink = { traceId: '', spanId: '', traceState: '', attributes: {}, droppedAttributesCount: 0, flags: 0 };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case LINK_TRACE_ID:
        link.traceId = hexOf(r.bytes());
        break;
      case LINK_SPAN_ID:
        link.spanId = hexOf(r.bytes());
        break;
      case LINK_TRACE_STATE:
        link.traceState = readString(r);
        break;
      case LINK_ATTRIBUTES:
        readKeyValue(r, link.attributes);
        break;
      case LINK_DROPPED:
        link.droppedAttributesCount = r.uint32();
        break;
      case LINK_FLAGS:
        link.flags = r.fixed32();
        break;
      default:
        skipField(r, tag, LINK_FIELDS, 'Span.Link');
    }
  }
  expectEnd(r, end);
  return link;
}

export function readStatus(r: BinaryReader): SpanStatus {
  const end = messageEnd(r);
  let message = '';
  let code = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === STATUS_MESSAGE) message = readString(r);
    else if (tag === STATUS_CODE) code = r.int32();
    else skipField(r, tag, STATUS_FIELDS, 'Status');
  }
  expectEnd(r, end);
  return { code: STATUS_CODES[code] ?? 'unset', message };
}
