import { describe, expect, it } from 'vitest';
import { WireType } from '@bufbuild/protobuf/wire';
import { SPAN_ID, T0_US, TRACE_ID, thrownBy } from '../../../test/support/decode-fixtures.js';
import { type MetricInput, bytesOf, encodeMetrics } from '../../../test/support/otlp-encode.js';
import { Len, RESOURCE, DECODED_SCOPE, StartGroup, T0, Varint, decodeMetrics, group } from '../../../test/support/protobuf-fixtures.js';
import { decodeMetricsProtobuf } from './metrics.js';

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
      name: 'queue.depth',
      description: 'Jobs waiting',
      unit: '{job}',
      data: {
        type: 'gauge',
        points: [{ ...times, asDouble: 12.5, attributes: { queue: 'emails' }, flags: 1, exemplars: [EXEMPLAR, { timeUnixNano: T0, asInt: 7 }] }],
      },
    });
    expect(point).toEqual({
      projectId: 'p1',
      name: 'queue.depth',
      description: 'Jobs waiting',
      unit: '{job}',
      type: 'gauge',
      temporality: 'unspecified',
      isMonotonic: null,
      serviceName: 'checkout',
      resource: { ...RESOURCE, schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' },
      scope: DECODED_SCOPE,
      attributes: { queue: 'emails' },
      startTimeUs: T0_US - 60_000_000,
      timeUs: T0_US,
      flags: 1,
      value: 12.5,
      intValue: null,
      count: null,
      sum: null,
      min: null,
      max: null,
      bucketCounts: null,
      explicitBounds: null,
      scale: null,
      zeroCount: null,
      zeroThreshold: null,
      positive: null,
      negative: null,
      quantiles: null,
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
      name: 'latency',
      unit: 'ms',
      data: {
        type: 'histogram',
        temporality: 2,
        points: [
          {
            ...times,
            attributes: { route: '/' },
            count: 10,
            sum: 123.5,
            min: 0.5,
            max: 80,
            bucketCounts: [1, 2, 3, 4],
            explicitBounds: [1, 10, 100],
            exemplars: [EXEMPLAR],
            flags: 1,
          },
        ],
      },
    });
    expect(point).toMatchObject({
      type: 'histogram',
      temporality: 'cumulative',
      isMonotonic: null,
      attributes: { route: '/' },
      startTimeUs: T0_US - 60_000_000,
      timeUs: T0_US,
      count: 10,
      sum: 123.5,
      min: 0.5,
      max: 80,
      bucketCounts: [1, 2, 3, 4],
      explicitBounds: [1, 10, 100],
      exemplars: [DECODED_EXEMPLAR],
      flags: 1,
      value: null,
    });
  });

  it('decodes an exponential histogram point', () => {
    const point = one({
      name: 'latency.exp',
      data: {
        type: 'exponential_histogram',
        temporality: 1,
        points: [
          {
            ...times,
            attributes: { route: '/' },
            count: 12,
            sum: 99.5,
            min: -3,
            max: 40,
            scale: -3,
            zeroCount: 2,
            zeroThreshold: 0.001,
            positive: { offset: -2, bucketCounts: [1, 2, 3] },
            negative: { offset: 5, bucketCounts: [4] },
            exemplars: [EXEMPLAR],
            flags: 1,
          },
        ],
      },
    });
    expect(point).toMatchObject({
      type: 'exponential_histogram',
      temporality: 'delta',
      attributes: { route: '/' },
      count: 12,
      sum: 99.5,
      min: -3,
      max: 40,
      scale: -3,
      zeroCount: 2,
      zeroThreshold: 0.001,
      positive: { offset: -2, bucketCounts: [1, 2, 3] },
      negative: { offset: 5, bucketCounts: [4] },
      exemplars: [DECODED_EXEMPLAR],
      flags: 1,
    });
  });

  it('decodes a summary point', () => {
    const point = one({
      name: 'rpc.duration',
      data: {
        type: 'summary',
        points: [
          {
            ...times,
            attributes: { rpc: 'Get' },
            count: 4,
            sum: 10.5,
            quantiles: [
              { quantile: 0.5, value: 2 },
              { quantile: 0.99, value: 7.5 },
            ],
            flags: 1,
          },
        ],
      },
    });
    expect(point).toMatchObject({
      type: 'summary',
      temporality: 'unspecified',
      attributes: { rpc: 'Get' },
      count: 4,
      sum: 10.5,
      quantiles: [
        { quantile: 0.5, value: 2 },
        { quantile: 0.99, value: 7.5 },
      ],
      flags: 1,
      min: null,
      bucketCounts: null,
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
      data: {
        type: 'exponential_histogram',
        points: [{ timeUnixNano: T0, count: 6, positive: { offset: 1, bucketCounts: [1, 0, 5] }, negative: { bucketCounts: [2, 2 ** 40] }, packed }],
      },
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
      {
        data: {
          type: 'gauge',
          points: [
            { timeUnixNano: T0, asDouble: 1 },
            { timeUnixNano: T0, asDouble: 2 },
          ],
        },
      },
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
    ['a group wire type in a data point', histogramWith(bytesOf((w) => w.tag(40, StartGroup).tag(40, WireType.EndGroup)))],
  ])('rejects %s as a malformed body', (_what, body) => {
    expect(thrownBy(() => decodeMetricsProtobuf(body, 'p1')).code).toBe('ERR_INGEST_MALFORMED_BODY');
  });

  it('keeps the points of a metric whose name is not valid UTF-8, repaired to U+FFFD, and counts it', () => {
    const point = { timeUnixNano: T0, asDouble: 1 };
    const decoded = decodeMetricsProtobuf(
      encodeMetrics(group([{ name: 'g', data: { type: 'gauge', points: [point] }, extra: bytesOf((w) => w.tag(1, Len).bytes(new Uint8Array([0x67, 0x80]))) }])),
      'p1',
    );
    expect(decoded.records.map((p) => p.name)).toEqual(['g\ufffd']);
    expect(decoded.replacedStrings).toBe(1);
  });
});
