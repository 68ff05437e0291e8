import type { LogRecordData, MetricPointRecord, SpanRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { RECEIVED_US } from '../../test/support/decode-fixtures.js';
import { T0, group, span } from '../../test/support/protobuf-fixtures.js';
import { type LogInput, type MetricInput, type SpanInput, encodeLogs, encodeMetrics, encodeTraces } from '../../test/support/otlp-encode.js';
import { decodeLogsJson } from './json/logs.js';
import { decodeMetricsJson } from './json/metrics.js';
import { protobufFromJson } from './json/to-protobuf.js';
import { decodeTracesJson } from './json/traces.js';
import { type MaskingPolicy, maskBatch, redactorOf } from './masking.js';
import { createOutbound, recordsIn } from './outbound.js';
import { decodeLogsProtobuf } from './protobuf/logs.js';
import { decodeMetricsProtobuf } from './protobuf/metrics.js';
import { countRecords } from './protobuf/rewrite.js';
import { decodeTracesProtobuf } from './protobuf/traces.js';

const EMAIL = 'bob@example.com';
const CARD = '4111 1111 1111 1111';
const SECRETS = [EMAIL, CARD, 'hunter2'];

const redactor = (policy: MaskingPolicy = {}) => redactorOf(policy, () => {});
/** Log records without their id, which numbers decoded records in process (`log-id.ts`). */
const withoutIds = (logs: LogRecordData[]) => logs.map(({ logId: _, ...log }) => log);
const has = (body: Uint8Array, text: string): boolean => Buffer.from(body).includes(text);

const tracesWithSecrets = (): SpanInput[] => [
  span({
    attributes: {
      'gen_ai.prompt.0.content': `mail me at ${EMAIL}`,
      'db.password': 'hunter2',
      api_key: 1234567,
      plain: 'nothing here',
      count: 3,
      ratio: 0.5,
      ok: true,
      nested: { card: `pay ${CARD}`, ok: [1, 'x'] },
    },
    events: [{ name: 'exception', timeUnixNano: T0, attributes: { 'exception.message': `failed for ${EMAIL}` } }],
    links: [{ traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), attributes: { caller: EMAIL } }],
    status: { code: 2, message: `card ${CARD} declined` },
  }),
  span({ spanId: 'eee19b7ec3c1b175', name: 'clean', attributes: { plain: 'as it was' } }),
];
const logsWithSecrets = (): LogInput[] => [
  { timeUnixNano: T0, severityNumber: 9, body: `user ${EMAIL} signed in`, attributes: { 'user.email': EMAIL } },
  { timeUnixNano: T0, severityNumber: 13, body: { event: 'payment', card: CARD, amount: 12 } },
  { timeUnixNano: T0, severityNumber: 9, body: 'nothing to hide' },
];
const metricsWithSecrets = (): MetricInput[] => [
  {
    name: 'gauge',
    data: {
      type: 'gauge',
      points: [
        { timeUnixNano: T0, asDouble: 1.5, attributes: { who: EMAIL }, exemplars: [{ timeUnixNano: T0, asDouble: 1, filteredAttributes: { who: EMAIL } }] },
      ],
    },
  },
  { name: 'sum', data: { type: 'sum', temporality: 2, monotonic: true, points: [{ timeUnixNano: T0, asInt: 7, attributes: { who: EMAIL } }] } },
  {
    name: 'hist',
    data: {
      type: 'histogram',
      temporality: 1,
      points: [{ timeUnixNano: T0, count: 2, sum: 3, bucketCounts: [1, 1], explicitBounds: [1], attributes: { who: EMAIL } }],
    },
  },
  {
    name: 'exp',
    data: {
      type: 'exponential_histogram',
      temporality: 1,
      points: [{ timeUnixNano: T0, count: 1, scale: 2, positive: { offset: 1, bucketCounts: [1] }, attributes: { who: EMAIL } }],
    },
  },
  {
    name: 'summary',
    data: { type: 'summary', points: [{ timeUnixNano: T0, count: 1, sum: 2, quantiles: [{ quantile: 0.5, value: 2 }], attributes: { who: EMAIL } }] },
  },
];
const resourceWithSecret = { resource: { attributes: { 'service.name': 'checkout', 'host.owner': EMAIL } } };

/** The records as ingest stores them: decoded, then masked by `maskBatch`. */
function maskedAtIngest<T extends SpanRecord | LogRecordData | MetricPointRecord>(
  records: T[],
  policy: MaskingPolicy,
  key: 'spans' | 'logs' | 'metricPoints',
): T[] {
  maskBatch({ spans: [], logs: [], metricPoints: [], [key]: records }, redactor(policy));
  return records;
}

