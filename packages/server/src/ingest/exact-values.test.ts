import type { LogRecordData, MetricPointRecord, SpanRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { RECEIVED_US, SPAN_ID, TRACE_ID } from '../../test/support/decode-fixtures.js';
import { type LogInput, type MetricInput, type ValueInput, encodeLogs, encodeMetrics, encodeTraces } from '../../test/support/otlp-encode.js';
import { decodeLogsJson } from './json/logs.js';
import { decodeMetricsJson } from './json/metrics.js';
import { decodeTracesJson } from './json/traces.js';
import { decodeLogsProtobuf } from './protobuf/logs.js';
import { decodeMetricsProtobuf } from './protobuf/metrics.js';
import { decodeTracesProtobuf } from './protobuf/traces.js';

/**
 * What both OTLP encodings must carry through the decoders exactly, with nothing dropped: 64-bit
 * integers past 2^53 (metric points' `asInt`, nanosecond times written as bare JSON numbers),
 * the schema URLs of resources and scopes, and whether a log body was bytes.
 */

/** A time every signal keeps (a metric point needs one): 2025-11-21T10:00:00Z in nanoseconds. */
const T = 1_763_719_200_000_000_000n;
const text = (json: string): Uint8Array => new TextEncoder().encode(json);
const envelope = (signal: 'Spans' | 'Logs' | 'Metrics', records: string, schemaUrls = ''): string => {
  const key = signal === 'Spans' ? 'spans' : signal === 'Logs' ? 'logRecords' : 'metrics';
  return `{"resource${signal}":[{"resource":{}${schemaUrls === '' ? '' : `,"schemaUrl":${JSON.stringify(schemaUrls)}`},"scope${signal}":[{"scope":{"name":"s"},${schemaUrls === '' ? '' : `"schemaUrl":${JSON.stringify(`${schemaUrls}/scope`)},`}"${key}":[${records}]}]}]}`;
};

describe('integer metric points, exactly', () => {
  const INTS = [
    ['2^63 - 1', 2n ** 63n - 1n],
    ['-2^63', -(2n ** 63n)],
    ['2^53 + 1', 2n ** 53n + 1n],
    ['42', 42n],
    ['0', 0n],
  ] as const;

  const protobufPoint = (asInt: bigint): MetricPointRecord =>
    decodeMetricsProtobuf(
      encodeMetrics([{ scopes: [{ items: [{ name: 'g', data: { type: 'gauge', points: [{ timeUnixNano: T, asInt }] } } satisfies MetricInput] }] }]),
      'p1',
    ).records[0]!;
  const jsonPoint = (asInt: string): MetricPointRecord =>
    decodeMetricsJson(
      text(envelope('Metrics', `{"name":"g","sum":{"aggregationTemporality":2,"dataPoints":[{"timeUnixNano":"${T}","asInt":${asInt}}]}}`)),
      'p1',
    ).records[0]!;

  it.each(INTS)('keeps an sfixed64 asInt of %s exactly beside its double', (_what, n) => {
    expect(protobufPoint(n)).toMatchObject({ intValue: String(n), value: Number(n) });
  });

  it.each(INTS)('keeps an OTLP/JSON asInt of %s exactly, quoted or a bare number', (_what, n) => {
    expect(jsonPoint(`"${n}"`)).toMatchObject({ intValue: String(n), value: Number(n) });
    expect(jsonPoint(String(n))).toMatchObject({ intValue: String(n), value: Number(n) });
  });

  it('writes an OTLP/JSON asInt in canonical decimal', () => {
    expect(jsonPoint('"007"').intValue).toBe('7');
    expect(jsonPoint('"-0"').intValue).toBe('0');
  });

  it('gives a double point no integer value, in either encoding', () => {
    const protobuf = decodeMetricsProtobuf(
      encodeMetrics([{ scopes: [{ items: [{ name: 'g', data: { type: 'gauge', points: [{ timeUnixNano: T, asDouble: 2.5 }] } }] }] }]),
      'p1',
    );
    expect(protobuf.records[0]).toMatchObject({ value: 2.5, intValue: null });
    const json = decodeMetricsJson(text(envelope('Metrics', `{"name":"g","gauge":{"dataPoints":[{"timeUnixNano":"${T}","asDouble":2.5}]}}`)), 'p1');
    expect(json.records[0]).toMatchObject({ value: 2.5, intValue: null });
  });
});

describe('histogram and summary counts, exactly', () => {
  const BIG = 2n ** 53n + 1n;
  const MAX = 2n ** 64n - 1n;
  const decode = (data: MetricInput['data']): MetricPointRecord =>
    decodeMetricsProtobuf(encodeMetrics([{ scopes: [{ items: [{ name: 'h', data }] }] }]), 'p1').records[0]!;
  const json = (metric: string): MetricPointRecord => decodeMetricsJson(text(envelope('Metrics', `{"name":"h",${metric}}`)), 'p1').records[0]!;

  it("keeps a histogram's count and bucket counts past 2^53 exactly beside their doubles, from protobuf", () => {
    for (const packed of [true, false]) {
      const point = decode({
        type: 'histogram',
        temporality: 2,
        points: [{ timeUnixNano: T, count: BIG + 3n, bucketCounts: [BIG, 1, 2], explicitBounds: [1, 2], packed }],
      });
      expect(point).toMatchObject({ count: Number(BIG + 3n), bucketCounts: [Number(BIG), 1, 2] });
      expect(point.exactCounts).toEqual({ count: String(BIG + 3n), bucketCounts: [String(BIG), '1', '2'] });
    }
  });

  it("keeps an exponential histogram's zero count and bucket counts, and a summary's count, up to 2^64 - 1", () => {
    const exp = decode({
      type: 'exponential_histogram',
      temporality: 2,
      points: [{ timeUnixNano: T, count: MAX, zeroCount: BIG, positive: { offset: 1, bucketCounts: [1, BIG] }, negative: { bucketCounts: [2] } }],
    });
    expect(exp.exactCounts).toEqual({ count: String(MAX), zeroCount: String(BIG), positive: ['1', String(BIG)] });
    expect(exp).toMatchObject({
      count: Number(MAX),
      zeroCount: Number(BIG),
      positive: { offset: 1, bucketCounts: [1, Number(BIG)] },
      negative: { offset: 0, bucketCounts: [2] },
    });
    expect(decode({ type: 'summary', points: [{ timeUnixNano: T, count: BIG, sum: 1 }] }).exactCounts).toEqual({ count: String(BIG) });
  });

  it('adds nothing to a point whose counts a double holds', () => {
    const point = decode({
      type: 'histogram',
      temporality: 2,
      points: [{ timeUnixNano: T, count: 2n ** 53n - 1n, bucketCounts: [2n ** 53n - 1n], explicitBounds: [] }],
    });
    expect(point.count).toBe(Number.MAX_SAFE_INTEGER);
    expect('exactCounts' in point).toBe(false);
  });

  it('keeps the same counts from OTLP/JSON, as strings or bare numbers', () => {
    const histogram = json(
      `"histogram":{"aggregationTemporality":2,"dataPoints":[{"timeUnixNano":"${T}","count":${BIG + 3n},"bucketCounts":["${BIG}","1","2"],"explicitBounds":[1,2]}]}`,
    );
    expect(histogram.exactCounts).toEqual({ count: String(BIG + 3n), bucketCounts: [String(BIG), '1', '2'] });
    expect(histogram.bucketCounts).toEqual([Number(BIG), 1, 2]);
    const exp = json(
      `"exponentialHistogram":{"aggregationTemporality":2,"dataPoints":[{"timeUnixNano":"${T}","count":"${MAX}","zeroCount":${BIG},"positive":{"offset":1,"bucketCounts":["1","${BIG}"]}}]}`,
    );
    expect(exp.exactCounts).toEqual({ count: String(MAX), zeroCount: String(BIG), positive: ['1', String(BIG)] });
    expect(json(`"summary":{"dataPoints":[{"timeUnixNano":"${T}","count":"${BIG}"}]}`).exactCounts).toEqual({ count: String(BIG) });
  });

  it("keeps an exemplar's integer past 2^53 exactly, in either encoding, and only there", () => {
    const exemplars = [
      { timeUnixNano: T, asInt: BIG },
      { timeUnixNano: T, asInt: 7 },
      { timeUnixNano: T, asDouble: 2.5 },
    ];
    const protobuf = decode({ type: 'gauge', points: [{ timeUnixNano: T, asDouble: 1, exemplars }] }).exemplars;
    expect(protobuf.map((e) => [e.value, e.intValue])).toEqual([
      [Number(BIG), String(BIG)],
      [7, undefined],
      [2.5, undefined],
    ]);
    const fromJson = json(
      `"gauge":{"dataPoints":[{"timeUnixNano":"${T}","asDouble":1,"exemplars":[{"timeUnixNano":"${T}","asInt":${BIG}},{"timeUnixNano":"${T}","asInt":"7"},{"timeUnixNano":"${T}","asDouble":2.5}]}]}`,
    ).exemplars;
    expect(fromJson).toEqual(protobuf);
  });
});

describe('nanosecond times written as bare JSON numbers', () => {
  // A JavaScript number holds neither: JSON.parse made the start …100000000 and the end …200000000.
  const START = '1763719200099999999';
  const END = '1763719200199999999';
  const START_US = 1_763_719_200_099_999;
  const END_US = 1_763_719_200_199_999;

  it("reads a span's and its event's times exactly, cut to the microsecond as strings are", () => {
    const span = `{"traceId":"${TRACE_ID}","spanId":"${SPAN_ID}","name":"n","startTimeUnixNano":${START},"endTimeUnixNano": ${END} ,"events":[{"timeUnixNano":${END},"name":"e"}]}`;
    const [bare] = decodeTracesJson(text(envelope('Spans', span)), 'p1').records;
    const [quoted] = decodeTracesJson(text(envelope('Spans', span.replaceAll(/(UnixNano": ?)(\d+)/g, '$1"$2"'))), 'p1').records;
    expect(bare).toMatchObject({ startTimeUs: START_US, endTimeUs: END_US, events: [{ timeUs: END_US }] });
    expect(bare).toEqual(quoted);
  });

  it("reads a log record's times exactly", () => {
    const [log] = decodeLogsJson(text(envelope('Logs', `{"timeUnixNano":${START},"observedTimeUnixNano":${END}}`)), 'p1', RECEIVED_US).records;
    expect(log).toMatchObject({ timeUs: START_US, observedTimeUs: END_US });
  });

  it("reads a metric point's and its exemplar's times exactly", () => {
    const metric = `{"name":"g","gauge":{"dataPoints":[{"startTimeUnixNano":${START},"timeUnixNano":${END},"asDouble":1,"exemplars":[{"timeUnixNano":${START},"asDouble":1}]}]}}`;
    const [point] = decodeMetricsJson(text(envelope('Metrics', metric)), 'p1').records;
    expect(point).toMatchObject({ startTimeUs: START_US, timeUs: END_US, exemplars: [{ timeUs: START_US }] });
  });

  it('leaves a string value that only looks like a bare time as it was', () => {
    const span = `{"traceId":"${TRACE_ID}","spanId":"${SPAN_ID}","name":"say \\"timeUnixNano\\": ${START}","startTimeUnixNano":"1","endTimeUnixNano":"1"}`;
    expect(decodeTracesJson(text(envelope('Spans', span)), 'p1').records[0]!.name).toBe(`say "timeUnixNano": ${START}`);
  });
});

describe('schema URLs of resources and scopes', () => {
  const URL = 'https://opentelemetry.io/schemas/1.26.0';
  const expectKept = (record: SpanRecord | LogRecordData | MetricPointRecord): void => {
    expect(record.resource.schemaUrl).toBe(URL);
    expect(record.scope.schemaUrl).toBe(`${URL}/scope`);
  };
  const groups = <T>(items: T[]) => [{ schemaUrl: URL, scopes: [{ scope: { name: 's' }, schemaUrl: `${URL}/scope`, items }] }];

  it('keeps both on spans, logs and metric points sent as protobuf', () => {
    expectKept(decodeTracesProtobuf(encodeTraces(groups([{ traceId: TRACE_ID, spanId: SPAN_ID }])), 'p1').records[0]!);
    expectKept(decodeLogsProtobuf(encodeLogs(groups([{ timeUnixNano: 1n }])), 'p1', RECEIVED_US).records[0]!);
    expectKept(
      decodeMetricsProtobuf(encodeMetrics(groups([{ name: 'g', data: { type: 'gauge', points: [{ timeUnixNano: T, asDouble: 1 }] } }])), 'p1').records[0]!,
    );
  });

  it('keeps both on spans, logs and metric points sent as JSON', () => {
    expectKept(decodeTracesJson(text(envelope('Spans', `{"traceId":"${TRACE_ID}","spanId":"${SPAN_ID}"}`, URL)), 'p1').records[0]!);
    expectKept(decodeLogsJson(text(envelope('Logs', '{"timeUnixNano":"1"}', URL)), 'p1', RECEIVED_US).records[0]!);
    expectKept(
      decodeMetricsJson(text(envelope('Metrics', `{"name":"g","gauge":{"dataPoints":[{"timeUnixNano":"${T}","asDouble":1}]}}`, URL)), 'p1').records[0]!,
    );
  });
});

describe('log bodies that are bytes', () => {
  const protobufLog = (body: ValueInput): LogRecordData =>
    decodeLogsProtobuf(encodeLogs([{ scopes: [{ items: [{ timeUnixNano: 1n, body } satisfies LogInput] }] }]), 'p1', RECEIVED_US).records[0]!;
  const jsonLog = (body: string): LogRecordData => decodeLogsJson(text(envelope('Logs', `{"timeUnixNano":"1","body":${body}}`)), 'p1', RECEIVED_US).records[0]!;

  it('are marked as bytes, their base64 text the body, in either encoding', () => {
    expect(protobufLog(new Uint8Array([0, 1, 2, 254, 255]))).toMatchObject({ body: 'AAEC/v8=', bodyBytes: true });
    expect(jsonLog('{"bytesValue":"AAEC/v8="}')).toMatchObject({ body: 'AAEC/v8=', bodyBytes: true });
  });

  it('leave a string body, even one that is base64, and bytes inside a body unmarked', () => {
    for (const log of [
      protobufLog('AAEC/v8='),
      jsonLog('{"stringValue":"AAEC/v8="}'),
      protobufLog({ raw: new Uint8Array([1]) }),
      jsonLog('{"kvlistValue":{"values":[{"key":"raw","value":{"bytesValue":"AQ=="}}]}}'),
    ]) {
      expect(log.bodyBytes).toBeUndefined();
    }
  });
});
