import { WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import {
  type LogInput,
  type MetricInput,
  type ResourceGroup,
  type SpanInput,
  type ValueInput,
  bytesOf,
  double,
  encodeLogs,
  encodeMetrics,
  encodeSpanBatch,
  encodeTraces,
} from '../../../test/support/otlp-encode.js';
import { AppError } from '../../errors.js';
import { decodeLogsProtobuf } from './logs.js';
import { decodeMetricsProtobuf } from './metrics.js';
import { decodeTracesProtobuf } from './traces.js';

const { Varint, LengthDelimited: Len, StartGroup, Bit32, Bit64 } = WireType;

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const PARENT_ID = 'eee19b7ec3c1b173';
/** 2025-11-21T10:00:00.123456789Z */
const T0 = 1_763_719_200_123_456_789n;
const T0_US = 1_763_719_200_123_456;
const RECEIVED_US = 1_800_000_000_000_000;

const RESOURCE = { attributes: { 'service.name': 'checkout', 'host.name': 'web-1' }, droppedAttributesCount: 2 };
const SCOPE = { name: '@acme/tracer', version: '1.2.3', attributes: { 'scope.kind': 'auto' }, droppedAttributesCount: 1 };

function group<T>(items: T[], extra: Partial<ResourceGroup<T>> = {}): Array<ResourceGroup<T>> {
  return [{ resource: RESOURCE, schemaUrl: 'https://opentelemetry.io/schemas/1.26.0', scopes: [{ scope: SCOPE, items }], ...extra }];
}

function span(over: Partial<SpanInput> = {}): SpanInput {
  return { traceId: TRACE_ID, spanId: SPAN_ID, name: 'GET /', startTimeUnixNano: T0, endTimeUnixNano: T0 + 5_000_000n, ...over };
}

const decodeSpans = (spans: SpanInput[]) => decodeTracesProtobuf(encodeTraces(group(spans)), 'p1');
const decodeLogs = (logs: LogInput[]) => decodeLogsProtobuf(encodeLogs(group(logs)), 'p1', RECEIVED_US);
const decodeMetrics = (metrics: MetricInput[]) => decodeMetricsProtobuf(encodeMetrics(group(metrics)), 'p1');

/** Runs `fn` and returns what it threw. */
function thrownBy(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a throw');
}

/** Every AnyValue kind, as encoded and as decoded. */
const ANY_VALUES: Array<[string, ValueInput, unknown]> = [
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

describe('decodeTracesProtobuf', () => {
  it('decodes every field of a span, its resource and its scope', () => {
    const input = span({
      parentSpanId: PARENT_ID,
      traceState: 'vendor=a:1,other=b',
      name: 'POST /checkout',
      kind: 2,
      attributes: { 'http.route': '/checkout' },
      droppedAttributesCount: 3,
      events: [{ timeUnixNano: T0 + 1_999n, name: 'exception', attributes: { 'exception.type': 'Boom' }, droppedAttributesCount: 4 }],
      droppedEventsCount: 5,
      links: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceState: 'k=v', attributes: { why: 'retry' }, droppedAttributesCount: 6, flags: 0x101 }],
      droppedLinksCount: 7,
      status: { code: 2, message: 'card declined' },
      flags: 0x301,
    });
    const decoded = decodeSpans([input]);
    expect(decoded).toEqual({
      records: [{
        projectId: 'p1',
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        parentSpanId: PARENT_ID,
        traceState: 'vendor=a:1,other=b',
        flags: 0x301,
        name: 'POST /checkout',
        kind: 'server',
        serviceName: 'checkout',
        startTimeUs: T0_US,
        endTimeUs: T0_US + 5_000,
        status: { code: 'error', message: 'card declined' },
        attributes: { 'http.route': '/checkout' },
        resource: { ...RESOURCE, schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' },
        scope: SCOPE,
        events: [{ timeUs: T0_US + 2, name: 'exception', attributes: { 'exception.type': 'Boom' }, droppedAttributesCount: 4 }],
        links: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceState: 'k=v', attributes: { why: 'retry' }, droppedAttributesCount: 6, flags: 0x101 }],
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

  it.each(ANY_VALUES)('decodes %s in attributes', (_kind, value, expected) => {
    const [decoded] = decodeSpans([span({ attributes: { v: value } })]).records;
    expect(decoded!.attributes).toEqual({ v: expected });
  });

  it.each(ANY_VALUES)('decodes %s in resource and scope attributes', (_kind, value, expected) => {
    const [decoded] = decodeTracesProtobuf(
      encodeTraces([{ resource: { attributes: { v: value } }, scopes: [{ scope: { name: 's', attributes: { v: value } }, items: [span()] }] }]),
      'p1',
    ).records;
    expect(decoded!.resource.attributes).toEqual({ v: expected });
    expect(decoded!.scope.attributes).toEqual({ v: expected });
  });

  it.each([
    [999n, 0],
    [1_000n, 1],
    [2n ** 32n - 1n, 4_294_967],
    [2n ** 32n, 4_294_967],
    [2n ** 32n + 704n, 4_294_968],
    [T0, T0_US],
    [1_763_719_200_000_000_999n, 1_763_719_200_000_000],
    [(2n ** 32n) * 2_000_000_000n + (2n ** 32n - 1n), Number(((2n ** 32n) * 2_000_000_000n + (2n ** 32n - 1n)) / 1000n)],
    [7_258_118_399_999_999_999n, 7_258_118_399_999_999], // 2199-12-31T23:59:59.999999999Z
  ])('turns %s ns into exactly %d µs', (ns, us) => {
    const [decoded] = decodeSpans([span({ startTimeUnixNano: ns, events: [{ timeUnixNano: ns }] })]).records;
    expect(decoded!.startTimeUs).toBe(us);
    expect(decoded!.events[0]!.timeUs).toBe(us);
  });

  it.each([
    [0, 'unspecified'], [1, 'internal'], [2, 'server'], [3, 'client'], [4, 'producer'], [5, 'consumer'], [9, 'unspecified'],
  ])('maps span kind %d to %s', (kind, name) => {
    expect(decodeSpans([span({ kind })]).records[0]!.kind).toBe(name);
  });

  it.each([
    [undefined, 'unset'], [0, 'unset'], [1, 'ok'], [2, 'error'], [7, 'unset'],
  ])('maps status code %s to %s', (code, name) => {
    const status = code === undefined ? undefined : { code };
    expect(decodeSpans([span({ status })]).records[0]!.status.code).toBe(name);
  });

  it('gives a root span a null parent and a resource without service.name the unknown_service name', () => {
    const body = encodeTraces([{ scopes: [{ items: [span()] }] }]);
    const [decoded] = decodeTracesProtobuf(body, 'p1').records;
    expect(decoded!.parentSpanId).toBeNull();
    expect(decoded!.serviceName).toBe('unknown_service');
    expect(decoded!.resource).toEqual({ attributes: {}, droppedAttributesCount: 0, schemaUrl: '' });
    expect(decoded!.scope).toEqual({ name: '', version: '', attributes: {}, droppedAttributesCount: 0 });
  });

  it('applies a resource that arrives after its scope spans on the wire', () => {
    const body = encodeTraces(group([span(), span({ spanId: PARENT_ID })], { resourceLast: true }));
    const { records } = decodeTracesProtobuf(body, 'p1');
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record.serviceName).toBe('checkout');
      expect(record.resource).toEqual({ ...RESOURCE, schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' });
    }
  });

  it('gives each span the resource and scope it was sent under', () => {
    const body = encodeTraces([
      { resource: { attributes: { 'service.name': 'a' } }, scopes: [{ scope: { name: 's1' }, items: [span({ spanId: '01'.repeat(8) })] }, { scope: { name: 's2' }, items: [span({ spanId: '02'.repeat(8) })] }] },
      { resource: { attributes: { 'service.name': 'b' } }, scopes: [{ scope: { name: 's3' }, items: [span({ spanId: '03'.repeat(8) })] }] },
    ]);
    const seen = decodeTracesProtobuf(body, 'p1').records.map((s) => [s.spanId, s.serviceName, s.scope.name]);
    expect(seen).toEqual([['01'.repeat(8), 'a', 's1'], ['02'.repeat(8), 'a', 's2'], ['03'.repeat(8), 'b', 's3']]);
  });

  it('keeps the later value of a repeated attribute key', () => {
    const [decoded] = decodeSpans([span({ extra: bytesOf((w) => w.tag(9, Len).fork().tag(1, Len).string('k').tag(2, Len).fork().tag(1, Len).string('second').join().join()), attributes: { k: 'first' } })]).records;
    expect(decoded!.attributes).toEqual({ k: 'second' });
  });

  it('rejects only the span with a 4-byte trace id and keeps the others', () => {
    const decoded = decodeSpans([span({ spanId: '01'.repeat(8) }), span({ traceId: 'deadbeef', spanId: '02'.repeat(8) }), span({ spanId: '03'.repeat(8) })]);
    expect(decoded.records.map((s) => s.spanId)).toEqual(['01'.repeat(8), '03'.repeat(8)]);
    expect(decoded.rejected).toBe(1);
    expect(decoded.rejectReason).toContain("invalid trace id 'deadbeef'");
  });

  it.each([
    ['a 4-byte trace id', { traceId: 'deadbeef' }],
    ['a 17-byte trace id', { traceId: TRACE_ID + 'aa' }],
    ['an all-zero trace id', { traceId: '00'.repeat(16) }],
    ['no trace id', { traceId: '' }],
    ['a 4-byte span id', { spanId: 'deadbeef' }],
    ['an all-zero span id', { spanId: '00'.repeat(8) }],
    ['no span id', { spanId: '' }],
    ['a 3-byte parent span id', { parentSpanId: 'abcdef' }],
  ])('rejects a span with %s', (_what, over) => {
    const decoded = decodeSpans([span(over)]);
    expect(decoded.records).toEqual([]);
    expect(decoded.rejected).toBe(1);
    expect(decoded.rejectReason).toMatch(/invalid/);
  });

  it('skips unknown fields of every wire type', () => {
    const unknown = bytesOf((w) => {
      w.tag(100, Varint).uint64(2n ** 60n);
      w.tag(101, Bit64).fixed64(1n);
      w.tag(102, Len).bytes(new Uint8Array([1, 2, 3]));
      w.tag(103, Bit32).fixed32(9);
    });
    const body = new Uint8Array([...encodeTraces(group([span({ extra: unknown })])), ...unknown]);
    const decoded = decodeTracesProtobuf(body, 'p1');
    expect(decoded.records).toHaveLength(1);
    expect(decoded.records[0]!.name).toBe('GET /');
  });

  it('reads a body that is a view into a larger buffer', () => {
    const body = encodeTraces(group([span()]));
    const padded = new Uint8Array(body.length + 20).fill(0xff);
    padded.set(body, 10);
    expect(decodeTracesProtobuf(padded.subarray(10, 10 + body.length), 'p1').records).toHaveLength(1);
  });

  it('decodes a generated batch of spans', () => {
    const { records, rejected } = decodeTracesProtobuf(encodeSpanBatch({ traces: 20, spansPerTrace: 5 }), 'p1');
    expect(rejected).toBe(0);
    expect(records).toHaveLength(100);
    expect(new Set(records.map((s) => s.traceId)).size).toBe(20);
    expect(new Set(records.map((s) => s.serviceName))).toEqual(new Set(['service-0', 'service-1', 'service-2']));
  });

  const valid = encodeTraces(group([span()]));
  it.each([
    ['a truncated body', valid.subarray(0, valid.length - 3)],
    ['a body cut inside a tag', new Uint8Array([0x0a, 0x80])],
    ['a known field with the wrong wire type', encodeTraces(group([span({ extra: bytesOf((w) => w.tag(6, Len).string('server')) })]))],
    ['a top-level field 1 with the wrong wire type', bytesOf((w) => w.tag(1, Varint).uint32(1))],
    ['invalid UTF-8 in a string', encodeTraces(group([span({ extra: bytesOf((w) => w.tag(5, Len).bytes(new Uint8Array([0xc3, 0x28]))) })]))],
    ['invalid UTF-8 in an attribute key', encodeTraces(group([span({ extra: bytesOf((w) => w.tag(9, Len).fork().tag(1, Len).bytes(new Uint8Array([0xff])).join()) })]))],
    ['a group wire type', encodeTraces(group([span({ extra: bytesOf((w) => w.tag(20, StartGroup).tag(20, WireType.EndGroup)) })]))],
    ['a group wire type at the top level', bytesOf((w) => w.tag(2, StartGroup).tag(2, WireType.EndGroup))],
    ['field number 0', bytesOf((w) => w.uint32(0 << 3 | Varint).uint32(1))],
    ['a nested message that overruns its parent', new Uint8Array([0x0a, 0x02, 0x12, 0x02, 0x1a, 0x00])],
    ['a varint longer than 10 bytes', new Uint8Array([0x08, ...new Array<number>(11).fill(0xff), 0x01])],
    ['values nested deeper than 32 levels', encodeTraces(group([span({ attributes: { deep: nested(40) } })]))],
  ])('rejects %s as a malformed body', (_what, body) => {
    const error = thrownBy(() => decodeTracesProtobuf(body, 'p1'));
    expect(error.code).toBe('ERR_INGEST_MALFORMED_BODY');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^malformed protobuf: /);
  });
});

function nested(depth: number): ValueInput {
  return depth === 0 ? 'bottom' : [nested(depth - 1)];
}

describe('decodeLogsProtobuf', () => {
  const full: LogInput = {
    timeUnixNano: T0,
    observedTimeUnixNano: T0 + 2_000n,
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'payment failed',
    attributes: { 'order.id': 12345, retry: true },
    droppedAttributesCount: 2,
    flags: 1,
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    eventName: 'payment.failed',
  };

  it('decodes every field of a log record, its resource and its scope', () => {
    const decoded = decodeLogs([full]);
    expect(decoded.rejected).toBe(0);
    expect(decoded.records).toEqual([{
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
      attributes: { 'order.id': 12345, retry: true },
      resource: { ...RESOURCE, schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' },
      scope: SCOPE,
      serviceName: 'checkout',
      eventName: 'payment.failed',
      droppedAttributesCount: 2,
    }]);
  });

  it('gives every record its own log id', () => {
    const { records } = decodeLogs([full, full, full]);
    expect(new Set(records.map((l) => l.logId)).size).toBe(3);
  });

  it.each(ANY_VALUES)('decodes %s as the body', (_kind, value, expected) => {
    expect(decodeLogs([{ ...full, body: value }]).records[0]!.body).toEqual(expected);
  });

  it.each([
    ['both times', T0, T0 + 2_000n, T0_US, T0_US + 2],
    ['only a time', T0, undefined, T0_US, T0_US],
    ['only an observed time', undefined, T0, T0_US, T0_US],
    ['no time at all', undefined, undefined, RECEIVED_US, RECEIVED_US],
  ])('fills the times of a record with %s', (_what, time, observed, timeUs, observedUs) => {
    const [decoded] = decodeLogs([{ body: 'x', timeUnixNano: time, observedTimeUnixNano: observed }]).records;
    expect(decoded!.timeUs).toBe(timeUs);
    expect(decoded!.observedTimeUs).toBe(observedUs);
  });

  it('keeps a record without trace context, and one with all-zero ids, with null ids', () => {
    const { records, rejected } = decodeLogs([{ body: 'a' }, { body: 'b', traceId: '00'.repeat(16), spanId: '00'.repeat(8) }]);
    expect(rejected).toBe(0);
    expect(records.map((l) => [l.traceId, l.spanId])).toEqual([[null, null], [null, null]]);
  });

  it('applies a resource that arrives after its scope logs on the wire', () => {
    const { records } = decodeLogsProtobuf(encodeLogs(group([full], { resourceLast: true })), 'p1', RECEIVED_US);
    expect(records[0]!.serviceName).toBe('checkout');
    expect(records[0]!.resource.attributes).toEqual(RESOURCE.attributes);
  });

  it.each([
    ['a 4-byte trace id', { traceId: 'deadbeef' }, /invalid trace id/],
    ['a 4-byte span id', { spanId: 'deadbeef' }, /invalid span id/],
  ])('rejects only the record with %s and keeps the others', (_what, over, reason) => {
    const decoded = decodeLogs([{ ...full, body: 'one' }, { ...full, ...over, body: 'bad' }, { ...full, body: 'two' }]);
    expect(decoded.records.map((l) => l.body)).toEqual(['one', 'two']);
    expect(decoded.rejected).toBe(1);
    expect(decoded.rejectReason).toMatch(reason);
  });

  const valid = encodeLogs(group([full]));
  it.each([
    ['a truncated body', valid.subarray(0, valid.length - 1)],
    ['a severity number with the wrong wire type', encodeLogs(group([{ ...full, extra: bytesOf((w) => w.tag(2, Len).string('ERROR')) }]))],
    ['a time with the wrong wire type', encodeLogs(group([{ ...full, extra: bytesOf((w) => w.tag(1, Varint).uint32(5)) }]))],
    ['invalid UTF-8 in the body', encodeLogs(group([{ ...full, extra: bytesOf((w) => w.tag(5, Len).fork().tag(1, Len).bytes(new Uint8Array([0xe2, 0x82])).join()) }]))],
    ['a group wire type', encodeLogs(group([{ ...full, extra: bytesOf((w) => w.tag(30, StartGroup).tag(30, WireType.EndGroup)) }]))],
  ])('rejects %s as a malformed body', (_what, body) => {
    expect(thrownBy(() => decodeLogsProtobuf(body, 'p1', RECEIVED_US)).code).toBe('ERR_INGEST_MALFORMED_BODY');
  });
});

describe('decodeMetricsProtobuf', () => {
  const EXEMPLAR = { timeUnixNano: T0 + 1_000n, asDouble: 0.25, traceId: TRACE_ID, spanId: SPAN_ID, filteredAttributes: { user: 'u1' } };
  const DECODED_EXEMPLAR = { timeUs: T0_US + 1, value: 0.25, traceId: TRACE_ID, spanId: SPAN_ID, filteredAttributes: { user: 'u1' } };
  const times = { startTimeUnixNano: T0 - 60_000_000_000n, timeUnixNano: T0 };
  const one = (metric: MetricInput) => {
    const decoded = decodeMetrics([metric]);
    expect(decoded.rejected).toBe(0);
    expect(decoded.records).toHaveLength(1);
    return decoded.records[0]!;
  };

  it('decodes a gauge point with its metric, resource, scope and exemplars', () => {
    const point = one({
      name: 'queue.depth', description: 'Jobs waiting', unit: '{job}',
      data: { type: 'gauge', points: [{ ...times, asDouble: 12.5, attributes: { queue: 'emails' }, flags: 1, exemplars: [EXEMPLAR, { timeUnixNano: T0, asInt: 7 }] }] },
    });
    expect(point).toEqual({
      projectId: 'p1', name: 'queue.depth', description: 'Jobs waiting', unit: '{job}', type: 'gauge', temporality: 'unspecified', isMonotonic: null,
      serviceName: 'checkout', resource: { ...RESOURCE, schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' }, scope: SCOPE,
      attributes: { queue: 'emails' }, startTimeUs: T0_US - 60_000_000, timeUs: T0_US, flags: 1, value: 12.5,
      count: null, sum: null, min: null, max: null, bucketCounts: null, explicitBounds: null,
      scale: null, zeroCount: null, zeroThreshold: null, positive: null, negative: null, quantiles: null,
      exemplars: [DECODED_EXEMPLAR, { timeUs: T0_US, value: 7, traceId: null, spanId: null, filteredAttributes: {} }],
    });
  });

  it.each([
    ['a double', { asDouble: -1.5 }, -1.5],
    ['a zero double', { asDouble: 0 }, 0],
    ['an int', { asInt: -42 }, -42],
    ['an int beyond 2^53, rounded', { asInt: 2n ** 60n }, 2 ** 60],
  ])('decodes a number point holding %s', (_what, value, expected) => {
    expect(one({ name: 'g', data: { type: 'gauge', points: [{ timeUnixNano: T0, ...value }] } }).value).toBe(expected);
  });

  it.each([
    [1, true, 'delta'],
    [2, false, 'cumulative'],
    [0, false, 'unspecified'],
  ])('decodes a sum with temporality %d and monotonic %s', (temporality, monotonic, name) => {
    const point = one({ name: 'requests', data: { type: 'sum', temporality, monotonic, points: [{ ...times, asInt: 10 }] } });
    expect(point).toMatchObject({ type: 'sum', temporality: name, isMonotonic: monotonic, value: 10 });
  });

  it('decodes a histogram point', () => {
    const point = one({
      name: 'latency', unit: 'ms',
      data: { type: 'histogram', temporality: 2, points: [{
        ...times, attributes: { route: '/' }, count: 10, sum: 123.5, min: 0.5, max: 80,
        bucketCounts: [1, 2, 3, 4], explicitBounds: [1, 10, 100], exemplars: [EXEMPLAR], flags: 1,
      }] },
    });
    expect(point).toMatchObject({
      type: 'histogram', temporality: 'cumulative', isMonotonic: null, attributes: { route: '/' }, startTimeUs: T0_US - 60_000_000, timeUs: T0_US,
      count: 10, sum: 123.5, min: 0.5, max: 80, bucketCounts: [1, 2, 3, 4], explicitBounds: [1, 10, 100], exemplars: [DECODED_EXEMPLAR], flags: 1, value: null,
    });
  });

  it('decodes an exponential histogram point', () => {
    const point = one({
      name: 'latency.exp',
      data: { type: 'exponential_histogram', temporality: 1, points: [{
        ...times, attributes: { route: '/' }, count: 12, sum: 99.5, min: -3, max: 40, scale: -3, zeroCount: 2, zeroThreshold: 0.001,
        positive: { offset: -2, bucketCounts: [1, 2, 3] }, negative: { offset: 5, bucketCounts: [4] }, exemplars: [EXEMPLAR], flags: 1,
      }] },
    });
    expect(point).toMatchObject({
      type: 'exponential_histogram', temporality: 'delta', attributes: { route: '/' }, count: 12, sum: 99.5, min: -3, max: 40,
      scale: -3, zeroCount: 2, zeroThreshold: 0.001, positive: { offset: -2, bucketCounts: [1, 2, 3] }, negative: { offset: 5, bucketCounts: [4] },
      exemplars: [DECODED_EXEMPLAR], flags: 1,
    });
  });

  it('decodes a summary point', () => {
    const point = one({
      name: 'rpc.duration',
      data: { type: 'summary', points: [{ ...times, attributes: { rpc: 'Get' }, count: 4, sum: 10.5, quantiles: [{ quantile: 0.5, value: 2 }, { quantile: 0.99, value: 7.5 }], flags: 1 }] },
    });
    expect(point).toMatchObject({
      type: 'summary', temporality: 'unspecified', attributes: { rpc: 'Get' }, count: 4, sum: 10.5,
      quantiles: [{ quantile: 0.5, value: 2 }, { quantile: 0.99, value: 7.5 }], flags: 1, min: null, bucketCounts: null,
    });
  });

  // Proto3 encoders (the Collector's, and OpenTelemetry JS for `scale`) leave zero values off the wire.
  it.each([
    ['a histogram', { type: 'histogram', points: [{ timeUnixNano: T0 }] }, { count: 0, bucketCounts: [], explicitBounds: [] }],
    ['an exponential histogram', { type: 'exponential_histogram', points: [{ timeUnixNano: T0 }] }, { count: 0, scale: 0, zeroCount: 0 }],
    ['a summary', { type: 'summary', points: [{ timeUnixNano: T0 }] }, { count: 0, sum: null, quantiles: [] }],
  ] as Array<[string, MetricInput['data'], object]>)('reads the zero values that %s point left off the wire as zeros', (_what, data, expected) => {
    expect(one({ name: 'm', data })).toMatchObject(expected);
  });

  it.each([true, false])('decodes repeated bucket fields the same whether packed is %s', (packed) => {
    const point = one({
      name: 'h',
      data: { type: 'histogram', points: [{ timeUnixNano: T0, count: 6, bucketCounts: [1, 2, 3, 2 ** 40], explicitBounds: [0.5, 1, 2.5], packed }] },
    });
    expect(point.bucketCounts).toEqual([1, 2, 3, 2 ** 40]);
    expect(point.explicitBounds).toEqual([0.5, 1, 2.5]);
    const exp = one({
      name: 'e',
      data: { type: 'exponential_histogram', points: [{ timeUnixNano: T0, count: 6, positive: { offset: 1, bucketCounts: [1, 0, 5] }, negative: { bucketCounts: [2, 2 ** 40] }, packed }] },
    });
    expect(exp.positive).toEqual({ offset: 1, bucketCounts: [1, 0, 5] });
    expect(exp.negative).toEqual({ offset: 0, bucketCounts: [2, 2 ** 40] });
  });

  it('applies a metric name that follows its data on the wire', () => {
    const point = one({ data: { type: 'gauge', points: [{ timeUnixNano: T0, asDouble: 1 }] }, extra: bytesOf((w) => w.tag(1, Len).string('late.name')) });
    expect(point.name).toBe('late.name');
  });

  it('skips metric metadata (field 12)', () => {
    const metadata = bytesOf((w) => w.tag(12, Len).fork().tag(1, Len).string('k').tag(2, Len).fork().tag(1, Len).string('v').join().join());
    expect(one({ name: 'g', data: { type: 'gauge', points: [{ timeUnixNano: T0, asDouble: 1 }] }, extra: metadata }).name).toBe('g');
  });

  it('applies a resource that arrives after its scope metrics on the wire', () => {
    const body = encodeMetrics(group([{ name: 'g', data: { type: 'gauge', points: [{ timeUnixNano: T0, asDouble: 1 }] } }], { resourceLast: true }));
    expect(decodeMetricsProtobuf(body, 'p1').records[0]!.serviceName).toBe('checkout');
  });

  it('rejects every point of a metric without a name, and a point without a time, and keeps the rest', () => {
    const decoded = decodeMetrics([
      { data: { type: 'gauge', points: [{ timeUnixNano: T0, asDouble: 1 }, { timeUnixNano: T0, asDouble: 2 }] } },
      { name: 'kept', data: { type: 'sum', points: [{ timeUnixNano: T0, asDouble: 3 }, { asDouble: 4 }] } },
    ]);
    expect(decoded.records.map((p) => [p.name, p.value])).toEqual([['kept', 3]]);
    expect(decoded.rejected).toBe(3);
    expect(decoded.rejectReason).toBe('metric has no name');
  });

  /** A histogram metric with one data point made of `point` bytes. */
  const histogramWith = (point: Uint8Array) =>
    encodeMetrics(group([{ name: 'h', extra: bytesOf((w) => w.tag(9, Len).fork().tag(1, Len).fork().raw(point).join().join()) }]));
  it.each([
    ['a truncated body', encodeMetrics(group([{ name: 'g', data: { type: 'gauge', points: [{ timeUnixNano: T0, asDouble: 1 }] } }])).subarray(0, 20)],
    ['packed bucket counts whose length is not a multiple of 8', histogramWith(bytesOf((w) => w.tag(6, Len).bytes(new Uint8Array(7))))],
    ['bucket counts with the varint wire type', histogramWith(bytesOf((w) => w.tag(6, Varint).uint32(1)))],
    ['a point time with the wrong wire type', histogramWith(bytesOf((w) => w.tag(3, Varint).uint32(1)))],
    ['invalid UTF-8 in a metric name', encodeMetrics(group([{ extra: bytesOf((w) => w.tag(1, Len).bytes(new Uint8Array([0x80]))) }]))],
    ['a group wire type in a data point', histogramWith(bytesOf((w) => w.tag(40, StartGroup).tag(40, WireType.EndGroup)))],
  ])('rejects %s as a malformed body', (_what, body) => {
    expect(thrownBy(() => decodeMetricsProtobuf(body, 'p1')).code).toBe('ERR_INGEST_MALFORMED_BODY');
  });
});
