import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeTracesProtobuf } from '../src/ingest/protobuf/traces.js';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { encodeTraces } from './support/otlp-encode.js';
import { type OtlpSink, startOtlpSink } from './support/otlp-sink.js';
import { type TestServer, metricValue, perTestServers, startTestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * Forwarding against a real OTLP/HTTP endpoint that answers as a test says: `Retry-After` on a
 * 429 is waited out, a 400 is counted as failed and not sent again, past --forward-spool-max the
 * oldest unsent data is dropped and counted, a restarted Spoor resumes from its durable position
 * (on ClickHouse: the spool is the same), and a destination that is no OTLP/HTTP server, or is
 * Spoor itself, is refused at start.
 */

let sink: OtlpSink;
const servers = perTestServers('spoor-forward-');

beforeAll(async () => {
  sink = await startOtlpSink();
});

afterEach(() => {
  sink.requests.length = 0;
  sink.answer = () => ({ status: 200 });
});

afterAll(async () => {
  await sink?.close();
});

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** Sends one trace of `spans` spans (service `service`) to `server`; resolves with its span ids once acknowledged. */
async function send(server: TestServer, spans = 5, service = 'checkout', pad = 0): Promise<string[]> {
  const traceId = hex(16);
  const spanIds = Array.from({ length: spans }, () => hex(8));
  const startNs = BigInt(Date.now() - 5_000) * 1_000_000n;
  const attributes: Record<string, string> = pad > 0 ? { padding: 'x'.repeat(pad) } : {};
  const body = encodeTraces([
    {
      resource: { attributes: { 'service.name': service } },
      scopes: [
        { items: spanIds.map((spanId) => ({ traceId, spanId, name: 'step', startTimeUnixNano: startNs, endTimeUnixNano: startNs + 1000n, attributes })) },
      ],
    },
  ]);
  const answer = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
  expect(answer.status).toBe(200);
  return spanIds;
}

const received = (): string[] => sink.spanIds();
const hasAll = (ids: string[]) => async () => (ids.every((id) => received().includes(id)) ? true : undefined);

describe('forwarding to an OTLP/HTTP endpoint', () => {
  it('sends protobuf with its headers, filtered; waits out Retry-After on a 429; counts a 400 as failed and sends it no more', async () => {
    const server = await servers.start({ forward: `sink=${sink.url}/,headers=x-team:checkout;authorization:Bearer t0ken-xyz,filter=service=checkout` });
    // JSON in, protobuf out, billing left out by the filter.
    const traceId = hex(16);
    const json = (service: string, spanId: string) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{ spans: [{ traceId, spanId, name: 'x', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }],
    });
    const body = JSON.stringify({ resourceSpans: [json('checkout', 'a'.repeat(16)), json('billing', 'b'.repeat(16))] });
    sink.answer = ({ index }) => (index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 });
    expect((await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(200);
    await until('the request sent again after the 429', async () => (sink.requests.length >= 2 ? true : undefined));
    const [busy, sent] = sink.requests as [(typeof sink.requests)[0], (typeof sink.requests)[0]];
    expect(sent.atMs - busy.atMs, 'waited what Retry-After said').toBeGreaterThanOrEqual(1000);
    expect(sent.path).toBe('/v1/traces');
    expect(sent.headers['content-type']).toBe('application/x-protobuf');
    expect([sent.headers['x-team'], sent.headers.authorization]).toEqual(['checkout', 'Bearer t0ken-xyz']);
    expect(decodeTracesProtobuf(new Uint8Array(sent.body), 'p').records.map((s) => [s.spanId, s.serviceName])).toEqual([['a'.repeat(16), 'checkout']]);

    // A refusal: counted as failed, never sent again; what follows goes on.
    sink.answer = () => ({ status: 400 });
    const refused = await send(server, 3);
    await until('the refusal counted', async () =>
      (await metricValue(server.url, 'spoor_forward_failed_records_total{destination="sink",signal="traces"}')) === 3 ? true : undefined,
    );
    sink.answer = () => ({ status: 200 });
    const after = await send(server, 2);
    await until('the next request delivered', hasAll(after));
    expect(sink.requests.filter((r) => decodeTracesProtobuf(new Uint8Array(r.body), 'p').records.some((s) => s.spanId === refused[0])).length).toBe(1);
    expect(await metricValue(server.url, 'spoor_forward_requests_total{destination="sink",outcome="refused"}')).toBe(1);
    expect(await metricValue(server.url, 'spoor_forward_requests_total{destination="sink",outcome="retry"}')).toBe(1);
    expect(await metricValue(server.url, 'spoor_forward_sent_records_total{destination="sink",signal="traces"}')).toBe(3);
  });

  it('drops the oldest unsent data past --forward-spool-max, counts it on /metrics, and sends the rest once the destination is back', async () => {
    sink.answer = () => ({ status: 503 });
    const server = await servers.start({ forward: `sink=${sink.url}`, forwardSpoolMax: '16KiB' });
    const batches: string[][] = [];
    // 12 requests of ~2.6 KB: about 31 KB, twice the cap.
    for (let i = 0; i < 12; i++) batches.push(await send(server, 5, 'checkout', 400));
    await until('the oldest dropped', async () => ((await metricValue(server.url, 'spoor_forward_dropped_records_total')) > 0 ? true : undefined));
    sink.answer = () => ({ status: 200 });
    // Every record is either delivered or dropped, and what was dropped is the oldest.
    await until('every record delivered or dropped', async () =>
      (await metricValue(server.url, 'spoor_forward_sent_records_total')) + (await metricValue(server.url, 'spoor_forward_dropped_records_total')) === 60
        ? true
        : undefined,
    );
    const dropped = await metricValue(server.url, 'spoor_forward_dropped_records_total{destination="sink",signal="traces"}');
    expect(dropped % 5).toBe(0);
    expect(dropped).toBeGreaterThanOrEqual(5 * 5);
    expect(new Set(received())).toEqual(new Set(batches.slice(dropped / 5).flat()));
    expect(await metricValue(server.url, 'spoor_forward_unsent_bytes')).toBe(0);
  });
});

describe('masking while a destination is behind', () => {
  it('sends a request masked by the policy it was received under and every one set after, even once removed', async () => {
    sink.answer = () => ({ status: 503 });
    const server = await servers.start({ forward: `sink=${sink.url}` });
    const email = 'dave.secret@example.com';
    const put = (method: string, body?: unknown) =>
      fetch(`${server.url}/api/projects/default/masking`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const spanWith = async (text: string): Promise<string> => {
      const spanId = hex(8);
      const body = encodeTraces([
        {
          resource: { attributes: { 'service.name': 'pii' } },
          scopes: [{ items: [{ traceId: hex(16), spanId, name: 'x', startTimeUnixNano: 1n, endTimeUnixNano: 2n, attributes: { note: text } }] }],
        },
      ]);
      expect((await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body })).status).toBe(200);
      return spanId;
    };
    // The first request is read (and retried) before the policy exists; the next ones wait behind it, unread.
    const beforePolicy = await spanWith(`early ${email}`);
    await until('a try while the destination is down', async () => (sink.requests.length > 0 ? true : undefined));
    expect((await put('PUT', { detectors: ['email'] })).status).toBe(200);
    const underPolicy = await spanWith(`reach ${email}`);
    expect((await put('DELETE')).status).toBe(204);
    const afterRemoval = await spanWith(`reach ${email} again`);
    sink.answer = () => ({ status: 200 });
    await until('all delivered', hasAll([beforePolicy, underPolicy, afterRemoval]));
    const notes = new Map(
      sink.requests
        .filter((r) => r.status === 200)
        .flatMap((r) => decodeTracesProtobuf(new Uint8Array(r.body), 'p').records.map((s) => [s.spanId, s.attributes.note] as const)),
    );
    // Set while it waited to be sent again: it goes masked by it too.
    expect(notes.get(beforePolicy)).toBe('early [REDACTED:email]');
    expect(notes.get(underPolicy)).toBe('reach [REDACTED:email]');
    expect(notes.get(afterRemoval)).toBe(`reach ${email} again`);
  });
});

