import { randomBytes } from 'node:crypto';
import type { LiveSpansEvent, LiveTracesEvent } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type TestServer, makeKey, startTestServer } from './support/server.js';
import { SseClient } from './support/sse.js';
import { sleep, until } from './support/wait.js';

/**
 * The live streams over HTTP, on both stores: spans and trace summaries arrive once committed,
 * in order and once; a reconnect with Last-Event-ID gets exactly what it missed; keys and projects
 * apply; a viewer on one server sees what another server sharing its ClickHouse committed.
 */

const traceIdOf = (): string => randomBytes(16).toString('hex');
const spanIdOf = (n: number): string => n.toString(16).padStart(16, '0');

/** An OTLP/JSON body of spans of one trace: span `n` is a child of span 1 (span 1 is the root). */
function spansBody(traceId: string, ns: readonly number[], service = 'agent'): string {
  const startNs = BigInt(Date.now() - 5000) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: ns.map((n) => ({
              traceId,
              spanId: spanIdOf(n),
              ...(n === 1 ? {} : { parentSpanId: spanIdOf(1) }),
              name: n === 1 ? 'run' : `step ${n}`,
              kind: 1,
              startTimeUnixNano: String(startNs + BigInt(n) * 1_000_000n),
              endTimeUnixNano: String(startNs + BigInt(n) * 1_000_000n + 500_000n),
            })),
          },
        ],
      },
    ],
  });
}

async function post(server: TestServer, key: string | null, body: string): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(key === null ? {} : { authorization: `Bearer ${key}` }) };
  const answer = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers, body });
  expect(answer.status, await answer.text()).toBe(200);
}

/** The span ids of a trace stream's `spans` events, in the order they came. */
const spanIds = (stream: SseClient): string[] =>
  stream.events.filter((e) => e.event === 'spans').flatMap((e) => (JSON.parse(e.data) as LiveSpansEvent).spans.map((s) => s.spanId));

/** Waits until the stream has sent `count` spans. */
async function arrived(stream: SseClient, count: number): Promise<void> {
  await until(`${count} spans on the stream (got ${JSON.stringify(spanIds(stream))})`, () => (spanIds(stream).length >= count ? true : undefined));
}

/** Waits until the stream has sent `count` spans, then a little longer, so that a span sent twice would show. */
async function settle(stream: SseClient, count: number): Promise<string[]> {
  await arrived(stream, count);
  await sleep(700);
  return spanIds(stream);
}

const stores = [
  { name: 'DuckDB', options: async () => ({ store: 'duckdb' as const }) },
  { name: 'ClickHouse', options: async () => ({ store: 'clickhouse' as const, clickhouseUrl: `${(await endpoint()).url}/live_${++databases}` }) },
];

let sharedEndpoint: ClickHouseEndpoint | null = null;
let databases = 0;
async function endpoint(): Promise<ClickHouseEndpoint> {
  sharedEndpoint ??= await startClickHouseEndpoint();
  return sharedEndpoint;
}
afterAll(async () => {
  await sharedEndpoint?.close();
});