describe('createOutbound', () => {
  it('sends a body that nothing changed as the very bytes received', () => {
    const body = encodeTraces(group([span({ attributes: { plain: 'nothing here' } })]));
    const out = createOutbound({ redactor: redactor() })('traces', 'protobuf', body);
    expect(out?.body).toBe(body);
    expect(out?.records).toBe(1);
    expect(createOutbound({})('traces', 'protobuf', body)?.body).toBe(body);
  });

  for (const policy of [{}, { mode: 'hash', hashSalt: 's' }, { mode: 'drop' }] as MaskingPolicy[]) {
    it(`masks spans, events, links, status and resources as ingest stores them (${JSON.stringify(policy)})`, () => {
      const body = encodeTraces(group(tracesWithSecrets(), resourceWithSecret));
      const out = createOutbound({ redactor: redactor(policy) })('traces', 'protobuf', body)!;
      for (const secret of SECRETS) expect(has(out.body, secret), secret).toBe(false);
      expect(decodeTracesProtobuf(out.body, 'p1').records).toEqual(maskedAtIngest(decodeTracesProtobuf(body, 'p1').records, policy, 'spans'));
    });

    it(`masks log attributes and bodies, text or structured, as ingest stores them (${JSON.stringify(policy)})`, () => {
      const body = encodeLogs(group(logsWithSecrets(), resourceWithSecret));
      const out = createOutbound({ redactor: redactor(policy) })('logs', 'protobuf', body)!;
      for (const secret of SECRETS) expect(has(out.body, secret), secret).toBe(false);
      expect(withoutIds(decodeLogsProtobuf(out.body, 'p1', RECEIVED_US).records)).toEqual(
        withoutIds(maskedAtIngest(decodeLogsProtobuf(body, 'p1', RECEIVED_US).records, policy, 'logs')),
      );
    });
  }

  it('masks the attributes of every kind of metric point as ingest stores them, and exemplars too, which ingest does not store', () => {
    const body = encodeMetrics(group(metricsWithSecrets(), resourceWithSecret));
    const out = createOutbound({ redactor: redactor() })('metrics', 'protobuf', body)!;
    expect(has(out.body, EMAIL)).toBe(false);
    const stored = maskedAtIngest(decodeMetricsProtobuf(body, 'p1').records, {}, 'metricPoints');
    const sent = decodeMetricsProtobuf(out.body, 'p1').records;
    expect(sent.map(({ exemplars: _, ...point }) => point)).toEqual(stored.map(({ exemplars: _, ...point }) => point));
    expect(sent[0]!.exemplars[0]!.filteredAttributes).toEqual({ who: '[REDACTED:email]' });
    expect(out.records).toBe(5);
  });

  it('masks scope attributes, which ingest keeps as they came', () => {
    const body = encodeTraces([
      { resource: { attributes: { 'service.name': 'a' } }, scopes: [{ scope: { name: 'lib', attributes: { owner: EMAIL } }, items: [span()] }] },
    ]);
    const out = createOutbound({ redactor: redactor() })('traces', 'protobuf', body)!;
    expect(decodeTracesProtobuf(out.body, 'p1').records[0]!.scope.attributes).toEqual({ owner: '[REDACTED:email]' });
  });

  it('keeps what no rule touches: nanosecond times, bytes values and fields Spoor does not read', () => {
    const unknownField = Buffer.from([0xf8, 0x07, 0x2a]); // field 127, varint 42
    const body = encodeTraces(group([span({ startTimeUnixNano: T0, attributes: { who: EMAIL, raw: new Uint8Array([0, 1, 0xff]) }, extra: unknownField })]));
    const out = createOutbound({ redactor: redactor() })('traces', 'protobuf', body)!;
    const t0 = Buffer.alloc(8);
    t0.writeBigUInt64LE(T0);
    expect(Buffer.from(out.body).includes(t0)).toBe(true);
    expect(Buffer.from(out.body).includes(unknownField)).toBe(true);
    expect(Buffer.from(out.body).includes(Buffer.from([0x3a, 3, 0, 1, 0xff]))).toBe(true); // bytes_value, as bytes
    expect(decodeTracesProtobuf(out.body, 'p1').records[0]!.attributes).toEqual({ who: '[REDACTED:email]', raw: 'AAH/' });
  });

  it('leaves out the resources a filter does not keep, and gives nothing when none is left', () => {
    const body = encodeTraces([
      {
        resource: { attributes: { 'service.name': 'checkout' } },
        scopes: [{ items: [span({ spanId: '0000000000000001' }), span({ spanId: '0000000000000002' })] }],
      },
      { resource: { attributes: { 'service.name': 'billing', 'host.owner': EMAIL } }, scopes: [{ items: [span({ spanId: '0000000000000003' })] }] },
    ]);
    const billing = createOutbound({ redactor: redactor(), keepResource: (attributes) => attributes['service.name'] === 'billing' })(
      'traces',
      'protobuf',
      body,
    )!;
    expect(billing.records).toBe(1);
    expect(decodeTracesProtobuf(billing.body, 'p1').records.map((s) => [s.spanId, s.resource.attributes['host.owner']])).toEqual([
      ['0000000000000003', '[REDACTED:email]'],
    ]);
    const checkout = createOutbound({ keepResource: (attributes) => attributes['service.name'] === 'checkout' })('traces', 'protobuf', body)!;
    expect(decodeTracesProtobuf(checkout.body, 'p1').records.map((s) => s.spanId)).toEqual(['0000000000000001', '0000000000000002']);
    expect(createOutbound({ keepResource: () => false })('traces', 'protobuf', body)).toBeNull();
  });
});

