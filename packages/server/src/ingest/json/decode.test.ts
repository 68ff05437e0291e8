import { describe, expect, it } from 'vitest';
import { double, encodeLogs, encodeMetrics, encodeTraces } from '../../../test/support/otlp-encode.js';
import { AppError } from '../../errors.js';
import { decodeLogsProtobuf } from '../protobuf/logs.js';
import { decodeMetricsProtobuf } from '../protobuf/metrics.js';
import { decodeTracesProtobuf } from '../protobuf/traces.js';
import { decodeLogsJson } from './logs.js';
import { decodeMetricsJson } from './metrics.js';
import { decodeTracesJson } from './traces.js';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const PARENT_ID = 'eee19b7ec3c1b173';
/** 2025-11-21T10:00:00.123456789Z, a nanosecond count past 2^53: exact only as a string. */
const T0 = '1763719200123456789';
const T0_US = 1_763_719_200_123_456;
const RECEIVED_US = 1_800_000_000_000_000;

type Json = Record<string, unknown>;

const RESOURCE = {
  attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }, { key: 'host.name', value: { stringValue: 'web-1' } }],
  droppedAttributesCount: 2,
};
const SCOPE = { name: '@acme/tracer', version: '1.2.3', attributes: [{ key: 'scope.kind', value: { stringValue: 'auto' } }], droppedAttributesCount: 1 };
const DECODED_RESOURCE = { attributes: { 'service.name': 'checkout', 'host.name': 'web-1' }, droppedAttributesCount: 2, schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' };
const DECODED_SCOPE = { name: '@acme/tracer', version: '1.2.3', attributes: { 'scope.kind': 'auto' }, droppedAttributesCount: 1 };

const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

function tracesBody(spans: Json[]): Uint8Array {
  return bytes({ resourceSpans: [{ resource: RESOURCE, schemaUrl: DECODED_RESOURCE.schemaUrl, scopeSpans: [{ scope: SCOPE, spans }] }] });
}
function logsBody(logRecords: Json[]): Uint8Array {
  return bytes({ resourceLogs: [{ resource: RESOURCE, schemaUrl: DECODED_RESOURCE.schemaUrl, scopeLogs: [{ scope: SCOPE, logRecords }] }] });
}
function metricsBody(metrics: Json[]): Uint8Array {
  return bytes({ resourceMetrics: [{ resource: RESOURCE, schemaUrl: DECODED_RESOURCE.schemaUrl, scopeMetrics: [{ scope: SCOPE, metrics }] }] });
}

function span(over: Json = {}): Json {
  return { traceId: TRACE_ID, spanId: SPAN_ID, name: 'GET /', startTimeUnixNano: T0, endTimeUnixNano: '1763719200128456789', ...over };
}

const decodeSpans = (spans: Json[]) => decodeTracesJson(tracesBody(spans), 'p1');

function thrownBy(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a throw');
}

/** Every AnyValue form OTLP/JSON allows, and what it decodes to. */
const ANY_VALUES: Array<[string, unknown, unknown]> = [
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
  ['a kvlist with nesting', { kvlistValue: { values: [{ key: 'a', value: { stringValue: 'x' } }, { key: 'n', value: { kvlistValue: { values: [{ key: 'b', value: { intValue: 1 } }] } } }] } }, { a: 'x', n: { b: 1 } }],
  ['an empty AnyValue, as null', {}, null],
  ['a missing value, as null', undefined, null],
];

describe('decodeTracesJson', () => {
  it('decodes every field of a span, its resource and its scope', () => {
    const decoded = decodeSpans([span({
      traceId: TRACE_ID.toUpperCase(),
      spanId: SPAN_ID,
      parentSpanId: PARENT_ID.toUpperCase(),
      traceState: 'vendor=a:1',
      name: 'POST /checkout',
      kind: 2,
      attributes: [{ key: 'http.route', value: { stringValue: '/checkout' } }],
      droppedAttributesCount: '3',
      events: [{ timeUnixNano: '1763719200123458788', name: 'exception', attributes: [{ key: 'exception.type', value: { stringValue: 'Boom' } }], droppedAttributesCount: 4 }],
      droppedEventsCount: 5,
      links: [{ traceId: 'AB'.repeat(16), spanId: 'cd'.repeat(8), traceState: 'k=v', attributes: [{ key: 'why', value: { stringValue: 'retry' } }], droppedAttributesCount: 6, flags: 257 }],
      droppedLinksCount: '7',
      status: { code: 2, message: 'card declined' },
      flags: 769,
    })]);
    expect(decoded).toEqual({
      records: [{
        projectId: 'p1',
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        parentSpanId: PARENT_ID,
        traceState: 'vendor=a:1',
        flags: 769,
        name: 'POST /checkout',
        kind: 'server',
        serviceName: 'checkout',
        startTimeUs: T0_US,
        endTimeUs: T0_US + 5_000,
        status: { code: 'error', message: 'card declined' },
        attributes: { 'http.route': '/checkout' },
        resource: DECODED_RESOURCE,
        scope: DECODED_SCOPE,
        events: [{ timeUs: T0_US + 2, name: 'exception', attributes: { 'exception.type': 'Boom' }, droppedAttributesCount: 4 }],
        links: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceState: 'k=v', attributes: { why: 'retry' }, droppedAttributesCount: 6, flags: 257 }],
        droppedAttributesCount: 3,
        droppedEventsCount: 5,
        droppedLinksCount: 7,
        llm: null,
        sessionId: null,
      }],
      rejected: 0,
      rejectReason: null,
    });
  });

  it.each(ANY_VALUES)('decodes %s in attributes, resource and scope', (_kind, value, expected) => {
    const attrs = [{ key: 'v', value }];
    const body = bytes({ resourceSpans: [{ resource: { attributes: attrs }, scopeSpans: [{ scope: { attributes: attrs }, spans: [span({ attributes: attrs })] }] }] });
    const [decoded] = decodeTracesJson(body, 'p1').records;
    expect(decoded!.attributes).toEqual({ v: expected });
    expect(decoded!.resource.attributes).toEqual({ v: expected });
    expect(decoded!.scope.attributes).toEqual({ v: expected });
  });

  it.each([
    ['a decimal string, exactly', T0, T0_US],
    ['a short string', '999', 0],
    ['a string of 1000', '1000', 1],
    ['a number below 2^53', 1_763_719_200_123_456, 1_763_719_200_123],
    ['a number above 2^53, rounded down to the microsecond', 1_763_719_200_123_456_000, 1_763_719_200_123_456],
  ])('reads a time given as %s', (_what, ns, us) => {
    expect(decodeSpans([span({ startTimeUnixNano: ns })]).records[0]!.startTimeUs).toBe(us);
  });

  it.each([
    [3, 'client'],
    ['3', 'client'],
    ['SPAN_KIND_CONSUMER', 'consumer'],
    [undefined, 'unspecified'],
    [42, 'unspecified'],
  ])('reads span kind %j as %s', (kind, name) => {
    expect(decodeSpans([span({ kind })]).records[0]!.kind).toBe(name);
  });

  it.each([
    [{ code: 1 }, 'ok'],
    [{ code: 'STATUS_CODE_ERROR', message: 'x' }, 'error'],
    [{}, 'unset'],
    [undefined, 'unset'],
  ])('reads status %j as %s', (status, code) => {
    expect(decodeSpans([span({ status })]).records[0]!.status.code).toBe(code);
  });

  it('gives a span without a resource the unknown_service name and empty resource and scope', () => {
    const [decoded] = decodeTracesJson(bytes({ resourceSpans: [{ scopeSpans: [{ spans: [span()] }] }] }), 'p1').records;
    expect(decoded!.serviceName).toBe('unknown_service');
    expect(decoded!.resource).toEqual({ attributes: {}, droppedAttributesCount: 0, schemaUrl: '' });
    expect(decoded!.scope).toEqual({ name: '', version: '', attributes: {}, droppedAttributesCount: 0 });
  });

  it('decodes an empty request to no records', () => {
    expect(decodeTracesJson(bytes({}), 'p1')).toEqual({ records: [], rejected: 0, rejectReason: null });
  });

  it('reads a body that is a view into a larger buffer', () => {
    const body = tracesBody([span()]);
    const padded = new Uint8Array(body.length + 20).fill(0x7b); // '{'
    padded.set(body, 10);
    expect(decodeTracesJson(padded.subarray(10, 10 + body.length), 'p1').records).toHaveLength(1);
  });

  it('rejects only the span with a 4-byte trace id and keeps the others', () => {
    const decoded = decodeSpans([span({ spanId: '01'.repeat(8) }), span({ traceId: 'deadbeef', spanId: '02'.repeat(8) }), span({ spanId: '03'.repeat(8) })]);
    expect(decoded.records.map((s) => s.spanId)).toEqual(['01'.repeat(8), '03'.repeat(8)]);
    expect(decoded.rejected).toBe(1);
    expect(decoded.rejectReason).toContain("invalid trace id 'deadbeef'");
  });

  it.each([
    ['a 4-byte trace id', { traceId: 'deadbeef' }],
    ['an all-zero trace id', { traceId: '0'.repeat(32) }],
    ['no trace id', { traceId: undefined }],
    ['a 4-byte span id', { spanId: 'deadbeef' }],
    ['an all-zero span id', { spanId: '0'.repeat(16) }],
    ['an odd-length parent span id', { parentSpanId: 'abc' }],
  ])('rejects a span with %s', (_what, over) => {
    const decoded = decodeSpans([span(over)]);
    expect(decoded.records).toEqual([]);
    expect(decoded.rejected).toBe(1);
  });

  it('decodes to the same span as the protobuf decoder', () => {
    const fromJson = decodeSpans([span({
      parentSpanId: PARENT_ID, kind: 3, flags: 1, traceState: 't=1',
      attributes: [
        { key: 's', value: { stringValue: 'x' } }, { key: 'i', value: { intValue: '9007199254740993' } }, { key: 'd', value: { doubleValue: 1.5 } },
        { key: 'b', value: { bytesValue: 'AAE=' } }, { key: 'a', value: { arrayValue: { values: [{ boolValue: true }] } } },
      ],
      events: [{ timeUnixNano: T0, name: 'e' }],
      links: [{ traceId: TRACE_ID, spanId: PARENT_ID }],
      status: { code: 1 },
    })]);
    const fromProtobuf = decodeTracesProtobuf(encodeTraces([{
      resource: { attributes: { 'service.name': 'checkout', 'host.name': 'web-1' }, droppedAttributesCount: 2 },
      schemaUrl: DECODED_RESOURCE.schemaUrl,
      scopes: [{ scope: { name: '@acme/tracer', version: '1.2.3', attributes: { 'scope.kind': 'auto' }, droppedAttributesCount: 1 }, items: [{
        traceId: TRACE_ID, spanId: SPAN_ID, parentSpanId: PARENT_ID, name: 'GET /', kind: 3, flags: 1, traceState: 't=1',
        startTimeUnixNano: BigInt(T0), endTimeUnixNano: 1_763_719_200_128_456_789n,
        attributes: { s: 'x', i: 2n ** 53n + 1n, d: 1.5, b: new Uint8Array([0, 1]), a: [true] },
        events: [{ timeUnixNano: BigInt(T0), name: 'e' }],
        links: [{ traceId: TRACE_ID, spanId: PARENT_ID }],
        status: { code: 1 },
      }] }],
    }]), 'p1');
    expect(fromJson).toEqual(fromProtobuf);
  });

  it.each([
    ['text that is not JSON', 'not json', /^malformed OTLP\/JSON: /],
    ['truncated JSON', '{"resourceSpans": [', /^malformed OTLP\/JSON: /],
    ['an array body', [], /request body must be an object/],
    ['a null body', 'null', /request body must be an object/],
    ['resourceSpans that is not an array', { resourceSpans: {} }, /resourceSpans must be an array/],
    ['a resource span that is not an object', { resourceSpans: [1] }, /resourceSpans\[0\] must be an object/],
    ['a resource that is not an object', { resourceSpans: [{ resource: 'x' }] }, /resourceSpans\[0\]\.resource must be an object/],
    ['a scope name that is a number', { resourceSpans: [{ scopeSpans: [{ scope: { name: 5 } }] }] }, /resourceSpans\[0\]\.scopeSpans\[0\]\.scope\.name must be a string/],
  ])('rejects %s as a malformed body', (_what, body, message) => {
    const error = thrownBy(() => decodeTracesJson(bytes(body), 'p1'));
    expect(error.code).toBe('ERR_INGEST_MALFORMED_BODY');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(message);
  });

  const at = 'resourceSpans[0].scopeSpans[0].spans[0]';
  it.each([
    ['a name that is a number', { name: 5 }, `${at}.name must be a string`],
    ['a trace id that is not hex', { traceId: 'zz'.repeat(16) }, `${at}.traceId must be hex`],
    ['a trace id that is base64, as protobuf JSON would print it', { traceId: 'W47/95gDgQPSabYzgT/GDA==' }, `${at}.traceId must be hex`],
    ['a span id that is a number', { spanId: 12 }, `${at}.spanId must be a string`],
    ['a start time that is negative', { startTimeUnixNano: '-1' }, `${at}.startTimeUnixNano must be unix nanoseconds`],
    ['an end time that is a boolean', { endTimeUnixNano: true }, `${at}.endTimeUnixNano must be unix nanoseconds`],
    ['an unknown kind name', { kind: 'SPAN_KIND_SIDEWAYS' }, `${at}.kind has the unknown value 'SPAN_KIND_SIDEWAYS'`],
    ['a fractional flags value', { flags: 1.5 }, `${at}.flags must be an integer`],
    ['attributes that are an object', { attributes: { a: 1 } }, `${at}.attributes must be an array`],
    ['an attribute key that is a number', { attributes: [{ key: 1, value: {} }] }, `${at}.attributes[0].key must be a string`],
    ['an intValue that is fractional', { attributes: [{ key: 'k', value: { intValue: '1.5' } }] }, `${at}.attributes[0].value.intValue must be an integer`],
    ['a boolValue that is a string', { attributes: [{ key: 'k', value: { boolValue: 'true' } }] }, `${at}.attributes[0].value.boolValue must be a boolean`],
    ['a doubleValue that is not a number', { attributes: [{ key: 'k', value: { doubleValue: 'lots' } }] }, `${at}.attributes[0].value.doubleValue must be a number`],
    ['a bytesValue that is not base64', { attributes: [{ key: 'k', value: { bytesValue: 'not base64!' } }] }, `${at}.attributes[0].value.bytesValue must be base64`],
    ['an array item that is not an object', { attributes: [{ key: 'k', value: { arrayValue: { values: [1] } } }] }, `${at}.attributes[0].value.arrayValue.values[0] must be an object`],
    ['an event that is a string', { events: ['boom'] }, `${at}.events[0] must be an object`],
    ['a link trace id that is not hex', { links: [{ traceId: 'xyz', spanId: SPAN_ID }] }, `${at}.links[0].traceId must be hex`],
    ['a status code that is a float', { status: { code: 1.2 } }, `${at}.status.code must be an integer`],
    ['a status that is an array', { status: [] }, `${at}.status must be an object`],
  ])('rejects a span with %s, naming where', (_what, over, message) => {
    const error = thrownBy(() => decodeSpans([span(over)]));
    expect(error.code).toBe('ERR_INGEST_MALFORMED_BODY');
    expect(error.message).toContain(message);
  });

  it('rejects values nested deeper than 32 levels', () => {
    let value: unknown = { stringValue: 'bottom' };
    for (let i = 0; i < 40; i++) value = { arrayValue: { values: [value] } };
    expect(thrownBy(() => decodeSpans([span({ attributes: [{ key: 'deep', value }] })])).message).toMatch(/nested deeper than 32/);
  });
});

