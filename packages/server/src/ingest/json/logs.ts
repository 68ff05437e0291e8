import type { LogRecordData } from '@spoor/model';
import { type DecodedLogs, Rejections } from '../decoded.js';
import { logRecordFrom } from '../protobuf/logs.js';
import { anyValue, attributes, forEachRecord, hexId, integer, isBytesValue, micros, parseJsonBody, string } from './common.js';

/** Decodes an OTLP/JSON `ExportLogsServiceRequest`. */
export function decodeLogsJson(body: Uint8Array, projectId: string, receivedUs: number): DecodedLogs {
  const request = parseJsonBody(body);
  const logs: LogRecordData[] = [];
  const rejections = new Rejections();
  forEachRecord(request, { resource: 'resourceLogs', scope: 'scopeLogs', records: 'logRecords' }, (l, { at, resource, scope, serviceName }) => {
    const record = logRecordFrom(
      projectId,
      receivedUs,
      {
        timeUs: micros(l.timeUnixNano, `${at}.timeUnixNano`),
        observedTimeUs: micros(l.observedTimeUnixNano, `${at}.observedTimeUnixNano`),
        severityNumber: integer(l.severityNumber, `${at}.severityNumber`),
        severityText: string(l.severityText, `${at}.severityText`),
        body: anyValue(l.body, `${at}.body`),
        bodyBytes: isBytesValue(l.body),
        attributes: attributes(l.attributes, `${at}.attributes`),
        droppedAttributesCount: integer(l.droppedAttributesCount, `${at}.droppedAttributesCount`),
        flags: integer(l.flags, `${at}.flags`),
        traceId: hexId(l.traceId, `${at}.traceId`),
        spanId: hexId(l.spanId, `${at}.spanId`),
        eventName: string(l.eventName, `${at}.eventName`),
      },
      rejections,
    );
    if (record === null) return;
    record.resource = resource;
    record.scope = scope;
    record.serviceName = serviceName;
    logs.push(record);
  });
  return { records: logs, rejected: rejections.count, rejectReason: rejections.reason };
}
