import { decodeTracesJson } from '../../src/ingest/json/traces.js';
import { SCHEMA_URL, SCOPE_SCHEMA_URL, SPAN_ID, TRACE_ID } from './decode-fixtures.js';

/** Fixtures of the OTLP/JSON decoder tests. */

/** 2025-11-21T10:00:00.123456789Z, a nanosecond count past 2^53: exact only as a string. */
export const T0 = '1763719200123456789';

export type Json = Record<string, unknown>;

export const RESOURCE = {
  attributes: [
    { key: 'service.name', value: { stringValue: 'checkout' } },
    { key: 'host.name', value: { stringValue: 'web-1' } },
  ],
  droppedAttributesCount: 2,
};
export const SCOPE = { name: '@acme/tracer', version: '1.2.3', attributes: [{ key: 'scope.kind', value: { stringValue: 'auto' } }], droppedAttributesCount: 1 };
export const DECODED_RESOURCE = { attributes: { 'service.name': 'checkout', 'host.name': 'web-1' }, droppedAttributesCount: 2, schemaUrl: SCHEMA_URL };
export const DECODED_SCOPE = {
  name: '@acme/tracer',
  version: '1.2.3',
  attributes: { 'scope.kind': 'auto' },
  droppedAttributesCount: 1,
  schemaUrl: SCOPE_SCHEMA_URL,
};

export const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

export function tracesBody(spans: Json[]): Uint8Array {
  return bytes({
    resourceSpans: [{ resource: RESOURCE, schemaUrl: DECODED_RESOURCE.schemaUrl, scopeSpans: [{ scope: SCOPE, schemaUrl: SCOPE_SCHEMA_URL, spans }] }],
  });
}
export function logsBody(logRecords: Json[]): Uint8Array {
  return bytes({
    resourceLogs: [{ resource: RESOURCE, schemaUrl: DECODED_RESOURCE.schemaUrl, scopeLogs: [{ scope: SCOPE, schemaUrl: SCOPE_SCHEMA_URL, logRecords }] }],
  });
}
export function metricsBody(metrics: Json[]): Uint8Array {
  return bytes({
    resourceMetrics: [{ resource: RESOURCE, schemaUrl: DECODED_RESOURCE.schemaUrl, scopeMetrics: [{ scope: SCOPE, schemaUrl: SCOPE_SCHEMA_URL, metrics }] }],
  });
}

export function span(over: Json = {}): Json {
  return { traceId: TRACE_ID, spanId: SPAN_ID, name: 'GET /', startTimeUnixNano: T0, endTimeUnixNano: '1763719200128456789', ...over };
}

export const decodeSpans = (spans: Json[]) => decodeTracesJson(tracesBody(spans), 'p1');

/** Every AnyValue form OTLP/JSON allows, and what it decodes to. */
export const ANY_VALUES: Array<[string, unknown, unknown]> = [
  ['a string', { stringValue: 'héllo ✓' }, 'héllo ✓'],
  ['an empty string', { stringValue: '' }, ''],
  ['true', { boolValue: true }, true],
  ['false', { boolValue: false }, false],
  ['an int as a string', { intValue: '42' }, 42],
  ['an int as a number', { intValue: 42 }, 42],
  ['a negative int as a string', { intValue: '-7' }, -7],
  ['an int with leading zeros', { intValue: '007' }, 7],
  ['an int of 2^53 + 1, kept as a decimal string', { intValue: '9007199254740993' }, '9007199254740993'],
  ['the smallest int64, kept as a decimal string', { intValue: '-9223372036854775808' }, '-9223372036854775808'],
  ['a big int with leading zeros, trimmed', { intValue: '-009223372036854775807' }, '-9223372036854775807'],
  ['a double', { doubleValue: 3.25 }, 3.25],
  ['a double as a string', { doubleValue: '2.5' }, 2.5],
  ['NaN', { doubleValue: 'NaN' }, Number.NaN],
  ['-Infinity', { doubleValue: '-Infinity' }, -Infinity],
  ['bytes as base64', { bytesValue: 'AAEC+/8=' }, 'AAEC+/8='],
  ['an array of mixed values', { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }, { boolValue: true }, {}] } }, ['a', 1, true, null]],
  ['an empty array', { arrayValue: {} }, []],
  [
    'a kvlist with nesting',
    {
      kvlistValue: {
        values: [
          { key: 'a', value: { stringValue: 'x' } },
          { key: 'n', value: { kvlistValue: { values: [{ key: 'b', value: { intValue: 1 } }] } } },
        ],
      },
    },
    { a: 'x', n: { b: 1 } },
  ],
  ['an empty AnyValue, as null', {}, null],
  ['a missing value, as null', undefined, null],
];
