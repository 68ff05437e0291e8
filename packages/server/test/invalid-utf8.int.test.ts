import { randomBytes } from 'node:crypto';
import { Client, Metadata, type ServiceError, credentials } from '@grpc/grpc-js';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import type { LogListResponse, TraceDetail } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPathOf } from '../src/ingest/grpc.js';
import { type SpanInput, encodeLogs, encodeTraces } from './support/otlp-encode.js';
import { type TestServer, getJson, startTestServer } from './support/server.js';

/**
 * One string that is not valid UTF-8 in a protobuf request: OpenTelemetry asks receivers to keep
 * the request, with the invalid sequences replaced by U+FFFD (OTEP 257; opentelemetry-proto #845).
 * Each body here carries a marker (`MARK`) where the bad string goes, overwritten with bytes that
 * are no UTF-8 (`BAD`): over OTLP/HTTP and OTLP/gRPC, every span is kept, the text is stored
 * repaired, the answer is a partial success that says so, and `/metrics` counts it.
 */

const MARK = 'Mq7Z';
/** `a`, two bytes no UTF-8 starts with, `b`: read as `a\uFFFD\uFFFDb`. */
const BAD = [0x61, 0xff, 0xfe, 0x62];
const REPAIRED = 'a\ufffd\ufffdb';

const newTraceId = (): string => randomBytes(16).toString('hex');
const newSpanId = (): string => randomBytes(8).toString('hex');

/** `body` with its one `MARK` overwritten by `BAD`. */
function spoiled(body: Uint8Array): Buffer {
  const bytes = Buffer.from(body);
  const at = bytes.indexOf(MARK);
  expect(at).toBeGreaterThanOrEqual(0);
  expect(bytes.indexOf(MARK, at + 1)).toBe(-1);
  bytes.set(BAD, at);
  return bytes;
}

type Place = 'span name' | 'attribute key' | 'attribute value' | 'resource';

/** Three spans of one trace, the middle one (or the resource) holding `MARK` at `place`. */
function traces(traceId: string, place: Place): Buffer {
  const start = BigInt(Date.now()) * 1_000_000n;
  const span = (name: string, over: Partial<SpanInput> = {}): SpanInput => ({
    traceId,
    spanId: newSpanId(),
    name,
    kind: 1,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 1_000_000n,
    ...over,
  });
  const middle =
    place === 'span name'
      ? span(MARK)
      : place === 'attribute key'
        ? span('middle', { attributes: { [MARK]: 'v', kept: 'yes' } })
        : place === 'attribute value'
          ? span('middle', { attributes: { note: MARK, kept: 'yes' } })
          : span('middle');
  const resource = { attributes: { 'service.name': 'utf8-test', ...(place === 'resource' ? { 'host.name': MARK } : {}) } };
  return spoiled(encodeTraces([{ resource, scopes: [{ scope: { name: 'test' }, items: [span('first'), middle, span('last')] }] }]));
}

function logs(traceId: string): Buffer {
  const time = BigInt(Date.now()) * 1_000_000n;
  return spoiled(
    encodeLogs([
      {
        resource: { attributes: { 'service.name': 'utf8-test' } },
        scopes: [
          {
            items: [
              { timeUnixNano: time, body: 'kept', traceId },
              { timeUnixNano: time, body: MARK, traceId },
              { timeUnixNano: time, body: 'kept', traceId },
            ],
          },
        ],
      },
    ]),
  );
}

/** `partial_success` (field 1) of an export response: rejected (1) and error_message (2); `null` when absent. */
function partialSuccessOf(bytes: Uint8Array): { rejected: number; message: string } | null {
  const reader = new BinaryReader(bytes);
  if (reader.len === 0) return null;
  reader.tag();
  const inner = new BinaryReader(reader.bytes());
  const result = { rejected: 0, message: '' };
  while (inner.pos < inner.len) {
    const [field] = inner.tag();
    if (field === 1) result.rejected = Number(inner.int64());
    else result.message = inner.string();
  }
  return result;
}

type Transport = 'OTLP/HTTP' | 'OTLP/gRPC';