/** JSON bodies with every field the decoders read, times past 2^53 ns, and every AnyValue kind. */
const T0_TEXT = '1763719200123456789';
const jsonResource = { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }], droppedAttributesCount: 1 };
const jsonScope = { name: 'lib', version: '1.0', attributes: [{ key: 'k', value: { boolValue: true } }] };
const ANY = [
  { key: 's', value: { stringValue: 'héllo ✓' } },
  { key: 'b', value: { boolValue: false } },
  { key: 'i', value: { intValue: '9007199254740993' } },
  { key: 'd', value: { doubleValue: 2.5 } },
  { key: 'inf', value: { doubleValue: '-Infinity' } },
  { key: 'bytes', value: { bytesValue: 'AAEC+/8=' } },
  { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }, {}] } } },
  { key: 'kv', value: { kvlistValue: { values: [{ key: 'n', value: { kvlistValue: { values: [{ key: 'deep', value: { boolValue: true } }] } } }] } } },
];
/** A bare nanosecond count past 2^53 stands in the text as `"BARE"` (a number literal here would be rounded). */
const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value).replace('"BARE"', '1763719200128456789'));
const JSON_TRACES = json({
  resourceSpans: [
    {
      resource: jsonResource,
      schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
      scopeSpans: [
        {
          scope: jsonScope,
          schemaUrl: 'https://example.com/s',
          spans: [
            {
              traceId: '5B8EFFF798038103D269B633813FC60C',
              spanId: 'eee19b7ec3c1b174',
              parentSpanId: 'eee19b7ec3c1b173',
              traceState: 'a=b',
              flags: 257,
              name: 'GET /',
              kind: 'SPAN_KIND_SERVER',
              startTimeUnixNano: T0_TEXT,
              endTimeUnixNano: 'BARE',
              attributes: ANY,
              droppedAttributesCount: 3,
              events: [{ timeUnixNano: T0_TEXT, name: 'e', attributes: ANY.slice(0, 2), droppedAttributesCount: 1 }],
              droppedEventsCount: 2,
              links: [{ traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), traceState: 'x=y', attributes: ANY.slice(2, 4), flags: 1 }],
              droppedLinksCount: 4,
              status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
            },
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b175',
              name: 'plain',
              kind: 3,
              startTimeUnixNano: T0_TEXT,
              endTimeUnixNano: T0_TEXT,
              status: { code: 1 },
            },
          ],
        },
      ],
    },
  ],
});
const JSON_LOGS = json({
  resourceLogs: [
    {
      resource: jsonResource,
      scopeLogs: [
        {
          scope: jsonScope,
          logRecords: [
            {
              timeUnixNano: T0_TEXT,
              observedTimeUnixNano: T0_TEXT,
              severityNumber: 17,
              severityText: 'ERROR',
              body: { stringValue: 'failed' },
              attributes: ANY,
              droppedAttributesCount: 1,
              flags: 1,
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
              eventName: 'ev',
            },
            { observedTimeUnixNano: T0_TEXT, body: { kvlistValue: { values: [{ key: 'a', value: { intValue: 3 } }] } } },
          ],
        },
      ],
    },
  ],
});
const point = { startTimeUnixNano: '1763719100000000000', timeUnixNano: T0_TEXT, attributes: ANY.slice(0, 3), flags: 1 };
const JSON_METRICS = json({
  resourceMetrics: [
    {
      resource: jsonResource,
      scopeMetrics: [
        {
          scope: jsonScope,
          metrics: [
            {
              name: 'g',
              description: 'a gauge',
              unit: 'ms',
              gauge: {
                dataPoints: [
                  {
                    ...point,
                    asDouble: 1.25,
                    exemplars: [
                      {
                        timeUnixNano: T0_TEXT,
                        asInt: '5',
                        traceId: '5b8efff798038103d269b633813fc60c',
                        spanId: 'eee19b7ec3c1b174',
                        filteredAttributes: ANY.slice(0, 1),
                      },
                    ],
                  },
                ],
              },
            },
            {
              name: 's',
              sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE', isMonotonic: true, dataPoints: [{ ...point, asInt: '9007199254740993' }] },
            },
            {
              name: 'h',
              histogram: {
                aggregationTemporality: 1,
                dataPoints: [{ ...point, count: '3', sum: 4.5, min: 0.5, max: 3, bucketCounts: ['1', '2'], explicitBounds: [1] }],
              },
            },
            {
              name: 'e',
              exponentialHistogram: {
                aggregationTemporality: 2,
                dataPoints: [
                  {
                    ...point,
                    count: 3,
                    sum: 2,
                    scale: -1,
                    zeroCount: 1,
                    zeroThreshold: 0.001,
                    positive: { offset: -2, bucketCounts: [1, 1] },
                    negative: { bucketCounts: ['0'] },
                    min: -1,
                    max: 4,
                  },
                ],
              },
            },
            {
              name: 'q',
              summary: {
                dataPoints: [
                  {
                    ...point,
                    count: 2,
                    sum: 3,
                    quantileValues: [
                      { quantile: 0.5, value: 1 },
                      { quantile: 1, value: 2 },
                    ],
                  },
                ],
              },
            },
          ],
        },
      ],
    },
  ],
});