describe('decodeLogsJson', () => {
  const full: Json = {
    timeUnixNano: T0,
    observedTimeUnixNano: '1763719200123458789',
    severityNumber: 17,
    severityText: 'ERROR',
    body: { stringValue: 'payment failed' },
    attributes: [{ key: 'order.id', value: { intValue: '12345' } }],
    droppedAttributesCount: 2,
    flags: 1,
    traceId: TRACE_ID,
    spanId: SPAN_ID.toUpperCase(),
    eventName: 'payment.failed',
  };
  const decodeLogs = (logs: Json[]) => decodeLogsJson(logsBody(logs), 'p1', RECEIVED_US);

  it('decodes every field of a log record, its resource and its scope', () => {
    expect(decodeLogs([full])).toEqual({
      records: [{
        projectId: 'p1',
        logId: expect.stringMatching(/^[0-9a-f]{16}$/),
        timeUs: T0_US,
        observedTimeUs: T0_US + 2,
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        flags: 1,
        severityNumber: 17,
        severityText: 'ERROR',
        body: 'payment failed',
        attributes: { 'order.id': 12345 },
        resource: DECODED_RESOURCE,
        scope: DECODED_SCOPE,
        serviceName: 'checkout',
        eventName: 'payment.failed',
        droppedAttributesCount: 2,
      }],
      rejected: 0,
      rejectReason: null,
    });
  });

  it.each(ANY_VALUES)('decodes %s as the body', (_kind, value, expected) => {
    expect(decodeLogs([{ ...full, body: value }]).records[0]!.body).toEqual(expected);
  });

  it.each([
    ['only a time', T0, undefined, T0_US, T0_US],
    ['only an observed time', undefined, T0, T0_US, T0_US],
    ['no time at all', undefined, undefined, RECEIVED_US, RECEIVED_US],
  ])('fills the times of a record with %s', (_what, time, observed, timeUs, observedUs) => {
    const [decoded] = decodeLogs([{ body: { stringValue: 'x' }, timeUnixNano: time, observedTimeUnixNano: observed }]).records;
    expect(decoded!.timeUs).toBe(timeUs);
    expect(decoded!.observedTimeUs).toBe(observedUs);
  });

  it('keeps a record with empty or all-zero ids, with null ids', () => {
    const { records } = decodeLogs([{ traceId: '', spanId: '' }, { traceId: '0'.repeat(32), spanId: '0'.repeat(16) }]);
    expect(records.map((l) => [l.traceId, l.spanId])).toEqual([[null, null], [null, null]]);
  });

  it('rejects only the record with a 4-byte span id and keeps the others', () => {
    const decoded = decodeLogs([{ ...full, body: { stringValue: 'one' } }, { ...full, spanId: 'deadbeef' }, { ...full, body: { stringValue: 'two' } }]);
    expect(decoded.records.map((l) => l.body)).toEqual(['one', 'two']);
    expect(decoded.rejected).toBe(1);
    expect(decoded.rejectReason).toMatch(/invalid span id 'deadbeef'/);
  });

  it('decodes to the same record as the protobuf decoder, but for the log id', () => {
    const fromJson = decodeLogs([full]);
    const fromProtobuf = decodeLogsProtobuf(encodeLogs([{
      resource: { attributes: { 'service.name': 'checkout', 'host.name': 'web-1' }, droppedAttributesCount: 2 },
      schemaUrl: DECODED_RESOURCE.schemaUrl,
      scopes: [{ scope: { name: '@acme/tracer', version: '1.2.3', attributes: { 'scope.kind': 'auto' }, droppedAttributesCount: 1 }, items: [{
        timeUnixNano: BigInt(T0), observedTimeUnixNano: BigInt(T0) + 2_000n, severityNumber: 17, severityText: 'ERROR', body: 'payment failed',
        attributes: { 'order.id': 12345 }, droppedAttributesCount: 2, flags: 1, traceId: TRACE_ID, spanId: SPAN_ID, eventName: 'payment.failed',
      }] }],
    }]), 'p1', RECEIVED_US);
    expect(fromJson).toEqual({ ...fromProtobuf, records: fromProtobuf.records.map((l) => ({ ...l, logId: expect.any(String) })) });
  });

  const at = 'resourceLogs[0].scopeLogs[0].logRecords[0]';
  it.each([
    ['a severity number that is a boolean', { severityNumber: true }, `${at}.severityNumber must be an integer`],
    ['a severity text that is a number', { severityText: 3 }, `${at}.severityText must be a string`],
    ['a body that is a bare string', { body: 'hello' }, `${at}.body must be an object`],
    ['a time that is not digits', { timeUnixNano: '2025-11-21T10:00:00Z' }, `${at}.timeUnixNano must be unix nanoseconds`],
    ['a trace id that is not hex', { traceId: 'g'.repeat(32) }, `${at}.traceId must be hex`],
    ['log records given as an object', null, 'resourceLogs[0].scopeLogs[0].logRecords must be an array'],
  ])('rejects a request with %s, naming where', (_what, over, message) => {
    const body = over === null
      ? bytes({ resourceLogs: [{ scopeLogs: [{ logRecords: {} }] }] })
      : logsBody([{ ...full, ...over }]);
    const error = thrownBy(() => decodeLogsJson(body, 'p1', RECEIVED_US));
    expect(error.code).toBe('ERR_INGEST_MALFORMED_BODY');
    expect(error.message).toContain(message);
  });

  it('rejects invalid JSON as a malformed body', () => {
    expect(thrownBy(() => decodeLogsJson(bytes('{"resourceLogs":'), 'p1', RECEIVED_US)).code).toBe('ERR_INGEST_MALFORMED_BODY');
  });
});