/** Sends a protobuf export and answers its response's bytes (throws on anything but success). */
async function send(server: TestServer, transport: Transport, signal: 'traces' | 'logs', body: Uint8Array): Promise<Uint8Array> {
  if (transport === 'OTLP/HTTP') {
    const response = await fetch(`${server.url}/v1/${signal}`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
    expect(response.status).toBe(200);
    return new Uint8Array(await response.arrayBuffer());
  }
  const client = new Client(new URL(server.grpcUrl!).host, credentials.createInsecure());
  const same = (bytes: Buffer): Buffer => bytes;
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(exportPathOf(signal), same, same, Buffer.from(body), new Metadata(), (error: ServiceError | null, response?: Buffer) => {
      client.close();
      if (error !== null) reject(error);
      else resolve(response ?? new Uint8Array(0));
    });
  });
}

async function replacedCount(server: TestServer, signal: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = new RegExp(`^spoor_ingest_invalid_utf8_strings_total\\{signal="${signal}"\\} (\\d+)$`, 'm').exec(text);
  return match === null ? 0 : Number(match[1]);
}

describe('invalid UTF-8 in a protobuf string', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ grpc: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const places: Place[] = ['span name', 'attribute key', 'attribute value', 'resource'];
  const transports: Transport[] = ['OTLP/HTTP', 'OTLP/gRPC'];

  it.each(transports.flatMap((transport) => places.map((place) => [transport, place] as const)))(
    'over %s, in a %s: keeps every span, stores U+FFFD, answers a partial success and counts it',
    async (transport, place) => {
      const traceId = newTraceId();
      const before = await replacedCount(server, 'traces');
      const answer = partialSuccessOf(await send(server, transport, 'traces', traces(traceId, place)));
      expect(answer).toEqual({ rejected: 0, message: '1 string was not valid UTF-8: invalid sequences replaced with U+FFFD, spans kept' });
      const { status: found, body } = await getJson<TraceDetail>(server.url, `/api/traces/${traceId}`);
      expect(found).toBe(200);
      expect(body.spans.map((s) => s.name).sort()).toEqual(['first', 'last', place === 'span name' ? REPAIRED : 'middle'].sort());
      const middle = body.spans.find((s) => s.name !== 'first' && s.name !== 'last')!;
      if (place === 'attribute key') expect(middle.attributes).toMatchObject({ [REPAIRED]: 'v', kept: 'yes' });
      if (place === 'attribute value') expect(middle.attributes).toMatchObject({ note: REPAIRED, kept: 'yes' });
      if (place === 'resource') for (const span of body.spans) expect(span.resource['host.name']).toBe(REPAIRED);
      expect(await replacedCount(server, 'traces')).toBe(before + 1);
    },
  );

  it.each(transports)('over %s, in a log body: keeps every record, stores U+FFFD and answers a partial success', async (transport) => {
    const traceId = newTraceId();
    const before = await replacedCount(server, 'logs');
    const answer = partialSuccessOf(await send(server, transport, 'logs', logs(traceId)));
    expect(answer).toEqual({ rejected: 0, message: '1 string was not valid UTF-8: invalid sequences replaced with U+FFFD, log records kept' });
    const { body } = await getJson<LogListResponse>(server.url, `/api/logs?traceId=${traceId}`);
    expect(body.logs.map((l) => l.body).sort()).toEqual([REPAIRED, 'kept', 'kept'].sort());
    expect(await replacedCount(server, 'logs')).toBe(before + 1);
  });

  it('counts each string of a request, the same key on every span included', async () => {
    const traceId = newTraceId();
    const start = BigInt(Date.now()) * 1_000_000n;
    const items = Array.from(
      { length: 3 },
      (_, i): SpanInput => ({
        traceId,
        spanId: newSpanId(),
        name: `s${i}`,
        startTimeUnixNano: start,
        endTimeUnixNano: start + 1n,
        attributes: { [`${MARK}`]: i },
      }),
    );
    const body = Buffer.from(encodeTraces([{ resource: { attributes: { 'service.name': 'utf8-test' } }, scopes: [{ items }] }]));
    for (let at = body.indexOf(MARK); at >= 0; at = body.indexOf(MARK, at + 1)) body.set(BAD, at);
    const answer = partialSuccessOf(await send(server, 'OTLP/HTTP', 'traces', body));
    expect(answer?.message).toMatch(/^3 strings were not valid UTF-8/);
    const { body: detail } = await getJson<TraceDetail>(server.url, `/api/traces/${traceId}`);
    expect(detail.spans.map((s) => s.attributes[REPAIRED]).sort()).toEqual([0, 1, 2]);
  });
});
