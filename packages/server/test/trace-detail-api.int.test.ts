import {
  isoFromMicros,
  type Attributes,
  type AttributeValue,
  type LogRecord,
  type Span,
  type SpanDetail,
  type TraceDetail,
  type TraceTree,
} from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANY_VALUES, bytes, type Json } from './support/json-fixtures.js';
import { getJson, startTestServer, type TestServer } from './support/server.js';

/**
 * The trace answers splice the stored JSON of attributes, events, links, bodies and scopes into
 * their text: whatever a span carried must come back from `GET /api/traces/:id` as it was sent.
 */
describe('GET /api/traces/:traceId with attributes that JSON must escape', () => {
  const TRACE_ID = '5b8efff798038103d269b633813fc60c';
  const ROOT_ID = 'eee19b7ec3c1b174';
  const CHILD_ID = 'eee19b7ec3c1b175';
  const LINKED = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
  const startUs = (Date.now() - 60_000) * 1000 + 123;
  const nanos = (us: number): string => `${us}789`;

  /** Strings that break JSON text when they are not escaped: quotes, backslashes, control characters, U+2028, astral and lone surrogates. */
  const NASTY = [
    'say "hi"',
    'C:\\Users\\"quoted"\\',
    'line one\nline two\r\n\ttabbed',
    '\u0000\u0001\u001f\u007f',
    'paragraph\u2028separator\u2029',
    'naïve café — 日本語 😀',
    // Sent as a lone surrogate (see `sent`), which no UTF-8 text holds: stored as U+FFFD.
    'lone \ufffd surrogate',
    '}],"injected":[{"',
    '{"timeUs":1}',
    '\\u0041 is not A',
  ];

  /** A string as the client sends it: the replacement character stands for a lone surrogate. */
  const sent = (text: string): string => text.replaceAll('\ufffd', '\ud800');

  /** Every attribute form: the AnyValues of the decoder tests, the nasty strings, deep nesting. */
  const wire: Json[] = [
    ...ANY_VALUES.map(([label, value]) => ({ key: label, value })),
    ...NASTY.map((text, i) => ({ key: `nasty ${i}: ${sent(text)}`, value: { stringValue: sent(text) } })),
    {
      key: 'nested',
      value: {
        kvlistValue: {
          values: [
            {
              key: 'list',
              value: {
                arrayValue: { values: [{ stringValue: NASTY[0] }, { arrayValue: { values: [{ intValue: '9223372036854775807' }, { doubleValue: 0.1 }] } }] },
              },
            },
            { key: 'map "quoted"', value: { kvlistValue: { values: [{ key: '\n', value: { stringValue: NASTY[2] } }] } } },
          ],
        },
      },
    },
  ];
  /** What the decoder keeps of `wire`: NaN and the infinities become null in JSON. */
  const expected: Attributes = Object.fromEntries([
    ...ANY_VALUES.map(([label, , decoded]) => [label, typeof decoded === 'number' && !Number.isFinite(decoded) ? null : (decoded as AttributeValue)]),
    ...NASTY.map((text, i) => [`nasty ${i}: ${text}`, text]),
    ['nested', { list: [NASTY[0]!, ['9223372036854775807', 0.1]], 'map "quoted"': { '\n': NASTY[2]! } }],
  ]);

  const resourceWire = {
    attributes: [
      { key: 'service.name', value: { stringValue: 'svc "one"\n' } },
      { key: 'host.name', value: { stringValue: NASTY[5] } },
    ],
  };
  const scopeWire = { name: 'scope \\ "name"', version: '1.0\t', attributes: [{ key: 'scope "attr"', value: { stringValue: NASTY[4] } }] };
  const rootSpan = {
    traceId: TRACE_ID,
    spanId: ROOT_ID,
    name: 'root',
    kind: 2,
    startTimeUnixNano: nanos(startUs),
    endTimeUnixNano: nanos(startUs + 5_000),
  };
  const childSpan = {
    traceId: TRACE_ID,
    spanId: CHILD_ID,
    parentSpanId: ROOT_ID,
    name: 'child "quoted" \\ 😀',
    kind: 3,
    traceState: 'k=v"',
    startTimeUnixNano: nanos(startUs + 1_000),
    endTimeUnixNano: nanos(startUs + 3_500),
    attributes: wire,
    events: [
      { timeUnixNano: nanos(startUs + 1_500), name: 'exception', attributes: [{ key: 'exception.message', value: { stringValue: sent(NASTY.join(' | ')) } }] },
      { timeUnixNano: nanos(startUs + 2_000), name: 'event "two"\n', attributes: wire, droppedAttributesCount: 2 },
    ],
    links: [{ ...LINKED, traceState: 'a=b', attributes: [{ key: 'link "why"', value: { stringValue: NASTY[1] } }], droppedAttributesCount: 1 }],
    status: { code: 2, message: 'failed: "quoted"\nnext line' },
  };
  const logWire = {
    timeUnixNano: nanos(startUs + 2_500),
    observedTimeUnixNano: nanos(startUs + 2_600),
    severityNumber: 17,
    severityText: 'ERROR "x"',
    traceId: TRACE_ID,
    spanId: CHILD_ID,
    body: {
      kvlistValue: {
        values: [
          { key: 'message', value: { stringValue: sent(NASTY.join('')) } },
          { key: 'list', value: { arrayValue: { values: [{ intValue: '-9223372036854775808' }] } } },
        ],
      },
    },
    attributes: wire,
  };

  let server: TestServer;
  let detail: TraceDetail;

  beforeAll(async () => {
    server = await startTestServer();
    const post = async (path: string, body: Json) => {
      const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes(body) });
      expect(response.status).toBe(200);
    };
    await post('/v1/traces', {
      resourceSpans: [{ resource: resourceWire, schemaUrl: NASTY[0], scopeSpans: [{ scope: scopeWire, schemaUrl: NASTY[1], spans: [childSpan, rootSpan] }] }],
    });
    await post('/v1/logs', {
      resourceLogs: [{ resource: resourceWire, schemaUrl: NASTY[0], scopeLogs: [{ scope: scopeWire, schemaUrl: NASTY[1], logRecords: [logWire] }] }],
    });
    const response = await fetch(`${server.url}/api/traces/${TRACE_ID}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('content-length')).not.toBeNull();
    // The body must be JSON as it stands: `JSON.parse` throws on a character left unescaped.
    detail = JSON.parse(await response.text()) as TraceDetail;
  });

  afterAll(async () => {
    await server?.stop();
  });

  const resource = { 'service.name': 'svc "one"\n', 'host.name': NASTY[5]! };
  const scope = { name: 'scope \\ "name"', version: '1.0\t', attributes: { 'scope "attr"': NASTY[4]! }, droppedAttributesCount: 0, schemaUrl: NASTY[1]! };

  it('answers every span field as sent, in tree order', () => {
    expect(detail.traceId).toBe(TRACE_ID);
    expect(detail.spans.map((s) => [s.spanId, s.depth])).toEqual([
      [ROOT_ID, 0],
      [CHILD_ID, 1],
    ]);
    const child: Span = {
      traceId: TRACE_ID,
      spanId: CHILD_ID,
      parentSpanId: ROOT_ID,
      traceState: 'k=v"',
      flags: 0,
      name: 'child "quoted" \\ 😀',
      kind: 'client',
      serviceName: 'svc "one"\n',
      startTime: isoFromMicros(startUs + 1_000),
      endTime: isoFromMicros(startUs + 3_500),
      durationMs: 2.5,
      status: { code: 'error', message: 'failed: "quoted"\nnext line' },
      attributes: expected,
      resource,
      resourceSchemaUrl: NASTY[0]!,
      scope,
      events: [
        { time: isoFromMicros(startUs + 1_500), name: 'exception', attributes: { 'exception.message': NASTY.join(' | ') }, droppedAttributesCount: 0 },
        { time: isoFromMicros(startUs + 2_000), name: 'event "two"\n', attributes: expected, droppedAttributesCount: 2 },
      ],
      links: [{ ...LINKED, traceState: 'a=b', attributes: { 'link "why"': NASTY[1]! }, droppedAttributesCount: 1, flags: 0 }],
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
      llm: null,
      sessionId: null,
      userId: null,
      category: detail.spans[1]!.category,
      depth: 1,
    };
    expect(detail.spans[1]).toEqual(child);
    expect(detail.spans[0]).toMatchObject({ spanId: ROOT_ID, parentSpanId: null, attributes: {}, events: [], links: [], resource, scope, depth: 0 });
  });

  it("answers the trace's logs with body and attributes as sent", () => {
    const log: Omit<LogRecord, 'logId'> = {
      time: isoFromMicros(startUs + 2_500),
      observedTime: isoFromMicros(startUs + 2_600),
      traceId: TRACE_ID,
      spanId: CHILD_ID,
      flags: 0,
      severityNumber: 17,
      severityText: 'ERROR "x"',
      body: { message: NASTY.join(''), list: ['-9223372036854775808'] },
      bodyBytes: false,
      attributes: expected,
      resource,
      resourceSchemaUrl: NASTY[0]!,
      scope,
      serviceName: 'svc "one"\n',
      eventName: '',
      droppedAttributesCount: 0,
    };
    expect(detail.logs).toEqual([{ ...log, logId: detail.logs[0]!.logId }]);
  });

  it('answers one span alone as the trace answer has it, at depth 0', async () => {
    const { status, body } = await getJson<SpanDetail>(server.url, `/api/traces/${TRACE_ID}/spans/${CHILD_ID}`);
    expect(status).toBe(200);
    expect(body).toEqual({ traceId: TRACE_ID, span: { ...detail.spans[1], depth: 0 }, logs: detail.logs });
  });

  it("answers the waterfall's logs as the trace answer has them", async () => {
    const { status, body } = await getJson<TraceTree>(server.url, `/api/traces/${TRACE_ID}/tree`);
    expect(status).toBe(200);
    expect(body.spanIds).toHaveLength(2);
    expect(body.logs).toEqual(detail.logs);
  });
});

/** An answer past 1 MiB is written into the answer region (`AnswerRegion`), held until it is sent. */
describe('GET /api/traces/:traceId of an answer larger than a part', () => {
  const TRACE_ID = '6c9f0a1b2c3d4e5f60718293a4b5c6d7';
  const SPANS = 600;
  const startUs = (Date.now() - 60_000) * 1000;
  const spanId = (i: number): string => (0x1000 + i).toString(16).padStart(16, '0');
  // 4 KB of text a span, some of it escaped: 600 spans answer in about 3 MB.
  const TEXT = 'naïve "café" \\ 日本 😀 '.repeat(160);
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    const spans = Array.from({ length: SPANS }, (_, i) => ({
      traceId: TRACE_ID,
      spanId: spanId(i),
      ...(i === 0 ? {} : { parentSpanId: spanId(i < 30 ? 0 : i % 30) }),
      name: `step ${i}`,
      kind: 1,
      startTimeUnixNano: `${startUs + i}000`,
      endTimeUnixNano: `${startUs + i + 500}000`,
      attributes: [{ key: 'text', value: { stringValue: `${TEXT}${i}` } }],
      events: [{ timeUnixNano: `${startUs + i + 1}000`, name: 'e', attributes: [{ key: 'n', value: { intValue: String(i) } }] }],
    }));
    const response = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bytes({
        resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'big' } }] }, scopeSpans: [{ scope: { name: 's' }, spans }] }],
      }),
    });
    expect(response.status).toBe(200);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers it whole, with its length, every span as the page of all spans has it', async () => {
    const response = await fetch(`${server.url}/api/traces/${TRACE_ID}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const text = await response.text();
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(Buffer.byteLength(text)).toBeGreaterThan(2 * 2 ** 20);
    const detail = JSON.parse(text) as TraceDetail;
    expect(detail.spans).toHaveLength(SPANS);
    expect(new Set(detail.spans.map((s) => s.attributes['text'])).size).toBe(SPANS);
    expect(detail.spans.map((s) => s.attributes['text'])).toEqual(expect.arrayContaining([`${TEXT}0`, `${TEXT}${SPANS - 1}`]));
    const { status, body: page } = await getJson<{ spans: Span[]; logs: LogRecord[] }>(server.url, `/api/traces/${TRACE_ID}?spans=0,${SPANS}`);
    expect(status).toBe(200);
    expect(detail.spans).toEqual(page.spans);
    expect(detail.logs).toEqual(page.logs);
  });

  it('answers the same bytes asked for again and again, one after another and side by side', async () => {
    const body = async () => Buffer.from(await (await fetch(`${server.url}/api/traces/${TRACE_ID}`)).arrayBuffer());
    const first = await body();
    const second = await body();
    const together = await Promise.all([body(), body(), body()]);
    expect(first.length).toBeGreaterThan(2 * 2 ** 20);
    for (const other of [second, ...together]) expect(other.equals(first)).toBe(true);
  });
});
