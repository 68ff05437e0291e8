import type { LogListResponse, MetricPoint, MetricSeriesResponse, TraceDetail } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLogs, encodeMetrics } from './support/otlp-encode.js';
import { getJson, startTestServer, type TestServer } from './support/server.js';

/**
 * What a client sends comes back from the API exactly and whole, through a real server and its
 * store: integer metric points past 2^53, nanosecond times sent as bare JSON numbers, the schema
 * URLs of resources and scopes, and log bodies that were bytes.
 */

const TRACE_ID = '7f3a9c1e5b2d4f6081a2b3c4d5e6f708';
const SPAN_ID = '1a2b3c4d5e6f7081';
/** A whole second a minute ago; times below are nanoseconds into it that a double cannot hold. */
const SECOND = Math.floor(Date.now() / 1000) - 60;
const ns = (fraction: string): string => `${SECOND}${fraction}`;
const iso = (fraction: string): string => `${new Date(SECOND * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
const RESOURCE_URL = 'https://opentelemetry.io/schemas/1.26.0';
const SCOPE_URL = 'https://example.com/exact/schemas/1';
const MAX = '9223372036854775807';
const PAST_2_53 = '9007199254740993';

let server: TestServer;

async function post(signal: 'traces' | 'logs' | 'metrics', body: string | Uint8Array): Promise<void> {
  const response = await fetch(`${server.url}/v1/${signal}`, {
    method: 'POST',
    headers: { 'content-type': typeof body === 'string' ? 'application/json' : 'application/x-protobuf' },
    body,
  });
  expect(response.status, await response.clone().text()).toBe(200);
  expect(await response.text()).not.toMatch(/rejected/);
}

/** An OTLP/JSON body written as text: bare numbers past 2^53 cannot come from `JSON.stringify`. */
function jsonBody(signal: 'Spans' | 'Logs' | 'Metrics', records: string): string {
  const key = signal === 'Spans' ? 'spans' : signal === 'Logs' ? 'logRecords' : 'metrics';
  return (
    `{"resource${signal}":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"exact"}}]},"schemaUrl":"${RESOURCE_URL}",` +
    `"scope${signal}":[{"scope":{"name":"exact-lib","version":"1"},"schemaUrl":"${SCOPE_URL}","${key}":[${records}]}]}]}`
  );
}

const protobufGroup = <T>(items: T[]) => [
  {
    resource: { attributes: { 'service.name': 'exact' } },
    schemaUrl: RESOURCE_URL,
    scopes: [{ scope: { name: 'exact-lib', version: '1' }, schemaUrl: SCOPE_URL, items }],
  },
];

beforeAll(async () => {
  server = await startTestServer();
  const time = ns('099999999');
  await post(
    'traces',
    jsonBody(
      'Spans',
      `{"traceId":"${TRACE_ID}","spanId":"${SPAN_ID}","name":"bare times","startTimeUnixNano":${time},"endTimeUnixNano":${ns('199999999')},` +
        `"events":[{"timeUnixNano":${ns('149999999')},"name":"e"}]}`,
    ),
  );
  await post(
    'logs',
    jsonBody(
      'Logs',
      `{"timeUnixNano":${ns('129999999')},"observedTimeUnixNano":${ns('139999999')},"traceId":"${TRACE_ID}","spanId":"${SPAN_ID}",` +
        `"body":{"bytesValue":"AAEC/v8="}},{"timeUnixNano":"${ns('119999999')}","traceId":"${TRACE_ID}","body":{"stringValue":"AAEC/v8="}}`,
    ),
  );
  await post('logs', encodeLogs(protobufGroup([{ timeUnixNano: BigInt(ns('109999999')), traceId: TRACE_ID, body: new Uint8Array([104, 105]) }])));
  await post(
    'metrics',
    jsonBody(
      'Metrics',
      `{"name":"exact.json","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[` +
        `{"timeUnixNano":${ns('299999999')},"asInt":${PAST_2_53}},{"timeUnixNano":"${ns('399999999')}","asInt":"${MAX}"}]}}`,
    ),
  );
  await post(
    'metrics',
    encodeMetrics(
      protobufGroup([{ name: 'exact.protobuf', data: { type: 'gauge', points: [{ timeUnixNano: BigInt(ns('500000000')), asInt: 2n ** 63n - 1n }] } }]),
    ),
  );
  // A counter past 2^60 counting 100 a minute, started a day ago.
  const counter = [0n, 100n, 200n].map((add, i) => ({
    startTimeUnixNano: BigInt(SECOND - 86_400) * 1_000_000_000n,
    timeUnixNano: BigInt(SECOND - 240 + i * 60) * 1_000_000_000n,
    asInt: 2n ** 60n + add,
  }));
  await post('metrics', encodeMetrics(protobufGroup([{ name: 'exact.counter', data: { type: 'sum', temporality: 2, monotonic: true, points: counter } }])));
  const big = 2n ** 53n + 1n;
  await post(
    'metrics',
    encodeMetrics(
      protobufGroup([
        {
          name: 'exact.histogram',
          data: {
            type: 'histogram',
            temporality: 2,
            points: [
              {
                timeUnixNano: BigInt(ns('600000000')),
                count: big + 2n,
                sum: 1,
                bucketCounts: [big, 2],
                explicitBounds: [1],
                exemplars: [{ timeUnixNano: BigInt(ns('600000000')), asInt: big }],
              },
            ],
          },
        },
        {
          name: 'exact.exponential',
          data: {
            type: 'exponential_histogram',
            temporality: 2,
            points: [{ timeUnixNano: BigInt(ns('600000000')), count: 2n ** 64n - 1n, zeroCount: big, positive: { offset: 1, bucketCounts: [big] } }],
          },
        },
      ]),
    ),
  );
  await post(
    'metrics',
    jsonBody('Metrics', `{"name":"exact.summary","summary":{"dataPoints":[{"timeUnixNano":"${ns('700000000')}","count":${PAST_2_53},"sum":1}]}}`),
  );
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

