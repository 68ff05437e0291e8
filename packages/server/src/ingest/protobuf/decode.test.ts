import { describe, expect, it } from 'vitest';
import { WireType } from '@bufbuild/protobuf/wire';
import type { SpanRecord } from '@spoor/model';
import { PARENT_ID, RECEIVED_US, SPAN_ID, T0_US, TRACE_ID, thrownBy } from '../../../test/support/decode-fixtures.js';
import { type LogInput, type ValueInput, bytesOf, encodeLogs, encodeSpanBatch, encodeTraces } from '../../../test/support/otlp-encode.js';
import {
  ANY_VALUES,
  Bit32,
  Bit64,
  Len,
  RESOURCE,
  DECODED_SCOPE,
  StartGroup,
  T0,
  Varint,
  decodeLogs,
  decodeSpans,
  group,
  span,
} from '../../../test/support/protobuf-fixtures.js';
import { decodeLogsProtobuf } from './logs.js';
import { decodeTracesProtobuf } from './traces.js';

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
      records: [
        {
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
          scope: DECODED_SCOPE,
          events: [{ timeUs: T0_US + 2, name: 'exception', attributes: { 'exception.type': 'Boom' }, droppedAttributesCount: 4 }],
          links: [
            { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceState: 'k=v', attributes: { why: 'retry' }, droppedAttributesCount: 6, flags: 0x101 },
          ],
          droppedAttributesCount: 3,
          droppedEventsCount: 5,
          droppedLinksCount: 7,
          llm: null,
          sessionId: null,
          userId: null,
          category: 'other',
        },
      ],
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
    [2n ** 32n * 2_000_000_000n + (2n ** 32n - 1n), Number((2n ** 32n * 2_000_000_000n + (2n ** 32n - 1n)) / 1000n)],
    [7_258_118_399_999_999_999n, 7_258_118_399_999_999], // 2199-12-31T23:59:59.999999999Z
  ])('turns %s ns into exactly %d µs', (ns, us) => {
    const [decoded] = decodeSpans([span({ startTimeUnixNano: ns, events: [{ timeUnixNano: ns }] })]).records;
    expect(decoded!.startTimeUs).toBe(us);
    expect(decoded!.events[0]!.timeUs).toBe(us);
  });

  it.each([
    [0, 'unspecified'],
    [1, 'internal'],
    [2, 'server'],
    [3, 'client'],
    [4, 'producer'],
    [5, 'consumer'],
    [9, 'unspecified'],
  ])('maps span kind %d to %s', (kind, name) => {
    expect(decodeSpans([span({ kind })]).records[0]!.kind).toBe(name);
  });

  it.each([
    [undefined, 'unset'],
    [0, 'unset'],
    [1, 'ok'],
    [2, 'error'],
    [7, 'unset'],
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
    expect(decoded!.scope).toEqual({ name: '', version: '', attributes: {}, droppedAttributesCount: 0, schemaUrl: '' });
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
      {
        resource: { attributes: { 'service.name': 'a' } },
        scopes: [
          { scope: { name: 's1' }, items: [span({ spanId: '01'.repeat(8) })] },
          { scope: { name: 's2' }, items: [span({ spanId: '02'.repeat(8) })] },
        ],
      },
      { resource: { attributes: { 'service.name': 'b' } }, scopes: [{ scope: { name: 's3' }, items: [span({ spanId: '03'.repeat(8) })] }] },
    ]);
    const seen = decodeTracesProtobuf(body, 'p1').records.map((s) => [s.spanId, s.serviceName, s.scope.name]);
    expect(seen).toEqual([
      ['01'.repeat(8), 'a', 's1'],
      ['02'.repeat(8), 'a', 's2'],
      ['03'.repeat(8), 'b', 's3'],
    ]);
  });

  it('keeps the later value of a repeated attribute key', () => {
    const [decoded] = decodeSpans([
      span({
        extra: bytesOf((w) => w.tag(9, Len).fork().tag(1, Len).string('k').tag(2, Len).fork().tag(1, Len).string('second').join().join()),
        attributes: { k: 'first' },
      }),
    ]).records;
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
    ['a group wire type', encodeTraces(group([span({ extra: bytesOf((w) => w.tag(20, StartGroup).tag(20, WireType.EndGroup)) })]))],
    ['a group wire type at the top level', bytesOf((w) => w.tag(2, StartGroup).tag(2, WireType.EndGroup))],
    ['field number 0', bytesOf((w) => w.uint32((0 << 3) | Varint).uint32(1))],
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

describe('invalid UTF-8 in a protobuf string', () => {
  it.each([
    ['a span name', span({ extra: bytesOf((w) => w.tag(5, Len).bytes(new Uint8Array([0xc3, 0x28]))) }), (s: SpanRecord) => s.name, '\ufffd('],
    [
      'an attribute key',
      span({
        extra: bytesOf((w) =>
          w
            .tag(9, Len)
            .fork()
            .tag(1, Len)
            .bytes(new Uint8Array([0x61, 0xff]))
            .join(),
        ),
      }),
      (s: SpanRecord) => Object.keys(s.attributes).find((k) => k.startsWith('a\ufffd')),
      'a\ufffd',
    ],
    [
      'a status message',
      span({
        extra: bytesOf((w) =>
          w
            .tag(15, Len)
            .fork()
            .tag(2, Len)
            .bytes(new Uint8Array([0xe2, 0x82]))
            .join(),
        ),
      }),
      (s: SpanRecord) => s.status.message,
      '\ufffd',
    ],
  ])('keeps the span with %s repaired to U+FFFD, and counts the string', (_what, bad, read, text) => {
    const decoded = decodeTracesProtobuf(encodeTraces(group([span(), bad, span()])), 'p1');
    expect(decoded.records).toHaveLength(3);
    expect(decoded.rejected).toBe(0);
    expect(decoded.replacedStrings).toBe(1);
    expect(read(decoded.records[1]!)).toBe(text);
  });

  it('counts nothing in a request with only valid text', () => {
    expect(decodeTracesProtobuf(encodeTraces(group([span({ name: 'naïve ✓ 😀' })])), 'p1').replacedStrings).toBeUndefined();
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
    expect(decoded.records).toEqual([
      {
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
        scope: DECODED_SCOPE,
        serviceName: 'checkout',
        eventName: 'payment.failed',
        droppedAttributesCount: 2,
      },
    ]);
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
    expect(records.map((l) => [l.traceId, l.spanId])).toEqual([
      [null, null],
      [null, null],
    ]);
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
    const decoded = decodeLogs([
      { ...full, body: 'one' },
      { ...full, ...over, body: 'bad' },
      { ...full, body: 'two' },
    ]);
    expect(decoded.records.map((l) => l.body)).toEqual(['one', 'two']);
    expect(decoded.rejected).toBe(1);
    expect(decoded.rejectReason).toMatch(reason);
  });

  const valid = encodeLogs(group([full]));
  it.each([
    ['a truncated body', valid.subarray(0, valid.length - 1)],
    ['a severity number with the wrong wire type', encodeLogs(group([{ ...full, extra: bytesOf((w) => w.tag(2, Len).string('ERROR')) }]))],
    ['a time with the wrong wire type', encodeLogs(group([{ ...full, extra: bytesOf((w) => w.tag(1, Varint).uint32(5)) }]))],
    ['a group wire type', encodeLogs(group([{ ...full, extra: bytesOf((w) => w.tag(30, StartGroup).tag(30, WireType.EndGroup)) }]))],
  ])('rejects %s as a malformed body', (_what, body) => {
    expect(thrownBy(() => decodeLogsProtobuf(body, 'p1', RECEIVED_US)).code).toBe('ERR_INGEST_MALFORMED_BODY');
  });

  it('keeps a record whose body is not valid UTF-8, repaired to U+FFFD, and counts it', () => {
    const decoded = decodeLogsProtobuf(
      encodeLogs(
        group([
          {
            ...full,
            extra: bytesOf((w) =>
              w
                .tag(5, Len)
                .fork()
                .tag(1, Len)
                .bytes(new Uint8Array([0x61, 0xe2, 0x82]))
                .join(),
            ),
          },
        ]),
      ),
      'p1',
      RECEIVED_US,
    );
    expect(decoded.records.map((l) => l.body)).toEqual(['a\ufffd']);
    expect(decoded.replacedStrings).toBe(1);
  });
});
