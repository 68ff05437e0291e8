import { describe, expect, it } from 'vitest';
import { PARENT_ID, RECEIVED_US, SPAN_ID, T0_US, TRACE_ID, thrownBy } from '../../../test/support/decode-fixtures.js';
import {
  ANY_VALUES,
  DECODED_RESOURCE,
  DECODED_SCOPE,
  type Json,
  T0,
  bytes,
  decodeSpans,
  logsBody,
  span,
  tracesBody,
} from '../../../test/support/json-fixtures.js';
import { encodeLogs, encodeTraces } from '../../../test/support/otlp-encode.js';
import { decodeLogsProtobuf } from '../protobuf/logs.js';
import { decodeTracesProtobuf } from '../protobuf/traces.js';
import { decodeLogsJson } from './logs.js';
import { decodeTracesJson } from './traces.js';

describe('decodeTracesJson', () => {
  it('decodes every field of a span, its resource and its scope', () => {
    const decoded = decodeSpans([
      span({
        traceId: TRACE_ID.toUpperCase(),
        spanId: SPAN_ID,
        parentSpanId: PARENT_ID.toUpperCase(),
        traceState: 'vendor=a:1',
        name: 'POST /checkout',
        kind: 2,
        attributes: [{ key: 'http.route', value: { stringValue: '/checkout' } }],
        droppedAttributesCount: '3',
        events: [
          {
            timeUnixNano: '1763719200123458788',
            name: 'exception',
            attributes: [{ key: 'exception.type', value: { stringValue: 'Boom' } }],
            droppedAttributesCount: 4,
          },
        ],
        droppedEventsCount: 5,
        links: [
          {
            traceId: 'AB'.repeat(16),
            spanId: 'cd'.repeat(8),
            traceState: 'k=v',
            attributes: [{ key: 'why', value: { stringValue: 'retry' } }],
            droppedAttributesCount: 6,
            flags: 257,
          },
        ],
        droppedLinksCount: '7',
        status: { code: 2, message: 'card declined' },
        flags: 769,
      }),
    ]);
    expect(decoded).toEqual({
      records: [
        {
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
          userId: null,
          category: 'other',
        },
      ],
      rejected: 0,
      rejectReason: null,
    });
  });

  it('reads a 64-bit intValue written as a bare number exactly, as it reads a quoted one', () => {
    // JSON text written by hand: no JavaScript object can hold these numbers unrounded.
    const attrs =
      '[{"key":"big","value":{"intValue": 9007199254740993}},{"key":"min","value":{"intValue":-9223372036854775808 }},' +
      '{"key":"small","value":{"intValue":42}},{"key":"text","value":{"stringValue":"say \\"intValue\\": 12345678901234567"}}]';
    const text = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE_ID}","spanId":"${SPAN_ID}","name":"n","startTimeUnixNano":"${T0}","endTimeUnixNano":"${T0}","attributes":${attrs}}]}]}]}`;
    const [decoded] = decodeTracesJson(new TextEncoder().encode(text), 'p1').records;
    expect(decoded!.attributes).toEqual({ big: '9007199254740993', min: '-9223372036854775808', small: 42, text: 'say "intValue": 12345678901234567' });
  });

  it.each(ANY_VALUES)('decodes %s in attributes, resource and scope', (_kind, value, expected) => {
    const attrs = [{ key: 'v', value }];
    const body = bytes({
      resourceSpans: [{ resource: { attributes: attrs }, scopeSpans: [{ scope: { attributes: attrs }, spans: [span({ attributes: attrs })] }] }],
    });
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
    expect(decoded!.scope).toEqual({ name: '', version: '', attributes: {}, droppedAttributesCount: 0, schemaUrl: '' });
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
    const fromJson = decodeSpans([
      span({
        parentSpanId: PARENT_ID,
        kind: 3,
        flags: 1,
        traceState: 't=1',
        attributes: [
          { key: 's', value: { stringValue: 'x' } },
          { key: 'i', value: { intValue: '9007199254740993' } },
          { key: 'd', value: { doubleValue: 1.5 } },
          { key: 'b', value: { bytesValue: 'AAE=' } },
          { key: 'a', value: { arrayValue: { values: [{ boolValue: true }] } } },
        ],
        events: [{ timeUnixNano: T0, name: 'e' }],
        links: [{ traceId: TRACE_ID, spanId: PARENT_ID }],
        status: { code: 1 },
      }),
    ]);
    const fromProtobuf = decodeTracesProtobuf(
      encodeTraces([
        {
          resource: { attributes: { 'service.name': 'checkout', 'host.name': 'web-1' }, droppedAttributesCount: 2 },
          schemaUrl: DECODED_RESOURCE.schemaUrl,
          scopes: [
            {
              scope: { name: '@acme/tracer', version: '1.2.3', attributes: { 'scope.kind': 'auto' }, droppedAttributesCount: 1 },
              schemaUrl: DECODED_SCOPE.schemaUrl,
              items: [
                {
                  traceId: TRACE_ID,
                  spanId: SPAN_ID,
                  parentSpanId: PARENT_ID,
                  name: 'GET /',
                  kind: 3,
                  flags: 1,
                  traceState: 't=1',
                  startTimeUnixNano: BigInt(T0),
                  endTimeUnixNano: 1_763_719_200_128_456_789n,
                  attributes: { s: 'x', i: 2n ** 53n + 1n, d: 1.5, b: new Uint8Array([0, 1]), a: [true] },
                  events: [{ timeUnixNano: BigInt(T0), name: 'e' }],
                  links: [{ traceId: TRACE_ID, spanId: PARENT_ID }],
                  status: { code: 1 },
                },
              ],
            },
          ],
        },
      ]),
      'p1',
    );
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
    [
      'a scope name that is a number',
      { resourceSpans: [{ scopeSpans: [{ scope: { name: 5 } }] }] },
      /resourceSpans\[0\]\.scopeSpans\[0\]\.scope\.name must be a string/,
    ],
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
    [
      'a doubleValue that is not a number',
      { attributes: [{ key: 'k', value: { doubleValue: 'lots' } }] },
      `${at}.attributes[0].value.doubleValue must be a number`,
    ],
    [
      'a bytesValue that is not base64',
      { attributes: [{ key: 'k', value: { bytesValue: 'not base64!' } }] },
      `${at}.attributes[0].value.bytesValue must be base64`,
    ],
    [
      'an array item that is not an object',
      { attributes: [{ key: 'k', value: { arrayValue: { values: [1] } } }] },
      `${at}.attributes[0].value.arrayValue.values[0] must be an object`,
    ],
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
      records: [
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
          attributes: { 'order.id': 12345 },
          resource: DECODED_RESOURCE,
          scope: DECODED_SCOPE,
          serviceName: 'checkout',
          eventName: 'payment.failed',
          droppedAttributesCount: 2,
        },
      ],
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
    const { records } = decodeLogs([
      { traceId: '', spanId: '' },
      { traceId: '0'.repeat(32), spanId: '0'.repeat(16) },
    ]);
    expect(records.map((l) => [l.traceId, l.spanId])).toEqual([
      [null, null],
      [null, null],
    ]);
  });

  it('rejects only the record with a 4-byte span id and keeps the others', () => {
    const decoded = decodeLogs([
      { ...full, body: { stringValue: 'one' } },
      { ...full, spanId: 'deadbeef' },
      { ...full, body: { stringValue: 'two' } },
    ]);
    expect(decoded.records.map((l) => l.body)).toEqual(['one', 'two']);
    expect(decoded.rejected).toBe(1);
    expect(decoded.rejectReason).toMatch(/invalid span id 'deadbeef'/);
  });

  it('decodes to the same record as the protobuf decoder, but for the log id', () => {
    const fromJson = decodeLogs([full]);
    const fromProtobuf = decodeLogsProtobuf(
      encodeLogs([
        {
          resource: { attributes: { 'service.name': 'checkout', 'host.name': 'web-1' }, droppedAttributesCount: 2 },
          schemaUrl: DECODED_RESOURCE.schemaUrl,
          scopes: [
            {
              scope: { name: '@acme/tracer', version: '1.2.3', attributes: { 'scope.kind': 'auto' }, droppedAttributesCount: 1 },
              schemaUrl: DECODED_SCOPE.schemaUrl,
              items: [
                {
                  timeUnixNano: BigInt(T0),
                  observedTimeUnixNano: BigInt(T0) + 2_000n,
                  severityNumber: 17,
                  severityText: 'ERROR',
                  body: 'payment failed',
                  attributes: { 'order.id': 12345 },
                  droppedAttributesCount: 2,
                  flags: 1,
                  traceId: TRACE_ID,
                  spanId: SPAN_ID,
                  eventName: 'payment.failed',
                },
              ],
            },
          ],
        },
      ]),
      'p1',
      RECEIVED_US,
    );
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
    const body = over === null ? bytes({ resourceLogs: [{ scopeLogs: [{ logRecords: {} }] }] }) : logsBody([{ ...full, ...over }]);
    const error = thrownBy(() => decodeLogsJson(body, 'p1', RECEIVED_US));
    expect(error.code).toBe('ERR_INGEST_MALFORMED_BODY');
    expect(error.message).toContain(message);
  });

  it('rejects invalid JSON as a malformed body', () => {
    expect(thrownBy(() => decodeLogsJson(bytes('{"resourceLogs":'), 'p1', RECEIVED_US)).code).toBe('ERR_INGEST_MALFORMED_BODY');
  });
});