describe('protobufFromJson', () => {
  it('writes traces as the protobuf that decodes to the same spans', () => {
    const protobuf = protobufFromJson('traces', JSON_TRACES);
    expect(decodeTracesProtobuf(protobuf, 'p1')).toEqual(decodeTracesJson(JSON_TRACES, 'p1'));
    const t0 = Buffer.alloc(8);
    t0.writeBigUInt64LE(BigInt(T0_TEXT));
    expect(Buffer.from(protobuf).includes(t0), 'the nanoseconds exactly').toBe(true);
  });

  it('writes logs as the protobuf that decodes to the same log records', () => {
    const fromProtobuf = decodeLogsProtobuf(protobufFromJson('logs', JSON_LOGS), 'p1', RECEIVED_US);
    const fromJson = decodeLogsJson(JSON_LOGS, 'p1', RECEIVED_US);
    expect({ ...fromProtobuf, records: withoutIds(fromProtobuf.records) }).toEqual({ ...fromJson, records: withoutIds(fromJson.records) });
  });

  it('writes every kind of metric as the protobuf that decodes to the same points', () => {
    expect(decodeMetricsProtobuf(protobufFromJson('metrics', JSON_METRICS), 'p1')).toEqual(decodeMetricsJson(JSON_METRICS, 'p1'));
  });

  it('is what a JSON request is sent on as, masked like a protobuf one', () => {
    const out = createOutbound({ redactor: redactor() })(
      'traces',
      'json',
      json({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: 'a'.repeat(32),
                    spanId: 'b'.repeat(16),
                    name: 'x',
                    startTimeUnixNano: T0_TEXT,
                    endTimeUnixNano: T0_TEXT,
                    attributes: [{ key: 'who', value: { stringValue: EMAIL } }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    )!;
    expect(decodeTracesProtobuf(out.body, 'p1').records[0]!.attributes).toEqual({ who: '[REDACTED:email]' });
  });
});

describe('countRecords', () => {
  it.each([
    ['spans over resources and scopes', 'traces', encodeTraces([...group([span(), span()]), { scopes: [{ items: [span()] }, { items: [] }] }]), 3],
    ['log records', 'logs', encodeLogs(group(logsWithSecrets())), 3],
    [
      'data points of every metric type',
      'metrics',
      encodeMetrics(group([...metricsWithSecrets(), { name: 'two', data: { type: 'gauge', points: [{ timeUnixNano: T0 }, { timeUnixNano: T0 }] } }])),
      7,
    ],
    ['nothing in an empty request', 'traces', new Uint8Array(0), 0],
  ] as const)('counts %s', (_, signal, body, count) => {
    expect(countRecords(signal, body)).toBe(count);
  });

  it('counts a JSON body as the protobuf it is sent as, and a body that does not read as none', () => {
    expect(recordsIn('traces', 'json', JSON_TRACES)).toBe(2);
    expect(recordsIn('traces', 'json', json({ resourceSpans: 'no' }))).toBe(0);
  });
});