describe.each(stores)('live streams on $name', ({ options }) => {
  let server: TestServer;
  const keys: Record<string, string> = {};
  const open = (path: string, key = keys.shopRead!, lastEventId?: string) => SseClient.open(`${server.url}${path}`, { key, lastEventId });

  beforeAll(async () => {
    server = await startTestServer(await options());
    keys.root = await makeKey(server.url, '*', 'admin');
    for (const [name, project, role] of [
      ['shopIngest', 'shop', 'ingest'],
      ['shopRead', 'shop', 'read'],
      ['otherIngest', 'other', 'ingest'],
      ['otherRead', 'other', 'read'],
    ] as const) {
      keys[name] = await makeKey(server.url, project, role, keys.root);
    }
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('sends the spans posted after the stream opened, in order, each once, after a ready event naming where it starts', async () => {
    const traceId = traceIdOf();
    await post(server, keys.shopIngest!, spansBody(traceId, [1]));
    const stream = await open(`/api/traces/${traceId}/live`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const [ready] = await stream.waitFor(1);
    expect(ready!.event).toBe('ready');
    expect(ready!.id).not.toBe('');
    expect(stream.retryMs).toBe(1000);
    await post(server, keys.shopIngest!, spansBody(traceId, [2, 3]));
    await post(server, keys.shopIngest!, spansBody(traceId, [4]));
    // Another trace's spans are not this stream's.
    await post(server, keys.shopIngest!, spansBody(traceIdOf(), [1, 2]));
    expect(await settle(stream, 3)).toEqual([spanIdOf(2), spanIdOf(3), spanIdOf(4)]);
    const event = stream.events.find((e) => e.event === 'spans')!;
    const data = JSON.parse(event.data) as LiveSpansEvent;
    expect(data.traceId).toBe(traceId);
    expect(data.spans[0]).toMatchObject({
      spanId: spanIdOf(2),
      parentSpanId: spanIdOf(1),
      name: 'step 2',
      service: 'agent',
      state: 'ended',
      statusCode: 0,
      category: 7,
      events: [],
    });
    expect(data.spans[0]!.endUs! - data.spans[0]!.startUs).toBe(500);
    stream.close();
  });

  it('sends a running span as running, its newer snapshot, then its ended span, and never a snapshot after its end', async () => {
    const traceId = traceIdOf();
    await post(server, keys.shopIngest!, spansBody(traceId, [1]));
    const stream = await open(`/api/traces/${traceId}/live`);
    await stream.waitFor(1);
    const running = (attempt: number): string =>
      spansBody(traceId, [2])
        .replace(/"endTimeUnixNano":"\d+"/, '"endTimeUnixNano":"0"')
        .replace('"kind":1', `"kind":1,"attributes":[{"key":"attempt","value":{"intValue":"${attempt}"}}]`);
    // Each posted once the one before has arrived; the last settle would show any of them sent twice.
    await post(server, keys.shopIngest!, running(1));
    await arrived(stream, 1);
    await post(server, keys.shopIngest!, running(2));
    await arrived(stream, 2);
    await post(server, keys.shopIngest!, spansBody(traceId, [2]));
    await arrived(stream, 3);
    // Too late: the span is stored ended.
    await post(server, keys.shopIngest!, running(3));
    const states = stream.events
      .filter((e) => e.event === 'spans')
      .flatMap((e) => (JSON.parse(e.data) as LiveSpansEvent).spans.map((s) => [s.spanId, s.state, s.endUs === null]));
    expect(await settle(stream, 3)).toEqual([spanIdOf(2), spanIdOf(2), spanIdOf(2)]);
    expect(states).toEqual([
      [spanIdOf(2), 'running', true],
      [spanIdOf(2), 'running', true],
      [spanIdOf(2), 'ended', false],
    ]);
    stream.close();
  });

  it('resumes from Last-Event-ID with exactly the spans committed while it was away', async () => {
    const traceId = traceIdOf();
    await post(server, keys.shopIngest!, spansBody(traceId, [1]));
    const first = await open(`/api/traces/${traceId}/live`);
    await first.waitFor(1);
    await post(server, keys.shopIngest!, spansBody(traceId, [2]));
    expect(await settle(first, 1)).toEqual([spanIdOf(2)]);
    const lastSeen = first.lastEventId!;
    first.close();
    await post(server, keys.shopIngest!, spansBody(traceId, [3, 4]));
    await post(server, keys.shopIngest!, spansBody(traceId, [5]));
    const again = await open(`/api/traces/${traceId}/live`, keys.shopRead, lastSeen);
    // `?after=` does the same for a first connection.
    const fromQuery = await open(`/api/traces/${traceId}/live?after=${encodeURIComponent(lastSeen)}`);
    const [fromHeader, fromParameter] = await Promise.all([settle(again, 3), settle(fromQuery, 3)]);
    expect(fromHeader).toEqual([spanIdOf(3), spanIdOf(4), spanIdOf(5)]);
    expect(again.events.some((e) => e.event === 'ready')).toBe(false);
    expect(fromParameter).toEqual([spanIdOf(3), spanIdOf(4), spanIdOf(5)]);
    again.close();
    fromQuery.close();
  });

  it("answers another project's trace, an unknown one and a malformed cursor before any stream starts", async () => {
    const traceId = traceIdOf();
    await post(server, keys.shopIngest!, spansBody(traceId, [1]));
    const foreign = await open(`/api/traces/${traceId}/live`, keys.otherRead);
    expect(foreign.status).toBe(404);
    const unknown = await open(`/api/traces/${traceIdOf()}/live`, keys.shopRead);
    expect(unknown.status).toBe(404);
    expect((await open(`/api/traces/${traceId}/live`, keys.shopRead, 'not-a-cursor')).status).toBe(400);
    const bad = await open(`/api/live?after=${encodeURIComponent('x:1')}`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('is not a live stream');
    expect((await open(`/api/traces/${traceId}/live`, '')).status).toBe(401);
  });

  it("streams the trace list's summaries under its filters, and none of another project's", async () => {
    const billing = await open('/api/live?service=billing');
    const all = await open('/api/live');
    const other = await open('/api/live', keys.otherRead);
    await Promise.all([billing.waitFor(1), all.waitFor(1), other.waitFor(1)]);
    const billed = traceIdOf();
    const plain = traceIdOf();
    await post(server, keys.shopIngest!, spansBody(billed, [1, 2], 'billing'));
    await post(server, keys.shopIngest!, spansBody(plain, [1], 'agent'));
    const traceIds = (stream: SseClient) =>
      stream.events.filter((e) => e.event === 'traces').flatMap((e) => (JSON.parse(e.data) as LiveTracesEvent).traces.map((t) => t.traceId));
    await until('the summaries', () =>
      traceIds(all).includes(billed) && traceIds(all).includes(plain) && traceIds(billing).includes(billed) ? true : undefined,
    );
    await sleep(700);
    expect(traceIds(billing)).toEqual([billed]);
    const summary = all.events.flatMap((e) => (e.event === 'traces' ? (JSON.parse(e.data) as LiveTracesEvent).traces : [])).find((t) => t.traceId === billed)!;
    expect(summary).toMatchObject({ rootName: 'run', serviceName: 'billing', spanCount: 2, errorCount: 0 });
    expect(traceIds(other)).toEqual([]);
    for (const stream of [billing, all, other]) stream.close();
  });
});

describe('live streams and shutdown', () => {
  it('closes every stream when the server stops, and the stop does not wait on them', async () => {
    const server = await startTestServer();
    const traceId = traceIdOf();
    await post(server, null, spansBody(traceId, [1]));
    const streams = await Promise.all([SseClient.open(`${server.url}/api/traces/${traceId}/live`), SseClient.open(`${server.url}/api/live`)]);
    await Promise.all(streams.map((s) => s.waitFor(1)));
    // The streams never end by themselves: a stop that waited on them would not resolve.
    await server.stop();
    await Promise.all(streams.map((s) => s.waitForEnd()));
  });
});

describe('two servers on one ClickHouse', () => {
  // How soon (one poll of the shared store, about a second) is a speed figure, not this test's to time.
  it('shows a viewer on server A the spans posted to server B', async () => {
    const clickhouseUrl = `${(await endpoint()).url}/live_shared`;
    const a = await startTestServer({ store: 'clickhouse', clickhouseUrl });
    const b = await startTestServer({ store: 'clickhouse', clickhouseUrl });
    try {
      const traceId = traceIdOf();
      const postTo = (server: TestServer, ns: number[]) => post(server, null, spansBody(traceId, ns));
      await postTo(a, [1]);
      const stream = await SseClient.open(`${a.url}/api/traces/${traceId}/live`);
      await stream.waitFor(1);
      await postTo(b, [2, 3]);
      await arrived(stream, 2);
      expect(spanIds(stream)).toEqual([spanIdOf(2), spanIdOf(3)]);
      // A span posted to A reaches the same viewer, none twice (the settle would show one sent twice).
      await postTo(a, [4]);
      expect(await settle(stream, 3)).toEqual([spanIdOf(2), spanIdOf(3), spanIdOf(4)]);
      stream.close();
    } finally {
      await a.stop();
      await b.stop();
    }
  }, 60_000);
});
