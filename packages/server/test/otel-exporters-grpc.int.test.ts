import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Client, Metadata, type ServiceError, credentials, status } from '@grpc/grpc-js';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import type { TraceDetail } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPathOf } from '../src/ingest/grpc.js';
import { type SpanInput, encodeTraces } from './support/otlp-encode.js';
import { type TestServer, getJson, makeKey, startTestServer } from './support/server.js';

/**
 * OTLP/gRPC as a client that does not behave sees it: the official exporters' field-by-field runs
 * are the `OTLP/gRPC` variants of `otel-exporters-{traces,logs,metrics}.int.test.ts`. Here a raw
 * grpc-js client sends bodies of its own and reads the status, its `google.rpc.Status` details
 * and the partial success, as the OTLP specification has them.
 */

interface Answer {
  code: status;
  response: Buffer | null;
  details: string;
  /** `grpc-status-details-bin`, decoded: the `google.rpc.Status` and its `RetryInfo` delay, if any. */
  statusDetails: { code: number; message: string; retryDelaySeconds: number | null } | null;
}

/** One unary export from a fresh channel; `gzip` compresses the message (grpc-encoding: gzip). */
function call(grpcUrl: string, signal: 'traces' | 'logs' | 'metrics', body: Uint8Array, headers: Record<string, string> = {}, gzip = false): Promise<Answer> {
  const client = new Client(new URL(grpcUrl).host, credentials.createInsecure(), gzip ? { 'grpc.default_compression_algorithm': 2 } : {});
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  const same = (bytes: Buffer): Buffer => bytes;
  return new Promise((resolve) => {
    client.makeUnaryRequest(exportPathOf(signal), same, same, Buffer.from(body), metadata, (error: ServiceError | null, response?: Buffer) => {
      client.close();
      if (error === null) {
        resolve({ code: status.OK, response: response ?? null, details: '', statusDetails: null });
        return;
      }
      const bin = error.metadata.get('grpc-status-details-bin')[0];
      resolve({ code: error.code, response: null, details: error.details, statusDetails: bin instanceof Buffer ? decodeStatus(bin) : null });
    });
  });
}

/** `google.rpc.Status { code = 1; message = 2; repeated Any details = 3 }`, reading a `RetryInfo` among the details. */
function decodeStatus(bytes: Uint8Array): { code: number; message: string; retryDelaySeconds: number | null } {
  const reader = new BinaryReader(bytes);
  const result = { code: 0, message: '', retryDelaySeconds: null as number | null };
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1) result.code = reader.int32();
    else if (field === 2) result.message = reader.string();
    else if (field === 3) {
      const any = new BinaryReader(reader.bytes());
      let typeUrl = '';
      let value: Uint8Array = new Uint8Array(0);
      while (any.pos < any.len) {
        const [f] = any.tag();
        if (f === 1) typeUrl = any.string();
        else value = any.bytes();
      }
      expect(typeUrl).toBe('type.googleapis.com/google.rpc.RetryInfo');
      const retryInfo = new BinaryReader(value);
      retryInfo.tag(); // retry_delay = 1: a google.protobuf.Duration
      const duration = new BinaryReader(retryInfo.bytes());
      duration.tag(); // seconds = 1
      result.retryDelaySeconds = Number(duration.int64());
    } else reader.skip(wireType);
  }
  return result;
}

/** `Export*ServiceResponse.partial_success` (field 1): rejected count (1) and message (2); null when absent. */
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

const newTraceId = (): string => randomBytes(16).toString('hex');
const newSpanId = (): string => randomBytes(8).toString('hex');

function traces(spans: Array<Partial<SpanInput>>, service = 'grpc-test'): Uint8Array {
  const start = BigInt(Date.now()) * 1_000_000n;
  const items = spans.map((over) => ({
    traceId: newTraceId(),
    spanId: newSpanId(),
    name: 'grpc span',
    kind: 2,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 3_000_000n,
    ...over,
  }));
  return encodeTraces([{ resource: { attributes: { 'service.name': service } }, scopes: [{ scope: { name: 'test' }, items }] }]);
}

