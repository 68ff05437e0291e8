import { WireType } from '@bufbuild/protobuf/wire';
import { decodeLogsProtobuf } from '../../src/ingest/protobuf/logs.js';
import { decodeMetricsProtobuf } from '../../src/ingest/protobuf/metrics.js';
import { decodeTracesProtobuf } from '../../src/ingest/protobuf/traces.js';
import { RECEIVED_US, SCHEMA_URL, SCOPE_SCHEMA_URL, SPAN_ID, TRACE_ID } from './decode-fixtures.js';
import {
  type LogInput,
  type MetricInput,
  type ResourceGroup,
  type SpanInput,
  type ValueInput,
  double,
  encodeLogs,
  encodeMetrics,
  encodeTraces,
} from './otlp-encode.js';

/** Fixtures of the protobuf decoder tests. */
export const { Varint, LengthDelimited: Len, StartGroup, Bit32, Bit64 } = WireType;

/** 2025-11-21T10:00:00.123456789Z in nanoseconds. */
export const T0 = 1_763_719_200_123_456_789n;

export const RESOURCE = { attributes: { 'service.name': 'checkout', 'host.name': 'web-1' }, droppedAttributesCount: 2 };
export const SCOPE = { name: '@acme/tracer', version: '1.2.3', attributes: { 'scope.kind': 'auto' }, droppedAttributesCount: 1 };
/** `SCOPE` as decoded, with the schema URL of its group. */
export const DECODED_SCOPE = { ...SCOPE, schemaUrl: SCOPE_SCHEMA_URL };

export function group<T>(items: T[], extra: Partial<ResourceGroup<T>> = {}): Array<ResourceGroup<T>> {
  return [{ resource: RESOURCE, schemaUrl: SCHEMA_URL, scopes: [{ scope: SCOPE, schemaUrl: SCOPE_SCHEMA_URL, items }], ...extra }];
}

export function span(over: Partial<SpanInput> = {}): SpanInput {
  return { traceId: TRACE_ID, spanId: SPAN_ID, name: 'GET /', startTimeUnixNano: T0, endTimeUnixNano: T0 + 5_000_000n, ...over };
}

export const decodeSpans = (spans: SpanInput[]) => decodeTracesProtobuf(encodeTraces(group(spans)), 'p1');
export const decodeLogs = (logs: LogInput[]) => decodeLogsProtobuf(encodeLogs(group(logs)), 'p1', RECEIVED_US);
export const decodeMetrics = (metrics: MetricInput[]) => decodeMetricsProtobuf(encodeMetrics(group(metrics)), 'p1');

/** Every AnyValue kind, as encoded and as decoded. */
export const ANY_VALUES: Array<[string, ValueInput, unknown]> = [
  ['a string', 'héllo ✓', 'héllo ✓'],
  ['an empty string', '', ''],
  ['true', true, true],
  ['false', false, false],
  ['an int', 42, 42],
  ['a negative int', -7, -7],
  ['an int of 2^53 + 1, as a decimal string', 2n ** 53n + 1n, '9007199254740993'],
  ['the largest int64, as a decimal string', 2n ** 63n - 1n, '9223372036854775807'],
  ['the smallest int64, as a decimal string', -(2n ** 63n), '-9223372036854775808'],
  ['a double', 3.25, 3.25],
  ['an integral double', double(2), 2],
  ['a negative infinite double', double(-Infinity), -Infinity],
  ['bytes, as base64', new Uint8Array([0, 1, 2, 0xfb, 0xff]), 'AAEC+/8='],
  ['an array of mixed values', ['a', 1, true, double(0.5), null], ['a', 1, true, 0.5, null]],
  ['an empty array', [], []],
  ['a kvlist with nesting', { a: 'x', nested: { b: [1, { c: false }] } }, { a: 'x', nested: { b: [1, { c: false }] } }],
  ['an empty AnyValue, as null', null, null],
];
