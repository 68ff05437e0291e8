import { randomBytes } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import type { LogListResponse, MetricPointListResponse, TraceDetail } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpanInput, bytesOf, encodeLogs, encodeMetrics, encodeTraces } from './support/otlp-encode.js';
import { type TestServer, getJson, startTestServer } from './support/server.js';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';
const MiB = 1024 * 1024;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

const newTraceId = (): string => randomBytes(16).toString('hex');
const newSpanId = (): string => randomBytes(8).toString('hex');
const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

function span(traceId: string, over: Partial<SpanInput> = {}): SpanInput {
  const start = nowNs();
  return { traceId, spanId: newSpanId(), name: 'GET /ingest-test', kind: 2, startTimeUnixNano: start, endTimeUnixNano: start + 2_000_000n, ...over };
}

function tracesProtobuf(spans: SpanInput[]): Uint8Array {
  return encodeTraces([{ resource: { attributes: { 'service.name': 'ingest-test' } }, scopes: [{ scope: { name: 'test' }, items: spans }] }]);
}

function tracesJson(spans: Array<Record<string, unknown>>): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'ingest-test' } }] }, scopeSpans: [{ spans }] }],
  });
}

function jsonSpan(traceId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const start = nowNs();
  return { traceId, spanId: newSpanId(), name: 'GET /json', kind: 2, startTimeUnixNano: String(start), endTimeUnixNano: String(start + 1_000_000n), ...over };
}

interface Answer {
  status: number;
  contentType: string;
  body: Uint8Array;
}