async function metricsText(server: TestServer): Promise<string> {
  return (await fetch(`${server.url}/metrics`)).text();
}

describe('OTLP/gRPC', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ grpc: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers an export with an empty response once its spans are stored, and counts it', async () => {
    const traceId = newTraceId();
    const answer = await call(server.grpcUrl!, 'traces', traces([{ traceId, name: 'checkout' }]));
    expect(answer).toMatchObject({ code: status.OK, statusDetails: null });
    expect(answer.response?.byteLength).toBe(0);
    const { status: httpStatus, body } = await getJson<TraceDetail>(server.url, `/api/traces/${traceId}`);
    expect(httpStatus).toBe(200);
    expect(body.spans.map((s) => [s.name, s.serviceName])).toEqual([['checkout', 'grpc-test']]);
    expect(await metricsText(server)).toMatch(/^spoor_ingest_requests_total\{signal="traces",status="200"\} [1-9]/m);
  });

  it('stores the valid spans of a message with invalid ones and says how many it rejected (partial success)', async () => {
    const traceId = newTraceId();
    const answer = await call(
      server.grpcUrl!,
      'traces',
      traces([
        { traceId, name: 'kept' },
        { traceId: 'deadbeef', name: 'dropped' },
      ]),
    );
    expect(answer.code).toBe(status.OK);
    expect(partialSuccessOf(answer.response!)).toEqual({
      rejected: 1,
      message: expect.stringMatching(/^1 spans rejected: span has an invalid trace id 'deadbeef'/),
    });
    expect((await getJson<TraceDetail>(server.url, `/api/traces/${traceId}`)).body.spans.map((s) => s.name)).toEqual(['kept']);
  });

  it.each([
    ['a truncated message', Buffer.from([0x0a, 0xff, 0x01])],
    ['a message of only invalid spans', Buffer.from(traces([{ traceId: 'deadbeef' }]))],
  ])('refuses %s with INVALID_ARGUMENT, which is not retried', async (_name, body) => {
    const answer = await call(server.grpcUrl!, 'traces', body);
    expect(answer.code).toBe(status.INVALID_ARGUMENT);
    expect(answer.statusDetails).toEqual({ code: status.INVALID_ARGUMENT, message: answer.details, retryDelaySeconds: null });
    expect(await metricsText(server)).toMatch(/^spoor_ingest_requests_total\{signal="traces",status="400"\} [1-9]/m);
  });

  it('takes a gzip-compressed message', async () => {
    const traceId = newTraceId();
    expect((await call(server.grpcUrl!, 'traces', traces([{ traceId, name: 'zipped' }]), {}, true)).code).toBe(status.OK);
    expect((await getJson<TraceDetail>(server.url, `/api/traces/${traceId}`)).body.spans.map((s) => s.name)).toEqual(['zipped']);
  });

  it('refuses a message larger than --max-body, also when it is only that large after inflating', async () => {
    const small = await startTestServer({ grpc: true, maxBody: '1KiB' });
    try {
      const traceId = newTraceId();
      const big = traces(Array.from({ length: 8 }, () => ({ traceId, name: 'x'.repeat(1000) })));
      expect(gzipSync(big).byteLength).toBeLessThan(1024);
      for (const gzip of [false, true]) {
        const answer = await call(small.grpcUrl!, 'traces', big, {}, gzip);
        expect(answer.code).toBe(status.RESOURCE_EXHAUSTED);
        expect(answer.details).toMatch(/larger than/);
      }
    } finally {
      await small.stop();
    }
  });
});