describe('integer metric points past 2^53', () => {
  it('come back from /api/metrics/points with every digit, in value and intValue, from JSON and protobuf alike', async () => {
    const text = await (await fetch(`${server.url}/api/metrics/points?name=exact.json`)).text();
    expect(text).toContain(`"value":${MAX},"intValue":"${MAX}"`);
    expect(text).toContain(`"value":${PAST_2_53},"intValue":"${PAST_2_53}"`);
    const protobuf = await (await fetch(`${server.url}/api/metrics/points?name=exact.protobuf`)).text();
    expect(protobuf).toContain(`"value":${MAX},"intValue":"${MAX}"`);
    const { points } = JSON.parse(text) as { points: MetricPoint[] };
    expect(points.map((p) => [p.time, p.intValue])).toEqual([
      [iso('399999'), MAX],
      [iso('299999'), PAST_2_53],
    ]);
  });

  it("chart a counter's increase exactly, as alert rules read it", async () => {
    const { body } = await getJson<MetricSeriesResponse>(server.url, '/api/metrics/series?name=exact.counter&fn=increase&step=1m&window=10m');
    // In doubles, 2^60 + 100 is 2^60 and 2^60 + 200 is 2^60 + 256: an increase of 256.
    expect(body.series[0]!.values.at(-1)).toBe(200);
  });
});

describe('histogram and summary counts past 2^53', () => {
  const big = PAST_2_53;
  const max = String(2n ** 64n - 1n);

  it('come back from /api/metrics/points with every digit, and as decimal strings in exactCounts', async () => {
    const histogram = await (await fetch(`${server.url}/api/metrics/points?name=exact.histogram`)).text();
    expect(histogram).toContain(`"count":${BigInt(big) + 2n},`);
    expect(histogram).toContain(`"bucketCounts":[${big},2],`);
    expect(histogram).toContain(`"exemplars":[{"value":${big},`);
    expect(histogram).toContain(`"intValue":"${big}"`);
    const { points } = JSON.parse(histogram) as { points: MetricPoint[] };
    expect(points.map((p) => [p.exactCounts, p.exemplars.map((e) => e.intValue)])).toEqual([
      [{ count: String(BigInt(big) + 2n), bucketCounts: [big, '2'] }, [big]],
    ]);
    const exp = await (await fetch(`${server.url}/api/metrics/points?name=exact.exponential`)).text();
    expect(exp).toContain(`"count":${max},`);
    expect(exp).toContain(`"zeroCount":${big},`);
    expect((JSON.parse(exp) as { points: MetricPoint[] }).points[0]!.exactCounts).toEqual({ count: max, zeroCount: big, positive: [big] });
    const summary = await (await fetch(`${server.url}/api/metrics/points?name=exact.summary`)).text();
    expect(summary).toContain(`"count":${big},`);
    expect((JSON.parse(summary) as { points: MetricPoint[] }).points[0]!.exactCounts).toEqual({ count: big });
  });
});

describe('times sent as bare JSON numbers', () => {
  it('read to the microsecond, cut as string times are', async () => {
    const { body } = await getJson<TraceDetail>(server.url, `/api/traces/${TRACE_ID}`);
    expect(body.spans[0]).toMatchObject({ startTime: iso('099999'), endTime: iso('199999'), events: [{ time: iso('149999') }] });
    expect(body.logs.find((l) => l.spanId === SPAN_ID)).toMatchObject({ time: iso('129999'), observedTime: iso('139999') });
  });
});

describe('schema URLs', () => {
  it("come back on spans, logs and metric points, the resource's beside its attributes and the scope's in it", async () => {
    const urls = {
      resourceSchemaUrl: RESOURCE_URL,
      scope: { name: 'exact-lib', version: '1', attributes: {}, droppedAttributesCount: 0, schemaUrl: SCOPE_URL },
    };
    const { body: trace } = await getJson<TraceDetail>(server.url, `/api/traces/${TRACE_ID}`);
    expect(trace.spans[0]).toMatchObject({ resource: { 'service.name': 'exact' }, ...urls });
    for (const log of trace.logs) expect(log).toMatchObject(urls);
    const { body: logs } = await getJson<LogListResponse>(server.url, `/api/logs?traceId=${TRACE_ID}`);
    for (const log of logs.logs) expect(log).toMatchObject(urls);
    for (const name of ['exact.json', 'exact.protobuf']) {
      const { body } = await getJson<{ points: MetricPoint[] }>(server.url, `/api/metrics/points?name=${name}`);
      for (const point of body.points) expect(point).toMatchObject(urls);
    }
  });
});

describe('log bodies that were bytes', () => {
  it('come back marked as bytes, their base64 text the body, and a string body that looks the same unmarked', async () => {
    const { body } = await getJson<LogListResponse>(server.url, `/api/logs?traceId=${TRACE_ID}`);
    const marked = (logs: Array<{ body: unknown; bodyBytes: boolean }>) => logs.map((l) => [l.body, l.bodyBytes]);
    // Newest first: the JSON bytes, the JSON string, the protobuf bytes.
    expect(marked(body.logs)).toEqual([
      ['AAEC/v8=', true],
      ['AAEC/v8=', false],
      ['aGk=', true],
    ]);
    const { body: trace } = await getJson<TraceDetail>(server.url, `/api/traces/${TRACE_ID}`);
    expect(marked(trace.logs)).toEqual([
      ['aGk=', true],
      ['AAEC/v8=', false],
      ['AAEC/v8=', true],
    ]);
  });
});
