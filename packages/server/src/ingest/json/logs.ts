import type { LogRecordData } from '@spoor/model';
import { type DecodedLogs, Rejections, serviceNameOf } from '../decoded.js';
import { logRecordFrom } from '../protobuf/logs.js';
import { anyValue, array, attributes, hexId, integer, micros, object, parseJsonBody, resource, scope, string } from './common.js';

/** Decodes an OTLP/JSON `ExportLogsServiceRequest`. */
export function decodeLogsJson(body: Uint8Array, projectId: string, receivedUs: number): DecodedLogs {
  const request = parseJsonBody(body);
  const logs: LogRecordData[] = [];
  const rejections = new Rejections();
  const resourceLogs = array(request.resourceLogs, 'resourceLogs');
  for (let i = 0; i < resourceLogs.length; i++) {
    const where = `resourceLogs[${i}]`;
    const rl = object(resourceLogs[i], where);
    const res = resource(rl.resource, string(rl.schemaUrl, `${where}.schemaUrl`), `${where}.resource`);
    const serviceName = serviceNameOf(res);
    const scopeLogs = array(rl.scopeLogs, `${where}.scopeLogs`);
    for (let j = 0; j < scopeLogs.length; j++) {
      const sl = object(scopeLogs[j], `${where}.scopeLogs[${j}]`);
      const sc = scope(sl.scope, `${where}.scopeLogs[${j}].scope`);
      const list = array(sl.logRecords, `${where}.scopeLogs[${j}].logRecords`);
      for (let k = 0; k < list.length; k++) {
        const at = `${where}.scopeLogs[${j}].logRecords[${k}]`;
        const l = object(list[k], at);
        const record = logRecordFrom(projectId, receivedUs, {
          timeUs: micros(l.timeUnixNano, `${at}.timeUnixNano`),
          observedTimeUs: micros(l.observedTimeUnixNano, `${at}.observedTimeUnixNano`),
          severityNumber: integer(l.severityNumber, `${at}.severityNumber`),
          severityText: string(l.severityText, `${at}.severityText`),
          body: anyValue(l.body, `${at}.body`),
          attributes: attributes(l.attributes, `${at}.attributes`),
          droppedAttributesCount: integer(l.droppedAttributesCount, `${at}.droppedAttributesCount`),
          flags: integer(l.flags, `${at}.flags`),
          traceId: hexId(l.traceId, `${at}.traceId`),
          spanId: hexId(l.spanId, `${at}.spanId`),
          eventName: string(l.eventName, `${at}.eventName`),
        }, rejections);
        if (record === null) continue;
        record.resource = res;
        record.scope = sc;
        record.serviceName = serviceName;
        logs.push(record);
      }
    }
  }
  return { records: logs, rejected: rejections.count, rejectReason: rejections.reason };
}
