import { describe, expect, it } from 'vitest';
import { SPAN_ID, T0_US, TRACE_ID, thrownBy } from '../../../test/support/decode-fixtures.js';
import { DECODED_RESOURCE, DECODED_SCOPE, type Json, T0, metricsBody } from '../../../test/support/json-fixtures.js';
import { double, encodeMetrics } from '../../../test/support/otlp-encode.js';
import { decodeMetricsProtobuf } from '../protobuf/metrics.js';
import { decodeMetricsJson } from './metrics.js';

describe('decodeMetricsJson', () => {
  const EXEMPLAR = {
    timeUnixNano: '1763719200123457789',
    asDouble: 0.25,
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    filteredAttributes: [{ key: 'user', value: { stringValue: 'u1' } }],
  };
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
      name: 'queue.depth',
      description: 'Jobs waiting',
      unit: '{job}',
      gauge: {
        dataPoints: [
          {
            startTimeUnixNano: START,
            timeUnixNano: T0,
            asDouble: 12.5,
            attributes: [{ key: 'queue', value: { stringValue: 'emails' } }],
            flags: 1,
            exemplars: [EXEMPLAR, { timeUnixNano: T0, asInt: '7' }],
          },
        ],
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
      resource: DECODED_RESOURCE,
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
      histogram: {
        aggregationTemporality: 2,
        dataPoints: [
          {
            startTimeUnixNano: START,
            timeUnixNano: T0,
            count: '10',
            sum: 123.5,
            min: 0.5,
            max: 80,
            bucketCounts: ['1', '2', 3, '4'],
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
      count: 10,
      sum: 123.5,
      min: 0.5,
      max: 80,
      bucketCounts: [1, 2, 3, 4],
      explicitBounds: [1, 10, 100],
      exemplars: [DECODED_EXEMPLAR],
      flags: 1,
    });
  });

  it('decodes an exponential histogram point', () => {
    const point = one({
      name: 'latency.exp',
      exponentialHistogram: {
        aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA',
        dataPoints: [
          {
            timeUnixNano: T0,
            count: '12',
            sum: 99.5,
            min: -3,
            max: 40,
            scale: -3,
            zeroCount: '2',
            zeroThreshold: 0.001,
            positive: { offset: -2, bucketCounts: ['1', '2', '3'] },
            negative: { offset: 5, bucketCounts: [4] },
          },
        ],
      },
    });
    expect(point).toMatchObject({
      type: 'exponential_histogram',
      temporality: 'delta',
      count: 12,
      sum: 99.5,
      min: -3,
      max: 40,
      scale: -3,
      zeroCount: 2,
      zeroThreshold: 0.001,
      positive: { offset: -2, bucketCounts: [1, 2, 3] },
      negative: { offset: 5, bucketCounts: [4] },
    });
  });

  it('decodes a summary point', () => {
    const point = one({
      name: 'rpc.duration',
      summary: {
        dataPoints: [
          {
            timeUnixNano: T0,
            count: '4',
            sum: 10.5,
            quantileValues: [
              { quantile: 0.5, value: 2 },
              { quantile: 0.99, value: 7.5 },
            ],
          },
        ],
      },
    });
    expect(point).toMatchObject({
      type: 'summary',
      count: 4,
      sum: 10.5,
      quantiles: [
        { quantile: 0.5, value: 2 },
        { quantile: 0.99, value: 7.5 },
      ],
    });
  });

  it('rejects every point of a metric without a name, and a point without a time, and keeps the rest', () => {
    const decoded = decodeMetricsJson(
      metricsBody([
        {
          gauge: {
            dataPoints: [
              { timeUnixNano: T0, asDouble: 1 },
              { timeUnixNano: T0, asDouble: 2 },
            ],
          },
        },
        { name: 'kept', sum: { dataPoints: [{ timeUnixNano: T0, asDouble: 3 }, { asDouble: 4 }] } },
      ]),
      'p1',
    );
    expect(decoded.records.map((p) => [p.name, p.value])).toEqual([['kept', 3]]);
    expect(decoded.rejected).toBe(3);
  });

  it('decodes every metric type to the same points as the protobuf decoder', () => {
    const T = BigInt(T0);
    const fromProtobuf = decodeMetricsProtobuf(
      encodeMetrics([
        {
          resource: { attributes: { 'service.name': 'checkout', 'host.name': 'web-1' }, droppedAttributesCount: 2 },
          schemaUrl: DECODED_RESOURCE.schemaUrl,
          scopes: [
            {
              scope: { name: '@acme/tracer', version: '1.2.3', attributes: { 'scope.kind': 'auto' }, droppedAttributesCount: 1 },
              schemaUrl: DECODED_SCOPE.schemaUrl,
              items: [
                { name: 'g', unit: '1', data: { type: 'gauge', points: [{ timeUnixNano: T, asDouble: 0, attributes: { k: double(1) } }] } },
                { name: 's', data: { type: 'sum', temporality: 2, points: [{ startTimeUnixNano: T - 1000n, timeUnixNano: T, asInt: 5 }] } },
                {
                  name: 'h',
                  data: {
                    type: 'histogram',
                    temporality: 1,
                    points: [{ timeUnixNano: T }, { timeUnixNano: T, count: 3, sum: 6, bucketCounts: [1, 2], explicitBounds: [5] }],
                  },
                },
                { name: 'e', data: { type: 'exponential_histogram', points: [{ timeUnixNano: T, positive: { bucketCounts: [1] } }] } },
                { name: 'q', data: { type: 'summary', points: [{ timeUnixNano: T, count: 2, sum: 3, quantiles: [{ quantile: 0, value: 1 }] }] } },
              ],
            },
          ],
        },
      ]),
      'p1',
    );
    const fromJson = decodeMetricsJson(
      metricsBody([
        { name: 'g', unit: '1', gauge: { dataPoints: [{ timeUnixNano: T0, asDouble: 0, attributes: [{ key: 'k', value: { doubleValue: 1 } }] }] } },
        { name: 's', sum: { aggregationTemporality: 2, dataPoints: [{ startTimeUnixNano: '1763719200123455789', timeUnixNano: T0, asInt: '5' }] } },
        {
          name: 'h',
          histogram: {
            aggregationTemporality: 1,
            dataPoints: [{ timeUnixNano: T0 }, { timeUnixNano: T0, count: '3', sum: 6, bucketCounts: ['1', '2'], explicitBounds: [5] }],
          },
        },
        { name: 'e', exponentialHistogram: { dataPoints: [{ timeUnixNano: T0, positive: { bucketCounts: ['1'] } }] } },
        { name: 'q', summary: { dataPoints: [{ timeUnixNano: T0, count: '2', sum: 3, quantileValues: [{ value: 1 }] }] } },
      ]),
      'p1',
    );
    expect(fromJson.records).toHaveLength(6);
    expect(fromJson).toEqual(fromProtobuf);
  });

  const at = 'resourceMetrics[0].scopeMetrics[0].metrics[0]';
  it.each([
    ['a gauge that is an array', { name: 'g', gauge: [] }, `${at}.gauge must be an object`],
    [
      'a count that is fractional',
      { name: 'h', histogram: { dataPoints: [{ timeUnixNano: T0, count: 1.5 }] } },
      `${at}.histogram.dataPoints[0].count must be an integer`,
    ],
    [
      'a bucket count that is not a number',
      { name: 'h', histogram: { dataPoints: [{ timeUnixNano: T0, bucketCounts: ['x'] }] } },
      `${at}.histogram.dataPoints[0].bucketCounts[0] must be an integer`,
    ],
    [
      'an explicit bound that is a boolean',
      { name: 'h', histogram: { dataPoints: [{ timeUnixNano: T0, explicitBounds: [true] }] } },
      `${at}.histogram.dataPoints[0].explicitBounds[0] must be a number`,
    ],
    [
      'an unknown temporality name',
      { name: 's', sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_WEEKLY' } },
      `${at}.sum.aggregationTemporality has the unknown value`,
    ],
    [
      'a positive bucket offset that is a string of letters',
      { name: 'e', exponentialHistogram: { dataPoints: [{ timeUnixNano: T0, positive: { offset: 'one' } }] } },
      `${at}.exponentialHistogram.dataPoints[0].positive.offset must be an integer`,
    ],
    [
      'an exemplar span id that is not hex',
      { name: 'g', gauge: { dataPoints: [{ timeUnixNano: T0, exemplars: [{ spanId: 'q' }] }] } },
      `${at}.gauge.dataPoints[0].exemplars[0].spanId must be hex`,
    ],
    [
      'a quantile that is a string of letters',
      { name: 'q', summary: { dataPoints: [{ timeUnixNano: T0, quantileValues: [{ quantile: 'half' }] }] } },
      `${at}.summary.dataPoints[0].quantileValues[0].quantile must be a number`,
    ],
  ])('rejects a metric with %s, naming where', (_what, metric, message) => {
    const error = thrownBy(() => decodeMetricsJson(metricsBody([metric]), 'p1'));
    expect(error.code).toBe('ERR_INGEST_MALFORMED_BODY');
    expect(error.message).toContain(message);
  });
});