describe('OTLP/gRPC under back-pressure', () => {
  it('answers RESOURCE_EXHAUSTED with a RetryInfo while the spool is full, and takes the rest', async () => {
    // A one-byte spool takes a request only while nothing else waits for the store.
    const server = await startTestServer({ grpc: true, spoolMax: '1' });
    try {
      const answers = await Promise.all(Array.from({ length: 40 }, () => call(server.grpcUrl!, 'traces', traces([{}, {}, {}]))));
      const refused = answers.filter((a) => a.code !== status.OK);
      expect(refused.length).toBeGreaterThan(0);
      expect(answers.length - refused.length).toBeGreaterThan(0);
      for (const answer of refused) {
        expect(answer.code).toBe(status.RESOURCE_EXHAUSTED);
        expect(answer.details).toMatch(/--spool-max/);
        expect(answer.statusDetails).toEqual({ code: status.RESOURCE_EXHAUSTED, message: answer.details, retryDelaySeconds: 1 });
      }
      const metrics = await metricsText(server);
      expect(metrics).toContain(`spoor_ingest_requests_total{signal="traces",status="503"} ${refused.length}`);
      expect(metrics).toContain(`spoor_ingest_records_rejected_total{signal="traces",reason="spool_full"} ${refused.length * 3}`);
    } finally {
      await server.stop();
    }
  });

  it('is not served once the server has stopped: UNAVAILABLE, which exporters retry', async () => {
    const server = await startTestServer({ grpc: true });
    const grpcUrl = server.grpcUrl!;
    await server.stop();
    expect((await call(grpcUrl, 'traces', traces([{}]))).code).toBe(status.UNAVAILABLE);
  });
});

describe('OTLP/gRPC with keys', () => {
  let server: TestServer;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    server = await startTestServer({ grpc: true, rateLimit: '2' });
    keys.admin = await makeKey(server.url, '*', 'admin');
    keys.ingest = await makeKey(server.url, 'shop', 'ingest', keys.admin);
    keys.read = await makeKey(server.url, 'shop', 'read', keys.admin);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers UNAUTHENTICATED without a key, or with one it does not know', async () => {
    for (const headers of [{}, { authorization: 'Bearer spoor_not_a_key' }] as Array<Record<string, string>>) {
      const answer = await call(server.grpcUrl!, 'logs', traces([{}]), headers);
      expect(answer.code).toBe(status.UNAUTHENTICATED);
    }
  });

  it('answers PERMISSION_DENIED to a read key', async () => {
    const answer = await call(server.grpcUrl!, 'traces', traces([{}]), { authorization: `Bearer ${keys.read}` });
    expect(answer.code).toBe(status.PERMISSION_DENIED);
    expect(answer.details).toMatch(/needs an ingest key; this one is a read key/);
  });

  it("stores what an ingest key sends in its key's project, and limits its rate with RESOURCE_EXHAUSTED and a RetryInfo", async () => {
    const traceId = newTraceId();
    const headers = { authorization: `Bearer ${keys.ingest}` };
    expect((await call(server.grpcUrl!, 'traces', traces([{ traceId }]), headers)).code).toBe(status.OK);
    const stored = await fetch(`${server.url}/api/traces/${traceId}`, { headers: { authorization: `Bearer ${keys.read}` } });
    expect(stored.status).toBe(200);
    const answers = await Promise.all(Array.from({ length: 8 }, () => call(server.grpcUrl!, 'traces', traces([{}]), headers)));
    const limited = answers.filter((a) => a.code === status.RESOURCE_EXHAUSTED);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.statusDetails).toEqual({
      code: status.RESOURCE_EXHAUSTED,
      message: expect.stringMatching(/more than 2 requests a second/),
      retryDelaySeconds: 1,
    });
  });
});

describe('OTLP/gRPC and --role', () => {
  it('opens no gRPC port on a server that leaves ingest to others', async () => {
    const server = await startTestServer({ grpc: true, role: 'query,alerting' });
    try {
      expect(server.grpcUrl).toBeNull();
    } finally {
      await server.stop();
    }
  });
});