describe('a restarted Spoor', () => {
  let clickhouse: ClickHouseEndpoint;
  beforeAll(async () => {
    clickhouse = await startClickHouseEndpoint();
  });
  afterAll(async () => {
    await clickhouse?.close();
  });

  it(
    'resumes each destination from its durable position, twice: nothing delivered is sent again, nothing held is lost (ClickHouse store)',
    { timeout: 90_000 },
    async () => {
      const options = { forward: `sink=${sink.url}`, store: 'clickhouse', clickhouseUrl: `${clickhouse.url}/forward_restart` };
      let server = await servers.start(options);
      const delivered = [...(await send(server)), ...(await send(server))];
      await until('the first requests delivered', hasAll(delivered));
      sink.answer = () => ({ status: 503 });
      const held = [...(await send(server)), ...(await send(server))];
      await until('a try while the destination is down', async () => (sink.requests.some((r) => r.status === 503) ? true : undefined));
      await server.stop();

      server = await servers.start(options);
      // Still down while the restarted server commits what comes next: the commit must not free
      // the spool segment that holds what the destination has not received.
      const retriesBefore = sink.requests.length;
      const later = await send(server);
      const laterTrace = await until('the next request committed', async () => {
        const { traces } = (await (await fetch(`${server.url}/api/traces?limit=10`)).json()) as { traces: Array<{ traceId: string; spanCount: number }> };
        return traces.length === 5 ? traces : undefined;
      });
      expect(laterTrace).toHaveLength(5);
      await until('a try after the restart', async () => (sink.requests.length > retriesBefore ? true : undefined));
      // And again: what it held in memory is gone, the spool on disk must still have it.
      await server.stop();
      server = await servers.start(options);
      sink.answer = () => ({ status: 200 });
      await until('what was held across the restart, and what came after, delivered', hasAll([...held, ...later]));
      const counts = new Map<string, number>();
      for (const id of received()) counts.set(id, (counts.get(id) ?? 0) + 1);
      expect(delivered.map((id) => counts.get(id))).toEqual(delivered.map(() => 1));
    },
  );
});

describe('a forward URL refused at start', () => {
  /** A port nothing listens on now. */
  async function freePort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    return port;
  }

  it.each([
    ['not http(s)', () => 'ftp=ftp://127.0.0.1:2121', /must be http:\/\/ or https:\/\//],
    ['a gRPC endpoint', () => 'grpc=grpc://collector:4317', /must be http:\/\/ or https:\/\//],
    ['a signal path', () => 'jaeger=http://jaeger:4318/v1/traces', /without \/v1\/<signal>/],
  ])('%s', async (_, spec, message) => {
    await expect(startTestServer({ forward: spec() })).rejects.toThrow(message);
  });

  it('names this server itself: its port on loopback', async () => {
    const port = await freePort();
    await expect(startTestServer({ port, forward: `me=http://localhost:${port}` })).rejects.toThrow(/forward loop/);
  });
});
