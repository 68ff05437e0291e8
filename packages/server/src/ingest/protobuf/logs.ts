import type { AttributeValue, Attributes, LogRecordData } from '@spoor/model';
import { type DecodedLogs, Rejections, logIdsProblem } from '../decoded.js';
import { nextLogId } from '../log-id.js';
import { type ValueKind, emptyResource, emptyScope, readAnyValue, readKeyValue } from './common.js';
import { type RecordReader, readExportRequest } from './envelope.js';
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

// opentelemetry/proto/collector/logs/v1/logs_service.proto and logs/v1/logs.proto
const LOG_TIME = tagOf(1, WT_I64);
const LOG_SEVERITY_NUMBER = tagOf(2, WT_VARINT);
const LOG_SEVERITY_TEXT = tagOf(3, WT_LEN);
const LOG_BODY = tagOf(5, WT_LEN);
const LOG_ATTRIBUTES = tagOf(6, WT_LEN);
const LOG_DROPPED_ATTRIBUTES = tagOf(7, WT_VARINT);
const LOG_FLAGS = tagOf(8, WT_I32);
const LOG_TRACE_ID = tagOf(9, WT_LEN);
const LOG_SPAN_ID = tagOf(10, WT_LEN);
const LOG_OBSERVED_TIME = tagOf(11, WT_I64);
const LOG_EVENT_NAME = tagOf(12, WT_LEN);

const LOG_FIELDS = fields(1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12);

const PLACEHOLDER_RESOURCE = emptyResource();
const PLACEHOLDER_SCOPE = emptyScope();
/** Told by each body read whether it was bytes (decoding is synchronous, so one serves all). */
const BODY_KIND: ValueKind = { bytes: false };

/**
 * Decodes an `ExportLogsServiceRequest` body. `receivedUs` stands in for the time of a record
 * that carries neither a time nor an observed time.
 */
export function decodeLogsProtobuf(body: Uint8Array, projectId: string, receivedUs: number): DecodedLogs {
  const rejections = new Rejections();
  const read: RecordReader<LogRecordData> = (r, project, out, rejected) => readLogRecord(r, project, receivedUs, out, rejected);
  const logs = readExportRequest(body, 'Logs', projectId, read, rejections);
  return rejections.decoded(logs);
}

function readLogRecord(r: BinaryReader, projectId: string, receivedUs: number, out: LogRecordData[], rejections: Rejections): void {
  const end = messageEnd(r);
  let timeUs = 0;
  let observedTimeUs = 0;
  let severityNumber = 0;
  let severityText = '';
  let body: AttributeValue = null;
  let bodyBytes = false;
  const attributes: Attributes = {};
  let droppedAttributesCount = 0;
  let flags = 0;
  let traceId = '';
  let spanId = '';
  let eventName = '';
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case LOG_TIME:
        timeUs = readMicros(r);
        break;
      case LOG_OBSERVED_TIME:
        observedTimeUs = readMicros(r);
        break;
      case LOG_SEVERITY_NUMBER:
        severityNumber = r.int32();
        break;
      case LOG_SEVERITY_TEXT:
        severityText = readString(r);
        break;
      case LOG_BODY:
        body = readAnyValue(r, 0, BODY_KIND);
        bodyBytes = BODY_KIND.bytes;
        break;
      case LOG_ATTRIBUTES:
        readKeyValue(r, attributes);
        break;
      case LOG_DROPPED_ATTRIBUTES:
        droppedAttributesCount = r.uint32();
        break;
      case LOG_FLAGS:
        flags = r.fixed32();
        break;
      case LOG_TRACE_ID:
        traceId = hexOf(r.bytes());
        break;
      case LOG_SPAN_ID:
        spanId = hexOf(r.bytes());
        break;
      case LOG_EVENT_NAME:
        eventName = readString(r);
        break;
      default:
        skipField(r, tag, LOG_FIELDS, 'LogRecord');
    }
  }
  expectEnd(r, end);
  const record = logRecordFrom(
    projectId,
    receivedUs,
    {
      timeUs,
      observedTimeUs,
      severityNumber,
      severityText,
      body,
      bodyBytes,
      attributes,
      droppedAttributesCount,
      flags,
      traceId,
      spanId,
      eventName,
    },
    rejections,
  );
  if (record !== null) out.push(record);
}

/** The fields a log record arrives with, before validation; shared by the protobuf and JSON decoders. */
export interface RawLogFields {
  timeUs: number;
  observedTimeUs: number;
  severityNumber: number;
  severityText: string;
  body: AttributeValue;
  /** The body was `bytes`, `body` their base64 text. */
  bodyBytes: boolean;
  attributes: Attributes;
  droppedAttributesCount: number;
  flags: number;
  traceId: string;
  spanId: string;
  eventName: string;
}

/** Validates a log record's fields and builds the record, or counts a rejection. */
export function logRecordFrom(projectId: string, receivedUs: number, raw: RawLogFields, rejections: Rejections): LogRecordData | null {
  const problem = logIdsProblem(raw.traceId, raw.spanId);
  if (problem !== null) {
    rejections.add(1, problem);
    return null;
  }
  // The spec says to use the observed time when the record's own time is unknown; a record
  // with neither gets the time it arrived rather than being dropped.
  const observedTimeUs = raw.observedTimeUs !== 0 ? raw.observedTimeUs : raw.timeUs !== 0 ? raw.timeUs : receivedUs;
  const zeroTrace = raw.traceId === '' || /^0+$/.test(raw.traceId);
  const zeroSpan = raw.spanId === '' || /^0+$/.test(raw.spanId);
  const record: LogRecordData = {
    projectId,
    logId: nextLogId(),
    timeUs: raw.timeUs !== 0 ? raw.timeUs : observedTimeUs,
    observedTimeUs,
    traceId: zeroTrace ? null : raw.traceId,
    spanId: zeroSpan ? null : raw.spanId,
    flags: raw.flags,
    severityNumber: raw.severityNumber,
    severityText: raw.severityText,
    body: raw.body,
    attributes: raw.attributes,
    resource: PLACEHOLDER_RESOURCE,
    scope: PLACEHOLDER_SCOPE,
    serviceName: '',
    eventName: raw.eventName,
    droppedAttributesCount: raw.droppedAttributesCount,
  };
  // Only a bytes body says so: records of other bodies are as they always were.
  if (raw.bodyBytes) record.bodyBytes = true;
  return record;
}