describe('decodeMetricsJson', () => {
  const EXEMPLAR = { timeUnixNano: '1763719200123457789', asDouble: 0.25, traceId: TRACE_ID, spanId: SPAN_ID, filteredAttributes: [{ key: 'user', value: { stringValue: 'u1' } }] };
  const DECODED_EXEMPLAR = { timeUs: T0_US + 1, value: 0.25, traceId: TRACE_ID, spanId: SPAN_ID, filteredAttributes: { user: 'u1' } };
  const START = '1763719140123456789';
  const one = (metric: Json) => {
    const decoded = decodeMetricsJson(metricsBody([metric]), 'p1');
    expect(decoded.rejected).toBe(0);
    expect(decoded.records).toHaveLength(1);
    return decoded.records[0]!;
  };

  it('decodes a gauge point with its metric, resource, scope and exemplars', () => {
    const point = one({
      name: 'queue.depth', description: 'Jobs waiting', unit: '{job}',
      gauge: { dataPoints: [{ startTimeUnixNano: START, timeUnixNano: T0, asDouble: 12.5, attributes: [{ key: 'queue', value: { stringValue: 'emails' } }], flags: 1, exemplars: [EXEMPLAR, { timeUnixNano: T0, asInt: '7' }] }] },
    });
    expect(point).toEqual({
      projectId: 'p1', name: 'queue.depth', description: 'Jobs waiting', unit: '{job}', type: 'gauge', temporality: 'unspecified', isMonotonic: null,
      serviceName: 'checkout', resource: DECODED_RESOURCE, scope: DECODED_SCOPE,
      attributes: { queue: 'emails' }, startTimeUs: T0_US - 60_000_000, timeUs: T0_US, flags: 1, value: 12.5,
      count: null, sum: null, min: null, max: null, bucketCounts: null, explicitBounds: null,
      scale: null, zeroCount: null, zeroThreshold: null, positive: null, negative: null, quantiles: null,
      exemplars: [DECODED_EXEMPLAR, { timeUs: T0_US, value: 7, traceId: null, spanId: null, filteredAttributes: {} }],
    });
  });

  it.each([
    ['an int as a string', { asInt: '-42' }, -42],
    ['an int as a number', { asInt: 42 }, 42],
    ['a double', { asDouble: 0.5 }, 0.5],
    ['a double of "Infinity"', { asDouble: 'Infinity' }, Infinity],
    ['no value', {}, null],
  ])('decodes a number point holding %s', (_what, value, expected) => {
    expect(one({ name: 'g', gauge: { dataPoints: [{ timeUnixNano: T0, ...value }] } }).value).toBe(expected);
  });

  it.each([
    [1, true, 'delta', true],
    ['AGGREGATION_TEMPORALITY_CUMULATIVE', false, 'cumulative', false],
    [undefined, undefined, 'unspecified', false],
  ])('decodes a sum with temporality %j and isMonotonic %j', (aggregationTemporality, isMonotonic, temporality, monotonic) => {
    const point = one({ name: 'requests', sum: { aggregationTemporality, isMonotonic, dataPoints: [{ timeUnixNano: T0, asInt: '10' }] } });
    expect(point).toMatchObject({ type: 'sum', temporality, isMonotonic: monotonic, value: 10 });
  });

  it('decodes a histogram point with counts as strings', () => {
    const point = one({
      name: 'latency',
      histogram: { aggregationTemporality: 2, dataPoints: [{
        startTimeUnixNano: START, timeUnixNano: T0, count: '10', sum: 123.5, min: 0.5, max: 80,
        bucketCounts: ['1', '2', 3, '4'], explicitBounds: [1, 10, 100], exemplars: [EXEMPLAR], flags: 1,
      }] },
    });
    expect(point).toMatchObject({
      type: 'histogram', temporality: 'cumulative', count: 10, sum: 123.5, min: 0.5, max: 80,
      bucketCounts: [1, 2, 3, 4], explicitBounds: [1, 10, 100], exemplars: [DECODED_EXEMPLAR], flags: 1,
    });
  });

  it('decodes an exponential histogram point', () => {
    const point = one({
      name: 'latency.exp',
      exponentialHistogram: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA', dataPoints: [{
        timeUnixNano: T0, count: '12', sum: 99.5, min: -3, max: 40, scale: -3, zeroCount: '2', zeroThreshold: 0.001,
        positive: { offset: -2, bucketCounts: ['1', '2', '3'] }, negative: { offset: 5, bucketCounts: [4] },
      }] },
    });
    expect(point).toMatchObject({
      type: 'exponential_histogram', temporality: 'delta', count: 12, sum: 99.5, min: -3, max: 40, scale: -3, zeroCount: 2, zeroThreshold: 0.001,
      positive: { offset: -2, bucketCounts: [1, 2, 3] }, negative: { offset: 5, bucketCounts: [4] },
    });
  });

  it('decodes a summary point', () => {
    const point = one({
      name: 'rpc.duration',
      summary: { dataPoints: [{ timeUnixNano: T0, count: '4', sum: 10.5, quantileValues: [{ quantile: 0.5, value: 2 }, { quantile: 0.99, value: 7.5 }] }] },
    });
    expect(point).toMatchObject({ type: 'summary', count: 4, sum: 10.5, quantiles: [{ quantile: 0.5, value: 2 }, { quantile: 0.99, value: 7.5 }] });
  });

  it('rejects every point of a metric without a name, and a point without a time, and keeps the rest', () => {
    const decoded = decodeMetricsJson(metricsBody([
      { gauge: { dataPoints: [{ timeUnixNano: T0, asDouble: 1 }, { timeUnixNano: T0, asDouble: 2 }] } },
      { name: 'kept', sum: { dataPoints: [{ timeUnixNano: T0, asDouble: 3 }, { asDouble: 4 }] } },
    ]), 'p1');
    expect(decoded.records.map((p) => [p.name, p.value])).toEqual([['kept', 3]]);
    expect(decoded.rejected).toBe(3);
  });

  it('decodes every metric type to the same points as the protobuf decoder', () => {
    const T = BigInt(T0);
    const fromProtobuf = decodeMetricsProtobuf(encodeMetrics([{
      resource: { attributes: { 'service.name': 'checkout', 'host.name': 'web-1' }, droppedAttributesCount: 2 },
      schemaUrl: DECODED_RESOURCE.schemaUrl,
      scopes: [{ scope: { name: '@acme/tracer', version: '1.2.3', attributes: { 'scope.kind': 'auto' }, droppedAttributesCount: 1 }, items: [
        { name: 'g', unit: '1', data: { type: 'gauge', points: [{ timeUnixNano: T, asDouble: 0, attributes: { k: double(1) } }] } },
        { name: 's', data: { type: 'sum', temporality: 2, points: [{ startTimeUnixNano: T - 1000n, timeUnixNano: T, asInt: 5 }] } },
        { name: 'h', data: { type: 'histogram', temporality: 1, points: [{ timeUnixNano: T }, { timeUnixNano: T, count: 3, sum: 6, bucketCounts: [1, 2], explicitBounds: [5] }] } },
        { name: 'e', data: { type: 'exponential_histogram', points: [{ timeUnixNano: T, positive: { bucketCounts: [1] } }] } },
        { name: 'q', data: { type: 'summary', points: [{ timeUnixNano: T, count: 2, sum: 3, quantiles: [{ quantile: 0, value: 1 }] }] } },
      ] }],
    }]), 'p1');
    const fromJson = decodeMetricsJson(metricsBody([
      { name: 'g', unit: '1', gauge: { dataPoints: [{ timeUnixNano: T0, asDouble: 0, attributes: [{ key: 'k', value: { doubleValue: 1 } }] }] } },
      { name: 's', sum: { aggregationTemporality: 2, dataPoints: [{ startTimeUnixNano: '1763719200123455789', timeUnixNano: T0, asInt: '5' }] } },
      { name: 'h', histogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: T0 }, { timeUnixNano: T0, count: '3', sum: 6, bucketCounts: ['1', '2'], explicitBounds: [5] }] } },
      { name: 'e', exponentialHistogram: { dataPoints: [{ timeUnixNano: T0, positive: { bucketCounts: ['1'] } }] } },
      { name: 'q', summary: { dataPoints: [{ timeUnixNano: T0, count: '2', sum: 3, quantileValues: [{ value: 1 }] }] } },
    ]), 'p1');
    expect(fromJson.records).toHaveLength(6);
    expect(fromJson).toEqual(fromProtobuf);
  });

  const at = 'resourceMetrics[0].scopeMetrics[0].metrics[0]';
  it.each([
    ['a gauge that is an array', { name: 'g', gauge: [] }, `${at}.gauge must be an object`],
    ['a count that is fractional', { name: 'h', histogram: { dataPoints: [{ timeUnixNano: T0, count: 1.5 }] } }, `${at}.histogram.dataPoints[0].count must be an integer`],
    ['a bucket count that is not a number', { name: 'h', histogram: { dataPoints: [{ timeUnixNano: T0, bucketCounts: ['x'] }] } }, `${at}.histogram.dataPoints[0].bucketCounts[0] must be an integer`],
    ['an explicit bound that is a boolean', { name: 'h', histogram: { dataPoints: [{ timeUnixNano: T0, explicitBounds: [true] }] } }, `${at}.histogram.dataPoints[0].explicitBounds[0] must be a number`],
    ['an unknown temporality name', { name: 's', sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_WEEKLY' } }, `${at}.sum.aggregationTemporality has the unknown value`],
    ['a positive bucket offset that is a string of letters', { name: 'e', exponentialHistogram: { dataPoints: [{ timeUnixNano: T0, positive: { offset: 'one' } }] } }, `${at}.exponentialHistogram.dataPoints[0].positive.offset must be an integer`],
    ['an exemplar span id that is not hex', { name: 'g', gauge: { dataPoints: [{ timeUnixNano: T0, exemplars: [{ spanId: 'q' }] }] } }, `${at}.gauge.dataPoints[0].exemplars[0].spanId must be hex`],
    ['a quantile that is a string of letters', { name: 'q', summary: { dataPoints: [{ timeUnixNano: T0, quantileValues: [{ quantile: 'half' }] }] } }, `${at}.summary.dataPoints[0].quantileValues[0].quantile must be a number`],
  ])('rejects a metric with %s, naming where', (_what, metric, message) => {
    const error = thrownBy(() => decodeMetricsJson(metricsBody([metric]), 'p1'));
    expect(error.code).toBe('ERR_INGEST_MALFORMED_BODY');
    expect(error.message).toContain(message);
  });
});