async function post(signal: 'traces' | 'logs' | 'metrics', body: Uint8Array | string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${server.url}/v1/${signal}`, { method: 'POST', body, headers });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: new Uint8Array(await response.arrayBuffer()) };
}

/** Posts, and returns `'reset'` when the server closed the connection before the client could read an answer. */
async function postAllowingReset(body: Uint8Array | string, headers: Record<string, string>): Promise<Answer | 'reset'> {
  try {
    return await post('traces', body, headers);
  } catch (error) {
    const code = ((error as Error).cause as { code?: string } | undefined)?.code;
    expect(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']).toContain(code);
    return 'reset';
  }
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** `Export*ServiceResponse.partial_success`: field 1, holding rejected (1, int64) and error_message (2). */
function partialSuccessOf(bytes: Uint8Array): { rejected: number; message: string } | null {
  const r = new BinaryReader(bytes);
  let result: { rejected: number; message: string } | null = null;
  while (r.pos < r.len) {
    const [field, wireType] = r.tag();
    if (field !== 1 || wireType !== WireType.LengthDelimited) throw new Error(`unexpected field ${field} in the response`);
    const inner = new BinaryReader(r.bytes());
    result = { rejected: 0, message: '' };
    while (inner.pos < inner.len) {
      const [f] = inner.tag();
      if (f === 1) result.rejected = Number(inner.int64());
      else if (f === 2) result.message = inner.string();
      else throw new Error(`unexpected field ${f} in partial_success`);
    }
  }
  return result;
}

/** `google.rpc.Status`: code (1, int32) and message (2). */
function statusOf(bytes: Uint8Array): { code: number; message: string } {
  const r = new BinaryReader(bytes);
  const status = { code: 0, message: '' };
  while (r.pos < r.len) {
    const [field, wireType] = r.tag();
    if (field === 1) status.code = r.int32();
    else if (field === 2) status.message = r.string();
    else r.skip(wireType);
  }
  return status;
}

async function storedSpanIds(traceId: string): Promise<string[]> {
  const { status, body } = await getJson<TraceDetail>(server.url, `/api/traces/${traceId}`);
  expect(status).toBe(200);
  return body.spans.map((s) => s.spanId).sort();
}

async function rejectedCount(signal: string): Promise<number> {
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const match = new RegExp(`^spoor_ingest_records_rejected_total\\{signal="${signal}",reason="invalid"\\} (\\d+)$`, 'm').exec(metrics);
  return match === null ? 0 : Number(match[1]);
}

/** Sends one valid span and checks that it was stored: the server is up and ingesting. */
async function expectIngestStillWorks(): Promise<void> {
  const traceId = newTraceId();
  const valid = span(traceId);
  const answer = await post('traces', tracesProtobuf([valid]), { 'content-type': PROTOBUF });
  expect(answer.status).toBe(200);
  expect(await storedSpanIds(traceId)).toEqual([valid.spanId]);
}

describe('OTLP/HTTP ingest', () => {
  it('answers protobuf spans with 200 and an empty ExportTraceServiceResponse, and stores them', async () => {
    const traceId = newTraceId();
    const spans = [span(traceId), span(traceId)];
    const answer = await post('traces', tracesProtobuf(spans), { 'content-type': PROTOBUF });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/x-protobuf/);
    expect(answer.body).toHaveLength(0);
    expect(await storedSpanIds(traceId)).toEqual(spans.map((s) => s.spanId).sort());
  });

  it('answers OTLP/JSON spans with 200 and {}, and stores them', async () => {
    const traceId = newTraceId();
    const spans = [jsonSpan(traceId), jsonSpan(traceId)];
    const answer = await post('traces', tracesJson(spans), { 'content-type': 'application/json; charset=utf-8' });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(text(answer.body))).toEqual({});
    expect(await storedSpanIds(traceId)).toEqual(spans.map((s) => s.spanId as string).sort());
  });

  it.each([
    ['protobuf', 'gzip', PROTOBUF],
    ['protobuf', 'deflate', PROTOBUF],
    ['JSON', 'gzip', JSON_TYPE],
  ])('accepts a %s body sent with Content-Encoding %s', async (_format, encoding, contentType) => {
    const traceId = newTraceId();
    const spanId = newSpanId();
    const raw = contentType === PROTOBUF ? tracesProtobuf([span(traceId, { spanId })]) : tracesJson([jsonSpan(traceId, { spanId })]);
    const body = encoding === 'gzip' ? gzipSync(raw) : deflateSync(raw);
    const answer = await post('traces', body, { 'content-type': contentType, 'content-encoding': encoding });
    expect(answer.status).toBe(200);
    expect(await storedSpanIds(traceId)).toEqual([spanId]);
  });

  describe('partial success', () => {
    const start = (): bigint => nowNs();
    const BAD_TRACE_ID = 'deadbeef';
    const partialBodies = {
      traces: (traceId: string, ok: string[], bad: { traceId?: string; spanId?: string }) => ({
        protobuf: tracesProtobuf([span(traceId, { spanId: ok[0] }), span(traceId, bad), span(traceId, { spanId: ok[1] })]),
        json: tracesJson([jsonSpan(traceId, { spanId: ok[0] }), jsonSpan(traceId, bad), jsonSpan(traceId, { spanId: ok[1] })]),
      }),
      logs: (traceId: string) => ({
        protobuf: encodeLogs([
          {
            scopes: [
              {
                items: [
                  { timeUnixNano: start(), body: 'kept', traceId },
                  { timeUnixNano: start(), body: 'bad', traceId: BAD_TRACE_ID },
                  { timeUnixNano: start(), body: 'kept', traceId },
                ],
              },
            ],
          },
        ]),
        json: JSON.stringify({
          resourceLogs: [
            {
              scopeLogs: [
                {
                  logRecords: [
                    { timeUnixNano: String(start()), body: { stringValue: 'kept' }, traceId },
                    { timeUnixNano: String(start()), body: { stringValue: 'bad' }, traceId: BAD_TRACE_ID },
                    { timeUnixNano: String(start()), body: { stringValue: 'kept' }, traceId },
                  ],
                },
              ],
            },
          ],
        }),
      }),
      metrics: (name: string) => ({
        protobuf: encodeMetrics([
          {
            scopes: [
              {
                items: [
                  {
                    name,
                    data: {
                      type: 'gauge',
                      points: [
                        { timeUnixNano: start(), asDouble: 1 },
                        { timeUnixNano: start() + 1000n, asDouble: 2 },
                      ],
                    },
                  },
                  { data: { type: 'gauge', points: [{ timeUnixNano: start(), asDouble: 3 }] } },
                ],
              },
            ],
          },
        ]),
        json: JSON.stringify({
          resourceMetrics: [
            {
              scopeMetrics: [
                {
                  metrics: [
                    {
                      name,
                      gauge: {
                        dataPoints: [
                          { timeUnixNano: String(start()), asDouble: 1 },
                          { timeUnixNano: String(start() + 1000n), asDouble: 2 },
                        ],
                      },
                    },
                    { gauge: { dataPoints: [{ timeUnixNano: String(start()), asDouble: 3 }] } },
                  ],
                },
              ],
            },
          ],
        }),
      }),
    };

    it.each([
      ['protobuf', 'a 4-byte trace id', { traceId: BAD_TRACE_ID }, /^1 spans rejected: span has an invalid trace id 'deadbeef'/],
      ['protobuf', 'a 4-byte span id', { spanId: 'deadbeef' }, /^1 spans rejected: span [0-9a-f]{32}\/deadbeef has an invalid span id/],
      ['json', 'a 4-byte trace id', { traceId: BAD_TRACE_ID }, /^1 spans rejected: span has an invalid trace id 'deadbeef'/],
      ['json', 'a 4-byte span id', { spanId: 'deadbeef' }, /^1 spans rejected: span [0-9a-f]{32}\/deadbeef has an invalid span id/],
    ] as const)(
      'answers %s spans with one of %s among valid ones with a partial success, stores the rest and counts it on /metrics',
      async (format, _what, bad, message) => {
        const traceId = newTraceId();
        const ok = [newSpanId(), newSpanId()];
        const before = await rejectedCount('traces');
        const answer = await post('traces', partialBodies.traces(traceId, ok, bad)[format], { 'content-type': format === 'json' ? JSON_TYPE : PROTOBUF });
        expect(answer.status).toBe(200);
        if (format === 'protobuf') {
          expect(answer.contentType).toMatch(/^application\/x-protobuf/);
          const partial = partialSuccessOf(answer.body);
          expect(partial?.rejected).toBe(1);
          expect(partial?.message).toMatch(message);
        } else {
          const { partialSuccess } = JSON.parse(text(answer.body)) as { partialSuccess: Record<string, string> };
          expect(partialSuccess.rejectedSpans).toBe('1');
          expect(partialSuccess.errorMessage).toMatch(message);
        }
        expect(await storedSpanIds(traceId)).toEqual([...ok].sort());
        expect(await rejectedCount('traces')).toBe(before + 1);
      },
    );

    it.each(['protobuf', 'json'] as const)('rejects one bad log record among valid ones in %s and stores the rest', async (format) => {
      const traceId = newTraceId();
      const before = await rejectedCount('logs');
      const answer = await post('logs', partialBodies.logs(traceId)[format], { 'content-type': format === 'json' ? JSON_TYPE : PROTOBUF });
      expect(answer.status).toBe(200);
      if (format === 'protobuf') expect(partialSuccessOf(answer.body)?.rejected).toBe(1);
      else
        expect(JSON.parse(text(answer.body))).toMatchObject({
          partialSuccess: { rejectedLogRecords: '1', errorMessage: expect.stringMatching(/invalid trace id/) },
        });
      const { body } = await getJson<LogListResponse>(server.url, `/api/logs?traceId=${traceId}`);
      expect(body.logs.map((l) => l.body)).toEqual(['kept', 'kept']);
      expect(await rejectedCount('logs')).toBe(before + 1);
    });

    it.each(['protobuf', 'json'] as const)('rejects the points of a nameless metric in %s and stores the rest', async (format) => {
      const name = `ingest.test.${format}.${newSpanId()}`;
      const before = await rejectedCount('metrics');
      const answer = await post('metrics', partialBodies.metrics(name)[format], { 'content-type': format === 'json' ? JSON_TYPE : PROTOBUF });
      expect(answer.status).toBe(200);
      if (format === 'protobuf') expect(partialSuccessOf(answer.body)).toEqual({ rejected: 1, message: '1 data points rejected: metric has no name' });
      else
        expect(JSON.parse(text(answer.body))).toEqual({
          partialSuccess: { rejectedDataPoints: '1', errorMessage: '1 data points rejected: metric has no name' },
        });
      const { body } = await getJson<MetricPointListResponse>(server.url, `/api/metrics/points?name=${name}`);
      expect(body.points.map((p) => p.value).sort()).toEqual([1, 2]);
      expect(await rejectedCount('metrics')).toBe(before + 1);
    });
  });

  describe('malformed requests', () => {
    const valid = (): Uint8Array => tracesProtobuf([span(newTraceId())]);
    const withExtra = (extra: Uint8Array): Uint8Array => tracesProtobuf([span(newTraceId(), { extra })]);
    const zeros20MiB = gzipSync(Buffer.alloc(20 * MiB));

    it.each([
      ['a truncated protobuf body', PROTOBUF, 400, 'ERR_INGEST_MALFORMED_BODY', () => valid().subarray(0, 30)],
      [
        'a protobuf field with the wrong wire type',
        PROTOBUF,
        400,
        'ERR_INGEST_MALFORMED_BODY',
        () => withExtra(bytesOf((w) => w.tag(7, WireType.LengthDelimited).string('now'))),
      ],
      [
        'a protobuf group',
        PROTOBUF,
        400,
        'ERR_INGEST_MALFORMED_BODY',
        () => withExtra(bytesOf((w) => w.tag(50, WireType.StartGroup).tag(50, WireType.EndGroup))),
      ],
      ['a lone span with a 4-byte trace id', PROTOBUF, 400, 'ERR_INGEST_NO_VALID_RECORDS', () => tracesProtobuf([span('deadbeef')])],
      ['a lone span with a 4-byte span id', PROTOBUF, 400, 'ERR_INGEST_NO_VALID_RECORDS', () => tracesProtobuf([span(newTraceId(), { spanId: 'deadbeef' })])],
      ['a lone JSON span with a 17-byte trace id', JSON_TYPE, 400, 'ERR_INGEST_NO_VALID_RECORDS', () => tracesJson([jsonSpan('ab'.repeat(17))])],
      ['invalid JSON', JSON_TYPE, 400, 'ERR_INGEST_MALFORMED_BODY', () => '{"resourceSpans": ['],
      ['JSON of the wrong type', JSON_TYPE, 400, 'ERR_INGEST_MALFORMED_BODY', () => tracesJson([jsonSpan(newTraceId(), { name: 42 })])],
      ['a JSON body sent as text/plain', 'text/plain', 415, 'ERR_INGEST_UNSUPPORTED_MEDIA_TYPE', () => tracesJson([jsonSpan(newTraceId())])],
    ])('answers %s (%s) with %i and keeps serving', async (_what, contentType, status, code, body) => {
      const answer = await post('traces', body(), { 'content-type': contentType });
      expect(answer.status).toBe(status);
      expectErrorBody(answer, contentType === PROTOBUF ? 'protobuf' : 'json', code);
      await expectIngestStillWorks();
    });

    it.each(['logs', 'metrics'] as const)('answers a truncated protobuf body on /v1/%s with 400 and keeps serving', async (signal) => {
      const body =
        signal === 'logs'
          ? encodeLogs([{ scopes: [{ items: [{ timeUnixNano: nowNs(), body: 'a log line long enough to cut' }] }] }])
          : encodeMetrics([{ scopes: [{ items: [{ name: 'a.metric', data: { type: 'gauge', points: [{ timeUnixNano: nowNs(), asDouble: 1 }] } }] }] }]);
      const answer = await post(signal, body.subarray(0, body.length - 4), { 'content-type': PROTOBUF });
      expect(answer.status).toBe(400);
      expectErrorBody(answer, 'protobuf', 'ERR_INGEST_MALFORMED_BODY');
      await expectIngestStillWorks();
    });

    it('names where a JSON body has the wrong type', async () => {
      const answer = await post('traces', tracesJson([jsonSpan(newTraceId(), { name: 42 })]), { 'content-type': JSON_TYPE });
      expect(JSON.parse(text(answer.body)).error.message).toContain('resourceSpans[0].scopeSpans[0].spans[0].name must be a string');
    });

    it.each([
      ['gzip data that is corrupt', 400, 'ERR_INGEST_MALFORMED_BODY', 'gzip', () => Buffer.from('definitely not gzip')],
      ['an unsupported Content-Encoding', 415, 'ERR_INGEST_UNSUPPORTED_ENCODING', 'br', valid],
      ['a gzip bomb of 20 MiB of zeros', 413, 'ERR_INGEST_BODY_TOO_LARGE', 'gzip', () => zeros20MiB],
    ])('answers a protobuf request with %s with %i and keeps serving', async (_what, status, code, encoding, body) => {
      const answer = await post('traces', body(), { 'content-type': PROTOBUF, 'content-encoding': encoding });
      expect(answer.status).toBe(status);
      expectErrorBody(answer, 'protobuf', code);
      await expectIngestStillWorks();
    });

    it('stops inflating a gzip bomb at the body limit instead of holding it in memory', async () => {
      // 64 gzip members of 16 MiB of zeros each: 1 GiB inflated from about 1 MiB on the wire.
      const member = gzipSync(Buffer.alloc(16 * MiB), { level: 9 });
      const bomb = Buffer.concat(Array.from({ length: 64 }, () => member));
      expect(bomb.length).toBeLessThan(2 * MiB);
      const baseline = process.memoryUsage().arrayBuffers;
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      }, 1);
      let answer: Answer | 'reset';
      try {
        answer = await postAllowingReset(bomb, { 'content-type': PROTOBUF, 'content-encoding': 'gzip' });
      } finally {
        clearInterval(sampler);
      }
      // The server runs in this process; a whole inflated bomb would add 1 GiB here.
      expect(peak - baseline).toBeLessThan(200 * MiB);
      if (answer !== 'reset') expect(answer.status).toBe(413);
      await expectIngestStillWorks();
    });

    it('answers a 50 MB body with 413, or closes the connection, and keeps serving', async () => {
      const answer = await postAllowingReset(Buffer.alloc(50 * 1000 * 1000), { 'content-type': PROTOBUF });
      if (answer !== 'reset') {
        expect(answer.status).toBe(413);
        expectErrorBody(answer, 'protobuf', 'ERR_INGEST_BODY_TOO_LARGE');
      }
      await expectIngestStillWorks();
    });

    it('answers a chunked body that grows past the limit with 413, or closes the connection, and keeps serving', async () => {
      const chunk = new Uint8Array(MiB);
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 200) controller.close();
          else {
            sent++;
            controller.enqueue(chunk);
          }
        },
      });
      let answer: Answer | 'reset';
      try {
        const response = await fetch(`${server.url}/v1/traces`, {
          method: 'POST',
          body: stream,
          headers: { 'content-type': PROTOBUF },
          duplex: 'half',
        } as RequestInit & { duplex: 'half' });
        answer = { status: response.status, contentType: response.headers.get('content-type') ?? '', body: new Uint8Array(await response.arrayBuffer()) };
      } catch (error) {
        expect(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']).toContain(((error as Error).cause as { code?: string } | undefined)?.code);
        answer = 'reset';
      }
      if (answer !== 'reset') {
        expect(answer.status).toBe(413);
        expectErrorBody(answer, 'protobuf', 'ERR_INGEST_BODY_TOO_LARGE');
      }
      expect(sent).toBeLessThan(200); // the server stopped reading long before 200 MiB
      await expectIngestStillWorks();
    });
  });
});

const GRPC_INVALID_ARGUMENT = 3;
const MESSAGES: Record<string, RegExp> = {
  ERR_INGEST_MALFORMED_BODY: /^(malformed protobuf|malformed OTLP\/JSON|cannot inflate the body): /,
  ERR_INGEST_NO_VALID_RECORDS: /^every one of the 1 spans was invalid: /,
  ERR_INGEST_UNSUPPORTED_MEDIA_TYPE: /^Content-Type 'text\/plain' is not supported/,
  ERR_INGEST_UNSUPPORTED_ENCODING: /^Content-Encoding 'br' is not supported/,
  ERR_INGEST_BODY_TOO_LARGE: /^the body is larger than the limit of 16777216 bytes/,
};

/** JSON errors carry `{code, message, error: {code, message}}`; protobuf errors a `google.rpc.Status`. */
function expectErrorBody(answer: Answer, encoding: 'protobuf' | 'json', code: string): void {
  if (encoding === 'protobuf') {
    expect(answer.contentType).toMatch(/^application\/x-protobuf/);
    const status = statusOf(answer.body);
    expect(status.code).toBe(GRPC_INVALID_ARGUMENT);
    expect(status.message).toMatch(MESSAGES[code]!);
    return;
  }
  expect(answer.contentType).toMatch(/^application\/json/);
  const body = JSON.parse(text(answer.body)) as { code: number; message: string; error: { code: string; message: string } };
  expect(body).toEqual({ code: GRPC_INVALID_ARGUMENT, message: expect.any(String), error: { code, message: body.message } });
  expect(body.message).toMatch(MESSAGES[code]!);
}
