import { describe, expect, it } from 'vitest';
import { SPAN_ID, TRACE_ID } from '../../test/support/decode-fixtures.js';
import { type Json, T0, bytes, logsBody, metricsBody, span, tracesBody } from '../../test/support/json-fixtures.js';
import { encodeTraces } from '../../test/support/otlp-encode.js';
import { group, span as protobufSpan } from '../../test/support/protobuf-fixtures.js';
import { decodeRequest } from './decode.js';
import { MAX_TIME_US } from './limits.js';

const other = (n: number): Json => span({ spanId: `${'0'.repeat(15)}${n}`, name: `ok ${n}` });
const decodeJsonSpans = (bad: Json) => decodeRequest('traces', 'json', tracesBody([other(1), bad, other(2)]), 'p1', 0);

describe('numbers no store column can hold', () => {
  // Each of these was acknowledged and then refused by the store on every try, holding up all
  // that came after it.
  const SPANS: Array<[string, Json, string]> = [
    ['flags -1', { flags: -1 }, 'flags -1 is out of range'],
    ['flags past uint32', { flags: '4294967296' }, 'flags 4294967296'],
    ['droppedAttributesCount 2^32', { droppedAttributesCount: 4294967296 }, 'droppedAttributesCount 4294967296'],
    ['droppedEventsCount -3', { droppedEventsCount: '-3' }, 'droppedEventsCount -3'],
    ['droppedLinksCount 1e12', { droppedLinksCount: 1e12 }, 'droppedLinksCount 1000000000000'],
    ['a start time of 1e28 ns', { startTimeUnixNano: 1e28 }, ': start time 9.99'],
    ['an end time of 10^28 ns as a string', { endTimeUnixNano: `1${'0'.repeat(28)}` }, 'end time'],
    ['an event time of 1e28 ns', { events: [{ name: 'e', timeUnixNano: 1e28 }] }, 'events[0] time'],
    ['a link with flags -1', { links: [{ traceId: TRACE_ID, spanId: SPAN_ID, flags: -1 }] }, 'links[0].flags -1'],
  ];

  it.each(SPANS)('rejects only the span with %s, and keeps the spans around it', (_, over, reason) => {
    const decoded = decodeJsonSpans(span({ spanId: 'ffffffffffffffff', ...over }));
    expect(decoded.batch.spans.map((s) => s.name)).toEqual(['ok 1', 'ok 2']);
    expect(decoded.rejected).toBe(1);
    expect(decoded.rejectReason).toContain(reason);
  });

  it('keeps a span at the edges of every range', () => {
    // The earliest end a span can have is 1 µs: an end of 0 is no end yet, a running snapshot (kept too).
    const edge = span({ flags: 4294967295, droppedAttributesCount: '4294967295', startTimeUnixNano: `${MAX_TIME_US}000`, endTimeUnixNano: 1000 });
    const decoded = decodeRequest('traces', 'json', tracesBody([edge, { ...edge, spanId: 'aaaaaaaaaaaaaaaa', endTimeUnixNano: 0 }]), 'p1', 0);
    expect(decoded.rejected).toBe(0);
    expect(decoded.batch.spans[0]).toMatchObject({ flags: 4294967295, droppedAttributesCount: 4294967295, startTimeUs: MAX_TIME_US });
    expect(decoded.batch.runningSpans![0]).toMatchObject({ flags: 4294967295, droppedAttributesCount: 4294967295, startTimeUs: MAX_TIME_US, endTimeUs: 0 });
  });

  it('rejects a protobuf span whose fixed64 time is past the year 2255, and keeps the one beside it', () => {
    const body = encodeTraces(group([protobufSpan({ spanId: '1'.repeat(16) }), protobufSpan({ spanId: '2'.repeat(16), endTimeUnixNano: 2n ** 64n - 1n })]));
    const decoded = decodeRequest('traces', 'protobuf', body, 'p1', 0);
    expect(decoded.batch.spans.map((s) => s.spanId)).toEqual(['1'.repeat(16)]);
    expect(decoded.rejectReason).toMatch(/end time 1844674407370955\d µs is out of range/);
  });

  it('rejects a log record with flags -1 or a time of 1e28 ns, and keeps the others', () => {
    const ok = { timeUnixNano: T0, body: { stringValue: 'ok' } };
    const decoded = decodeRequest(
      'logs',
      'json',
      logsBody([ok, { ...ok, flags: -1 }, { ...ok, timeUnixNano: 1e28 }, { ...ok, droppedAttributesCount: 4294967296 }, ok]),
      'p1',
      1,
    );
    expect(decoded.batch.logs).toHaveLength(2);
    expect(decoded.rejected).toBe(3);
    expect(decoded.rejectReason).toContain('log record: flags -1');
  });

  it('rejects a data point whose scale or bucket offset is past int32, and keeps the others', () => {
    const point = (over: Json): Json => ({ timeUnixNano: T0, count: '1', scale: 2, positive: { offset: 1, bucketCounts: ['1'] }, ...over });
    const metric = {
      name: 'latency',
      exponentialHistogram: { aggregationTemporality: 2, dataPoints: [point({}), point({ scale: 1e10 }), point({ positive: { offset: -1e10 } })] },
    };
    const decoded = decodeRequest('metrics', 'json', metricsBody([metric]), 'p1', 0);
    expect(decoded.batch.metricPoints).toHaveLength(1);
    expect(decoded.rejected).toBe(2);
    expect(decoded.rejectReason).toContain("data point of metric 'latency': scale 10000000000 is out of range");
  });

  it('rejects an integer point past int64, and keeps those at its ends', () => {
    const point = (asInt: string): Json => ({ timeUnixNano: T0, asInt });
    const metric = {
      name: 'bytes',
      sum: {
        aggregationTemporality: 2,
        dataPoints: [point('9223372036854775807'), point('9223372036854775808'), point('-9223372036854775808'), point('-99999999999999999999')],
      },
    };
    const decoded = decodeRequest('metrics', 'json', metricsBody([metric]), 'p1', 0);
    expect(decoded.batch.metricPoints.map((p) => p.intValue)).toEqual(['9223372036854775807', '-9223372036854775808']);
    expect(decoded.rejected).toBe(2);
    expect(decoded.rejectReason).toBe("data point of metric 'bytes': asInt 9223372036854775808 is out of range (int64)");
  });

  it('still refuses a body that is not OTLP at all as malformed, not as out of range', () => {
    expect(() => decodeRequest('traces', 'json', bytes({ resourceSpans: 'x' }), 'p1', 0)).toThrow(/must be an array/);
  });
});
